// Depthwise convolution fast path: square 3x3 or 5x5 kernels at stride 1 or 2 and 7x7 at
// stride 1, no dilation, multiplier 1 (every depthwise layer of MobileNet v1/v2/v3, and the
// 7x7 layers of ConvNeXt-style networks).
//
// Rows above or below the image point at a shared zero row, so the row loop needs no
// y-branches. Columns are split into left border, interior and right border; the interior
// computes 4 neighbouring outputs at once so they share input loads, the borders go through
// a per-pixel path that skips the taps outside the image.

import { F32, activate4, endTapInside, firstTapInside, madd, storeLanes } from "../common";
import { DwGeometry } from "../abi";
import { quad3x3s1, quad3x3s2, quad5x5s1, quad5x5s2, quad7x7s1 } from "./quads";
import { rowAt } from "./rows";

/** acc + x * w for tap kx of a row when that tap is inside the image [kxLo, kxHi); else acc. */
// @ts-ignore: decorator
@inline function tap(acc: v128, row: usize, weights: usize, kx: i32, kxLo: i32, kxHi: i32, col: usize): v128 {
  // A clipped tap is skipped; for a non-finite w the layer then sets the NaN that 0 * w gives
  // (src/ops/padded-taps.ts), as the zero row above and below the image gives it here.
  if (kx < kxLo || kx >= kxHi) return acc;
  return madd(v128.load(row + <usize>kx * col), v128.load(weights + <usize>kx * 16), acc);
}

/**
 * One output pixel whose taps [kxLo, kxHi) lie inside the image (a border pixel, or an interior
 * pixel left over after the quads). The K taps of a row are written out so V8 sees
 * straight-line code; called with constant kxLo/kxHi, the clip tests fold away.
 */
// @ts-ignore: decorator
@inline function pixelTaps(
  rows: usize, ixLeft: i32, kxLo: i32, kxHi: i32, K: i32, firstBlock: i32, blocks: i32, channels: i32, packed: usize,
  out: usize, act: i32,
): void {
  const col = <usize>channels * F32;
  const blockBytes = <usize>(K * K + 1) * 16;
  // Column 0 may lie left of the image; only clipped taps would read it, and those are skipped.
  const left = <isize>ixLeft * <isize>col;
  for (let b = firstBlock; b < blocks; b++) {
    const weights = packed + <usize>b * blockBytes;
    const channelOffset = <usize>b * 16;
    let acc = v128.load(weights);
    for (let ky = 0; ky < K; ky++) {
      const row = <usize>(<isize>(rowAt(rows, ky) + channelOffset) + left);
      const w = weights + 16 + <usize>(ky * K) * 16;
      acc = tap(acc, row, w, 0, kxLo, kxHi, col);
      acc = tap(acc, row, w, 1, kxLo, kxHi, col);
      acc = tap(acc, row, w, 2, kxLo, kxHi, col);
      if (K >= 5) {
        acc = tap(acc, row, w, 3, kxLo, kxHi, col);
        acc = tap(acc, row, w, 4, kxLo, kxHi, col);
      }
      if (K == 7) {
        acc = tap(acc, row, w, 5, kxLo, kxHi, col);
        acc = tap(acc, row, w, 6, kxLo, kxHi, col);
      }
    }
    storeLanes(out + channelOffset, activate4(acc, act), channels - (b << 2));
  }
}

/**
 * One output pixel whose taps may be clipped by the left or right edge. The tap range is the
 * same for every channel block, so the common ranges (the whole kernel, and the border
 * columns of 'same' padding) get their own loops without per-tap tests; only odd ones (an
 * image narrower than the kernel) test each tap.
 */
// @ts-ignore: decorator
@inline function clippedPixel(
  rows: usize, ixLeft: i32, inW: i32, K: i32, blocks: i32, channels: i32, packed: usize, out: usize, act: i32,
): void {
  const kxLo = firstTapInside(ixLeft, 1);
  const kxHi = endTapInside(ixLeft, 1, inW, K);
  if (kxLo == 0 && kxHi == K) pixelTaps(rows, ixLeft, 0, K, K, 0, blocks, channels, packed, out, act);
  else if (kxLo == 1 && kxHi == K) pixelTaps(rows, ixLeft, 1, K, K, 0, blocks, channels, packed, out, act);
  else if (K >= 5 && kxLo == 2 && kxHi == K) pixelTaps(rows, ixLeft, 2, K, K, 0, blocks, channels, packed, out, act);
  else if (K == 7 && kxLo == 3 && kxHi == K) pixelTaps(rows, ixLeft, 3, K, K, 0, blocks, channels, packed, out, act);
  else if (kxLo == 0 && kxHi == K - 1) pixelTaps(rows, ixLeft, 0, K - 1, K, 0, blocks, channels, packed, out, act);
  else if (K >= 5 && kxLo == 0 && kxHi == K - 2) pixelTaps(rows, ixLeft, 0, K - 2, K, 0, blocks, channels, packed, out, act);
  else if (K == 7 && kxLo == 0 && kxHi == K - 3) pixelTaps(rows, ixLeft, 0, K - 3, K, 0, blocks, channels, packed, out, act);
  else pixelTaps(rows, ixLeft, kxLo, kxHi, K, 0, blocks, channels, packed, out, act);
}

