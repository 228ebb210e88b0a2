// Fused depthwise -> pointwise: the depthwise output is produced a band of rows at a time
// into a small scratch buffer that stays in cache, and the pointwise GEMM consumes the band
// right away. The full intermediate tensor is never written.

import { F32 } from "../common";
import { DwGeometry, dwconvRows } from "../dwconv";
import { gemm } from "../gemm/gemm";

/**
 * One image: depthwise (geometry g, its activation) then pointwise to `outChannels` with
 * `pointwiseActivation` by GEMM microkernel `gemmTile`. `scratch` holds bandRows * outW * channels * multiplier floats, `rows` the depthwise kernel's row pointers.
 */
export function separable(
  gemmTile: i32, g: DwGeometry, input: usize, depthwisePacked: usize, zeroRow: usize,
  pointwisePacked: usize, outChannels: i32, pointwiseActivation: i32,
  outH: i32, bandRows: i32, scratch: usize, output: usize, rows: usize,
): void {
  const depth = g.channels * g.multiplier;
  const outRowBytes = <usize>g.outW * outChannels * F32;
  for (let rowBegin = 0; rowBegin < outH; rowBegin += bandRows) {
    const rowEnd = min<i32>(rowBegin + bandRows, outH);
    dwconvRows(g, input, depthwisePacked, scratch, rowBegin, rowEnd, zeroRow, rows);
    gemm(
      gemmTile, scratch, (rowEnd - rowBegin) * g.outW, depth, pointwisePacked, outChannels,
      output + <usize>rowBegin * outRowBytes, pointwiseActivation,
    );
  }
}
