// Standard convolution as an indirect GEMM: the filter [kH, kW, Cin, Cout] is packed like a
// [kH*kW*Cin, Cout] GEMM matrix, and for each tap the microkernel takes one pointer per output
// pixel: the input pixel under that tap, or a zero vector where the tap lands in the padding.
// Nothing is copied (no im2col buffer); the tile is 4 output pixels x 8 output channels.

import { F32, activate, madd } from "../common";
import { NR } from "../gemm/pack";
import { storeRow8 } from "../gemm/store";

/** Geometry of one conv2d call (one image). */
@unmanaged export class ConvGeometry {
  inH: i32 = 0;
  inW: i32 = 0;
  inChannels: i32 = 0;
  kH: i32 = 0;
  kW: i32 = 0;
  strideH: i32 = 0;
  strideW: i32 = 0;
  dilationH: i32 = 0;
  dilationW: i32 = 0;
  padTop: i32 = 0;
  padLeft: i32 = 0;
  outH: i32 = 0;
  outW: i32 = 0;
  outChannels: i32 = 0;
  activation: i32 = 0;
}

/** Address of the input pixel under tap (ky, kx) of output pixel q, or `zero` in the padding. */
// @ts-ignore: decorator
@inline function tapPixel(g: ConvGeometry, input: usize, zero: usize, q: i32, ky: i32, kx: i32): usize {
  const oy = q / g.outW;
  const ox = q - oy * g.outW;
  const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
  const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
  if (<u32>iy >= <u32>g.inH || <u32>ix >= <u32>g.inW) return zero;
  return input + (<usize>iy * g.inW + ix) * g.inChannels * F32;
}

export function conv_4x8__simd128(g: ConvGeometry, input: usize, packed: usize, output: usize, zero: usize): void {
  const pixels = g.outH * g.outW;
  const cols = g.outChannels;
  const panels = (cols + NR - 1) / NR;
  const depthBytes = <usize>g.inChannels * F32;
  const panelBytes = <usize>(g.kH * g.kW * g.inChannels + 1) * NR * F32;
  const outRow = <usize>cols * F32;
  const last = pixels - 1;
  const act = g.activation;
  for (let q = 0; q < pixels; q += 4) {
    const q1 = min<i32>(q + 1, last), q2 = min<i32>(q + 2, last), q3 = min<i32>(q + 3, last);
    const out = output + <usize>q * outRow;
    for (let p = 0; p < panels; p++) {
      let w = packed + <usize>p * panelBytes;
      let c0l = v128.load(w), c0h = v128.load(w, 16);
      let c1l = c0l, c1h = c0h, c2l = c0l, c2h = c0h, c3l = c0l, c3h = c0h;
      w += <usize>NR * F32;
      for (let ky = 0; ky < g.kH; ky++) {
        for (let kx = 0; kx < g.kW; kx++) {
          const x0 = tapPixel(g, input, zero, q, ky, kx);
          const x1 = tapPixel(g, input, zero, q1, ky, kx);
          const x2 = tapPixel(g, input, zero, q2, ky, kx);
          const x3 = tapPixel(g, input, zero, q3, ky, kx);
          for (let k: usize = 0; k < depthBytes; k += F32) {
            const wl = v128.load(w), wh = v128.load(w, 16);
            const s0 = v128.load32_splat(x0 + k);
            c0l = madd(s0, wl, c0l); c0h = madd(s0, wh, c0h);
            const s1 = v128.load32_splat(x1 + k);
            c1l = madd(s1, wl, c1l); c1h = madd(s1, wh, c1h);
            const s2 = v128.load32_splat(x2 + k);
            c2l = madd(s2, wl, c2l); c2h = madd(s2, wh, c2h);
            const s3 = v128.load32_splat(x3 + k);
            c3l = madd(s3, wl, c3l); c3h = madd(s3, wh, c3h);
            w += <usize>NR * F32;
          }
        }
      }
      const colsLeft = cols - p * NR;
      const o = out + <usize>(p * NR) * F32;
      storeRow8(o, c0l, c0h, colsLeft, act);
      if (q + 1 < pixels) storeRow8(o + outRow, c1l, c1h, colsLeft, act);
      if (q + 2 < pixels) storeRow8(o + 2 * outRow, c2l, c2h, colsLeft, act);
      if (q + 3 < pixels) storeRow8(o + 3 * outRow, c3l, c3h, colsLeft, act);
    }
  }
}

export function conv__scalar(g: ConvGeometry, input: usize, packed: usize, output: usize, zero: usize): void {
  const pixels = g.outH * g.outW;
  const cols = g.outChannels;
  const depth = g.kH * g.kW * g.inChannels;
  const panelFloats = (depth + 1) * NR;
  let out = output;
  for (let q = 0; q < pixels; q++) {
    for (let col = 0; col < cols; col++) {
      let w = packed + <usize>((col / NR) * panelFloats + (col % NR)) * F32;
      let acc = load<f32>(w);
      for (let ky = 0; ky < g.kH; ky++) {
        for (let kx = 0; kx < g.kW; kx++) {
          const x = tapPixel(g, input, zero, q, ky, kx);
          for (let c = 0; c < g.inChannels; c++) {
            w += <usize>NR * F32;
            acc += load<f32>(x + <usize>c * F32) * load<f32>(w);
          }
        }
      }
      store<f32>(out, activate(acc, g.activation));
      out += F32;
    }
  }
}

/** One image of conv2d with the best kernel of this build; `zero` holds inChannels zeros. */
export function conv2d(g: ConvGeometry, input: usize, packed: usize, output: usize, zero: usize): void {
  if (ASC_FEATURE_SIMD) conv_4x8__simd128(g, input, packed, output, zero);
  else conv__scalar(g, input, packed, output, zero);
}
