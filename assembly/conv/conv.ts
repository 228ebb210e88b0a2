// Standard convolution as a GEMM: the filter [kH, kW, Cin, Cout] is packed like a
// [kH*kW*Cin, Cout] GEMM matrix. For each 4 output pixels the SIMD kernel gathers their
// receptive fields (zeros in the padding) into 4 contiguous rows of a small scratch, then runs
// the pointwise GEMM's 4x8 microkernel over them. The gather is a fraction 1/Cout of the
// multiply-adds, and it keeps the microkernel's inner loop long and contiguous even for the
// 3-channel first layer of a network, where walking taps directly was loop overhead.

import { F32 } from "../common";
import { CONV_GATHER4_2X4, CONV_GATHER4_4X8 } from "../kernels";
import { gemm_2x4, gemm_4x8_rows } from "../gemm/tiles";
import { NR } from "../gemm/pack";

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

/**
 * Copies the receptive field of output pixel q (kH*kW*Cin floats, zeros for padding taps) to
 * `row`. Copies go 4 floats at a time and may write up to 3 floats past a tap's end (the next
 * tap, or the scratch's slack, overwrites them) and read up to 3 past a pixel (the allocator
 * leaves 16 bytes of slack after every block).
 */
// @ts-ignore: decorator
@inline function gatherField(g: ConvGeometry, input: usize, zero: usize, q: i32, row: usize): void {
  const oy = q / g.outW;
  const ox = q - oy * g.outW;
  const pixelBytes = <usize>g.inChannels * F32;
  let dst = row;
  for (let ky = 0; ky < g.kH; ky++) {
    const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
    for (let kx = 0; kx < g.kW; kx++) {
      const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
      const inside = <u32>iy < <u32>g.inH && <u32>ix < <u32>g.inW;
      const src = inside ? input + (<usize>iy * g.inW + ix) * pixelBytes : zero;
      if (ASC_FEATURE_SIMD) {
        for (let k: usize = 0; k < pixelBytes; k += 16) v128.store(dst + k, v128.load(src + k));
      } else {
        memory.copy(dst, src, pixelBytes);
      }
      dst += pixelBytes;
    }
  }
}

/** `scratch` holds 4 rows of kH*kW*Cin floats plus 16 bytes; `zero` holds Cin zeros. */
export function conv_4x8__simd128(
  g: ConvGeometry, input: usize, packed: usize, output: usize, zero: usize, scratch: usize,
): void {
  const pixels = g.outH * g.outW;
  const depth = g.kH * g.kW * g.inChannels;
  const rowBytes = <usize>depth * F32;
  const outRow = <usize>g.outChannels * F32;
  for (let q = 0; q < pixels; q += 4) {
    const valid = min<i32>(pixels - q, 4);
    // Rows past the last pixel repeat it, so the microkernel needs no row branch.
    for (let i = 0; i < 4; i++) gatherField(g, input, zero, q + min<i32>(i, valid - 1), scratch + <usize>i * rowBytes);
    const x0 = scratch, x1 = scratch + rowBytes, x2 = scratch + 2 * rowBytes, x3 = scratch + 3 * rowBytes;
    const panels = (g.outChannels + NR - 1) / NR;
    const panelBytes = <usize>(depth + 1) * NR * F32;
    const out = output + <usize>q * outRow;
    for (let p = 0; p < panels; p++) {
      gemm_4x8_rows(x0, x1, x2, x3, valid, depth, packed, panelBytes, p, g.outChannels, out, outRow, g.activation);
    }
  }
}

/**
 * The scalar build: 4 receptive fields gathered as for SIMD, then the scalar GEMM's 2x4 tile
 * over them (the gather is 1/Cout of the work; walking taps per output was 9x slower).
 */
export function conv_gather4_2x4__scalar(
  g: ConvGeometry, input: usize, packed: usize, output: usize, zero: usize, scratch: usize,
): void {
  const pixels = g.outH * g.outW;
  const depth = g.kH * g.kW * g.inChannels;
  const rowBytes = <usize>depth * F32;
  const outRow = <usize>g.outChannels * F32;
  for (let q = 0; q < pixels; q += 4) {
    const valid = min<i32>(pixels - q, 4);
    for (let i = 0; i < valid; i++) gatherField(g, input, zero, q + i, scratch + <usize>i * rowBytes);
    gemm_2x4(scratch, valid, depth, packed, g.outChannels, output + <usize>q * outRow, g.activation);
  }
}

/** The conv2d microkernel (an id of ../kernels) this build runs. */
export function conv2dKernel(): i32 {
  return ASC_FEATURE_SIMD ? CONV_GATHER4_4X8 : CONV_GATHER4_2X4;
}

/**
 * One image of conv2d with the kernel conv2dKernel names; `zero` holds inChannels zeros and
 * `scratch` 4 * kH * kW * inChannels floats plus 16 bytes.
 */
export function conv2d(
  g: ConvGeometry, input: usize, packed: usize, output: usize, zero: usize, scratch: usize,
): void {
  if (ASC_FEATURE_SIMD) conv_4x8__simd128(g, input, packed, output, zero, scratch);
  else conv_gather4_2x4__scalar(g, input, packed, output, zero, scratch);
}
