// Pointwise (1x1) convolution as a GEMM: output[rows][cols] = act(input[rows][depth] x W + bias).
// The tiles are generated (./tiles.ts); which one runs is the caller's choice, made once per
// layer by the wrapper's dispatch table (src/dispatch.ts), because the best tile differs by
// engine for the same wasm: V8 11.3 spills the 12 accumulators of 6x8, V8 15 does not.

import { GEMM_2X16, GEMM_2X4, GEMM_4X8, GEMM_6X8 } from "../abi";
import { gemm_2x16, gemm_2x4, gemm_4x8, gemm_6x8 } from "./tiles";

/**
 * output[rows][cols] = act(input[rows][depth] x packed + bias) with GEMM microkernel `tile` (an
 * id of ../abi). Row r of the input starts at input + r * inStride floats, row r of the output at
 * output + r * outStride floats (strides >= depth and >= cols: a GEMM can read or write a slice of
 * wider rows, e.g. a channel range of a concatenation). The scalar build has one tile (2x4) and runs it whatever `tile` says; the
 * SIMD builds run 4x8 for an id that is not theirs. Returns the id of the tile that ran.
 */
export function gemm(
  tile: i32, input: usize, rows: i32, depth: i32, inStride: i32, packed: usize, cols: i32, output: usize,
  outStride: i32, act: i32,
): i32 {
  // Returns the id of the tile that ran (what the wrapper's testers check).
  if (!ASC_FEATURE_SIMD) {
    gemm_2x4(input, rows, depth, inStride, packed, cols, output, outStride, act);
    return GEMM_2X4;
  }
  if (tile == GEMM_2X16) {
    gemm_2x16(input, rows, depth, inStride, packed, cols, output, outStride, act);
    return GEMM_2X16;
  }
  if (tile == GEMM_6X8) {
    gemm_6x8(input, rows, depth, inStride, packed, cols, output, outStride, act);
    return GEMM_6X8;
  }
  gemm_4x8(input, rows, depth, inStride, packed, cols, output, outStride, act);
  return GEMM_4X8;
}

/** The GEMM microkernel `gemm` runs for `tile` in this build (what the wrapper names). */
export function gemmKernel(tile: i32): i32 {
  if (!ASC_FEATURE_SIMD) return GEMM_2X4;
  return tile == GEMM_2X16 || tile == GEMM_6X8 ? tile : GEMM_4X8;
}
