// Depthwise entry point: runs the microkernel dwconvKernel picks for the window.

import {
  DWCONV_3X3S1_C4X4, DWCONV_3X3S2_C4X4, DWCONV_5X5S1_C4X4, DWCONV_5X5S2_C4X4, DWCONV_7X7S1_C4X4, DWCONV_GENERIC_C1,
  DWCONV_GENERIC_C4, DwGeometry,
} from "../abi";
import { dwconv_generic__scalar, dwconv_generic__simd128, dwconv_generic_c4__scalar } from "./generic";
import {
  dwconv_3x3s1_c4__simd128, dwconv_3x3s2_c4__simd128, dwconv_5x5s1_c4__simd128, dwconv_5x5s2_c4__simd128,
  dwconv_7x7s1_c4__simd128,
} from "./square";

/**
 * The microkernel (an id of ../abi) this build runs for a depthwise window: the 3x3/5x5
 * stride 1/2 and 7x7 stride 1 tiles take square, undilated windows with multiplier 1; the generic kernel the rest.
 */
export function dwconvKernel(
  kH: i32, kW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, multiplier: i32,
): i32 {
  if (!ASC_FEATURE_SIMD) return multiplier == 1 ? DWCONV_GENERIC_C4 : DWCONV_GENERIC_C1;
  if (kH != kW || strideH != strideW || dilationH != 1 || dilationW != 1 || multiplier != 1) return DWCONV_GENERIC_C4;
  if (kH == 3 && strideH == 1) return DWCONV_3X3S1_C4X4;
  if (kH == 3 && strideH == 2) return DWCONV_3X3S2_C4X4;
  if (kH == 5 && strideH == 1) return DWCONV_5X5S1_C4X4;
  if (kH == 5 && strideH == 2) return DWCONV_5X5S2_C4X4;
  if (kH == 7 && strideH == 1) return DWCONV_7X7S1_C4X4;
  return DWCONV_GENERIC_C4;
}

/**
 * Depthwise output rows [rowBegin, rowEnd) of one image into `output` (row rowBegin first).
 * `zeroRow` must hold inW*channels zeros (plus the usual 16 bytes of slack); `rows` is the
 * caller's room for kH row pointers (32 bytes), so that no kernel keeps state of its own.
 */
export function dwconvRows(
  g: DwGeometry, input: usize, packed: usize, output: usize, rowBegin: i32, rowEnd: i32, zeroRow: usize, rows: usize,
): i32 {
  // Each branch returns the id of the kernel it ran (what the wrapper's testers check), not
  // what the selector said.
  if (ASC_FEATURE_SIMD) {
    const kernel = dwconvKernel(g.kH, g.kW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.multiplier);
    if (kernel == DWCONV_3X3S1_C4X4) {
      dwconv_3x3s1_c4__simd128(g, input, packed, output, rowBegin, rowEnd, zeroRow, rows);
      return DWCONV_3X3S1_C4X4;
    }
    if (kernel == DWCONV_3X3S2_C4X4) {
      dwconv_3x3s2_c4__simd128(g, input, packed, output, rowBegin, rowEnd, zeroRow, rows);
      return DWCONV_3X3S2_C4X4;
    }
    if (kernel == DWCONV_5X5S1_C4X4) {
      dwconv_5x5s1_c4__simd128(g, input, packed, output, rowBegin, rowEnd, zeroRow, rows);
      return DWCONV_5X5S1_C4X4;
    }
    if (kernel == DWCONV_5X5S2_C4X4) {
      dwconv_5x5s2_c4__simd128(g, input, packed, output, rowBegin, rowEnd, zeroRow, rows);
      return DWCONV_5X5S2_C4X4;
    }
    if (kernel == DWCONV_7X7S1_C4X4) {
      dwconv_7x7s1_c4__simd128(g, input, packed, output, rowBegin, rowEnd, zeroRow, rows);
      return DWCONV_7X7S1_C4X4;
    }
    dwconv_generic__simd128(g, input, packed, output, rowBegin, rowEnd);
    return DWCONV_GENERIC_C4;
  }
  if (g.multiplier == 1) {
    dwconv_generic_c4__scalar(g, input, packed, output, rowBegin, rowEnd);
    return DWCONV_GENERIC_C4;
  }
  dwconv_generic__scalar(g, input, packed, output, rowBegin, rowEnd);
  return DWCONV_GENERIC_C1;
}