/** Four interior outputs starting at input column ixLeft, all taps inside the image (./quads.ts). */
// @ts-ignore: decorator
@inline function interiorQuad(
  rows: usize, ixLeft: i32, K: i32, S: i32, fullBlocks: i32, channels: i32, packed: usize, out: usize, act: i32,
): void {
  if (K == 3 && S == 1) quad3x3s1(rows, ixLeft, fullBlocks, channels, packed, out, act);
  else if (K == 3) quad3x3s2(rows, ixLeft, fullBlocks, channels, packed, out, act);
  else if (K == 5 && S == 1) quad5x5s1(rows, ixLeft, fullBlocks, channels, packed, out, act);
  else if (K == 5) quad5x5s2(rows, ixLeft, fullBlocks, channels, packed, out, act);
  else quad7x7s1(rows, ixLeft, fullBlocks, channels, packed, out, act);
}

// @ts-ignore: decorator
@inline function dwconvSquare(
  g: DwGeometry, input: usize, packed: usize, output: usize, rowBegin: i32, rowEnd: i32, zeroRow: usize, rows: usize,
  K: i32, S: i32,
): void {
  const channels = g.channels;
  const blocks = (channels + 3) >> 2;
  const fullBlocks = channels >> 2;
  const col = <usize>channels * F32;
  const rowBytes = <usize>g.inW * col;
  const inH = g.inH, inW = g.inW, outW = g.outW, padLeft = g.padLeft, act = g.activation;
  // Output columns whose K taps all fall inside the image: [interiorBegin, interiorEnd).
  const interiorBegin = min<i32>((padLeft + S - 1) / S, outW);
  const lastFull = inW - K + padLeft;
  const interiorEnd = lastFull < 0 ? interiorBegin : max<i32>(interiorBegin, min<i32>(outW, lastFull / S + 1));
  let out = output;
  for (let oy = rowBegin; oy < rowEnd; oy++) {
    const iyTop = oy * S - g.padTop;
    for (let ky = 0; ky < K; ky++) {
      const iy = iyTop + ky;
      store<usize>(rows + <usize>ky * sizeof<usize>(), iy >= 0 && iy < inH ? input + <usize>iy * rowBytes : zeroRow);
    }
    let ox = 0;
    for (; ox < interiorBegin; ox++) {
      clippedPixel(rows, ox * S - padLeft, inW, K, blocks, channels, packed, out + <usize>ox * col, act);
    }
    for (; ox + 4 <= interiorEnd; ox += 4) {
      interiorQuad(rows, ox * S - padLeft, K, S, fullBlocks, channels, packed, out + <usize>ox * col, act);
    }
    if (interiorEnd - ox >= 2 && interiorEnd - interiorBegin >= 4) {
      // A remainder of 2 or 3 interior outputs as one more quad moved left to end at
      // interiorEnd: it recomputes outputs (same values) but beats clipping them one by one.
      const start = interiorEnd - 4;
      interiorQuad(rows, start * S - padLeft, K, S, fullBlocks, channels, packed, out + <usize>start * col, act);
      ox = interiorEnd;
    }
    // The quads ran whole channel blocks; a partial last block of their pixels goes pixel by pixel.
    for (let px = interiorBegin; fullBlocks < blocks && px < ox; px++) {
      pixelTaps(rows, px * S - padLeft, 0, K, K, fullBlocks, blocks, channels, packed, out + <usize>px * col, act);
    }
    for (; ox < outW; ox++) {
      clippedPixel(rows, ox * S - padLeft, inW, K, blocks, channels, packed, out + <usize>ox * col, act);
    }
    out += <usize>outW * col;
  }
}

export function dwconv_3x3s1_c4__simd128(
  g: DwGeometry, input: usize, packed: usize, output: usize, rowBegin: i32, rowEnd: i32, zeroRow: usize, rows: usize,
): void {
  dwconvSquare(g, input, packed, output, rowBegin, rowEnd, zeroRow, rows, 3, 1);
}

export function dwconv_3x3s2_c4__simd128(
  g: DwGeometry, input: usize, packed: usize, output: usize, rowBegin: i32, rowEnd: i32, zeroRow: usize, rows: usize,
): void {
  dwconvSquare(g, input, packed, output, rowBegin, rowEnd, zeroRow, rows, 3, 2);
}

export function dwconv_5x5s1_c4__simd128(
  g: DwGeometry, input: usize, packed: usize, output: usize, rowBegin: i32, rowEnd: i32, zeroRow: usize, rows: usize,
): void {
  dwconvSquare(g, input, packed, output, rowBegin, rowEnd, zeroRow, rows, 5, 1);
}

export function dwconv_5x5s2_c4__simd128(
  g: DwGeometry, input: usize, packed: usize, output: usize, rowBegin: i32, rowEnd: i32, zeroRow: usize, rows: usize,
): void {
  dwconvSquare(g, input, packed, output, rowBegin, rowEnd, zeroRow, rows, 5, 2);
}

export function dwconv_7x7s1_c4__simd128(
  g: DwGeometry, input: usize, packed: usize, output: usize, rowBegin: i32, rowEnd: i32, zeroRow: usize, rows: usize,
): void {
  dwconvSquare(g, input, packed, output, rowBegin, rowEnd, zeroRow, rows, 7, 1);
}
