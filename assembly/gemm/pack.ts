// GEMM weight packing, shared by pointwise and conv2d (whose filter [kH, kW, Cin, Cout]
// is a [K = kH*kW*Cin, Cout] matrix in the same order as the indirect GEMM walks it).
//
// Layout: Cout in panels of NR = 8 columns; each panel is [bias x8][row 0 x8]...[row K-1 x8],
// so one k step reads two adjacent vectors. Columns past Cout are 0.

import { F32 } from "../common";

export const NR: i32 = 8;

/** Floats in the packed form of a [depth, cols] matrix. */
export function gemmPackedLength(depth: i32, cols: i32): i32 {
  return ((cols + NR - 1) / NR) * NR * (depth + 1);
}

/** Packs matrix [depth][cols] and optional bias (0 = none) into panels at `packed`. */
export function gemmPack(matrix: usize, bias: usize, depth: i32, cols: i32, packed: usize): void {
  const panels = (cols + NR - 1) / NR;
  let dst = packed;
  for (let p = 0; p < panels; p++) {
    for (let k = -1; k < depth; k++) {
      for (let j = 0; j < NR; j++) {
        const col = p * NR + j;
        let value: f32 = 0;
        if (col < cols) {
          if (k < 0) {
            if (bias) value = load<f32>(bias + <usize>col * F32);
          } else {
            value = load<f32>(matrix + (<usize>k * cols + col) * F32);
          }
        }
        store<f32>(dst, value);
        dst += F32;
      }
    }
  }
}
