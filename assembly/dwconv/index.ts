// Depthwise entry point: picks the fastest implementation this build has for the geometry.

import { DwGeometry, dwconv_generic__scalar, dwconv_generic__simd128 } from "./generic";
import {
  dwconv_3x3s1_c4__simd128, dwconv_3x3s2_c4__simd128, dwconv_5x5s1_c4__simd128, dwconv_5x5s2_c4__simd128,
} from "./square";

export { DwGeometry };

/**
 * Depthwise output rows [rowBegin, rowEnd) of one image into `output` (row rowBegin first).
 * `zeroRow` must hold inW*channels zeros (plus the usual 16 bytes of slack).
 */
export function dwconvRows(
  g: DwGeometry, input: usize, packed: usize, output: usize, rowBegin: i32, rowEnd: i32, zeroRow: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    const square = g.kH == g.kW && g.strideH == g.strideW && g.dilationH == 1 && g.dilationW == 1 && g.multiplier == 1;
    const k = g.kH, s = g.strideH;
    if (square && k == 3 && s == 1) dwconv_3x3s1_c4__simd128(g, input, packed, output, rowBegin, rowEnd, zeroRow);
    else if (square && k == 3 && s == 2) dwconv_3x3s2_c4__simd128(g, input, packed, output, rowBegin, rowEnd, zeroRow);
    else if (square && k == 5 && s == 1) dwconv_5x5s1_c4__simd128(g, input, packed, output, rowBegin, rowEnd, zeroRow);
    else if (square && k == 5 && s == 2) dwconv_5x5s2_c4__simd128(g, input, packed, output, rowBegin, rowEnd, zeroRow);
    else dwconv_generic__simd128(g, input, packed, output, rowBegin, rowEnd);
  } else {
    dwconv_generic__scalar(g, input, packed, output, rowBegin, rowEnd);
  }
}
