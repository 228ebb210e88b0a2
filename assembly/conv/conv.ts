// Standard convolution as a GEMM: the filter [kH, kW, Cin, Cout] is packed like a
// [kH*kW*Cin, Cout] GEMM matrix in (ky, kx, c) order. In SIMD, quads of output pixels whose
// horizontal taps lie inside the image read their receptive fields in place, one contiguous
// segment of kW*Cin floats per kernel row (an indirect GEMM: no copies); border pixels have their
// fields gathered (zeros for padding taps) into 4 contiguous rows of a small scratch first. The
// scalar build gathers every field and runs its GEMM tile.

import { F32 } from "../common";
import { CONV_GATHER4_2X4, CONV_IGEMM_4X8, ConvGeometry } from "../abi";
import { conv_igemm_4x8_rows, gemm_2x4, gemm_4x8_rows } from "../gemm/tiles";
import { NR } from "../gemm/pack";

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

/** Gathers output pixels [q0, q1) of one row (at most 4) and runs the 4x8 tile over them. */
// @ts-ignore: decorator
@inline function gatheredPixels(
  g: ConvGeometry, input: usize, packed: usize, output: usize, zero: usize, scratch: usize, q0: i32, q1: i32,
): void {
  const depth = g.kH * g.kW * g.inChannels;
  const rowBytes = <usize>depth * F32;
  const outRow = <usize>g.outChannels * F32;
  const valid = q1 - q0;
  // Rows past the last pixel repeat it, so the microkernel needs no row branch.
  for (let i = 0; i < 4; i++) gatherField(g, input, zero, q0 + min<i32>(i, valid - 1), scratch + <usize>i * rowBytes);
  const x0 = scratch, x1 = scratch + rowBytes, x2 = scratch + 2 * rowBytes, x3 = scratch + 3 * rowBytes;
  const panels = (g.outChannels + NR - 1) / NR;
  const panelBytes = <usize>(depth + 1) * NR * F32;
  const out = output + <usize>q0 * outRow;
  for (let p = 0; p < panels; p++) {
    gemm_4x8_rows(x0, x1, x2, x3, valid, depth, packed, panelBytes, p, g.outChannels, out, outRow, g.activation);
  }
}

/**
 * conv2d in SIMD as an indirect GEMM: quads of output pixels whose horizontal taps all lie
 * inside the image (undilated in x) read their fields in place (conv_igemm_4x8_rows); the border
 * pixels, and every pixel of an x-dilated window, are gathered first. `zero` holds kW * Cin
 * zeros, `scratch` 4 rows of kH*kW*Cin floats plus 16 bytes.
 */
export function conv_igemm_4x8__simd128(
  g: ConvGeometry, input: usize, packed: usize, output: usize, zero: usize, scratch: usize, rowBegin: i32, rowEnd: i32,
): void {
  const outW = g.outW, sW = g.strideW, padLeft = g.padLeft;
  const pixelBytes = <usize>g.inChannels * F32;
  const rowBytes = <usize>g.inW * pixelBytes;
  const outRow = <usize>g.outChannels * F32;
  const depth = g.kH * g.kW * g.inChannels;
  const panels = (g.outChannels + NR - 1) / NR;
  const panelBytes = <usize>(depth + 1) * NR * F32;
  // Output columns whose kW taps all fall inside the image: [begin, end).
  let begin = outW, end = outW;
  if (g.dilationW == 1) {
    begin = min<i32>((padLeft + sW - 1) / sW, outW);
    const lastFull = g.inW - g.kW + padLeft;
    end = lastFull < 0 ? begin : max<i32>(begin, min<i32>(outW, lastFull / sW + 1));
  }
  for (let oy = rowBegin; oy < rowEnd; oy++) {
    const q = oy * outW;
    const iyTop = oy * g.strideH - g.padTop;
    for (let ox = 0; ox < begin; ox += 4) gatheredPixels(g, input, packed, output, zero, scratch, q + ox, q + min<i32>(ox + 4, begin));
    let ox = begin;
    for (; ox + 4 <= end; ox += 4) {
      const rowPtr = input + <usize>(ox * sW - padLeft) * pixelBytes;
      const out = output + <usize>(q + ox) * outRow;
      for (let p = 0; p < panels; p++) {
        conv_igemm_4x8_rows(
          rowPtr, <usize>sW * pixelBytes, zero, iyTop, g.dilationH, g.inH, rowBytes, g.kH, g.kW * g.inChannels,
          packed, panelBytes, p, g.outChannels, out, outRow, g.activation,
        );
      }
    }
    for (; ox < outW; ox += 4) gatheredPixels(g, input, packed, output, zero, scratch, q + ox, q + min<i32>(ox + 4, outW));
  }
}

/**
 * The scalar build: 4 receptive fields gathered as for SIMD, then the scalar GEMM's 2x4 tile
 * over them (the gather is 1/Cout of the work; walking taps per output was 9x slower).
 */
export function conv_gather4_2x4__scalar(
  g: ConvGeometry, input: usize, packed: usize, output: usize, zero: usize, scratch: usize, rowBegin: i32, rowEnd: i32,
): void {
  const pixels = rowEnd * g.outW;
  const depth = g.kH * g.kW * g.inChannels;
  const rowBytes = <usize>depth * F32;
  const outRow = <usize>g.outChannels * F32;
  for (let q = rowBegin * g.outW; q < pixels; q += 4) {
    const valid = min<i32>(pixels - q, 4);
    for (let i = 0; i < valid; i++) gatherField(g, input, zero, q + i, scratch + <usize>i * rowBytes);
    gemm_2x4(scratch, valid, depth, depth, packed, g.outChannels, output + <usize>q * outRow, g.outChannels, g.activation);
  }
}

/** The conv2d microkernel (an id of ../abi) this build runs. */
export function conv2dKernel(): i32 {
  return ASC_FEATURE_SIMD ? CONV_IGEMM_4X8 : CONV_GATHER4_2X4;
}

/**
 * Output rows [rowBegin, rowEnd) of one image of conv2d with the kernel conv2dKernel names, into
 * `output` (the whole image's output: row rowBegin goes where it belongs). `zero` holds
 * kW * inChannels zeros (read only) and `scratch` 4 * kH * kW * inChannels floats plus 16 bytes,
 * one per thread running rows of the same image.
 */
export function conv2d(
  g: ConvGeometry, input: usize, packed: usize, output: usize, zero: usize, scratch: usize, rowBegin: i32, rowEnd: i32,
): i32 {
  // Returns the id of the kernel that ran (what the wrapper's testers check).
  if (ASC_FEATURE_SIMD) {
    conv_igemm_4x8__simd128(g, input, packed, output, zero, scratch, rowBegin, rowEnd);
    return CONV_IGEMM_4X8;
  }
  conv_gather4_2x4__scalar(g, input, packed, output, zero, scratch, rowBegin, rowEnd);
  return CONV_GATHER4_2X4;
}
