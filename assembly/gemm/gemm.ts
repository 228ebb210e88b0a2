// Pointwise (1x1) convolution as a GEMM: output[rows][cols] = input[rows][depth] x W[depth][cols].
//
// The SIMD microkernel computes a 4x8 tile in 8 accumulators: per k step it loads two packed
// weight vectors and broadcasts one input value per row. Rows past the end re-read the last
// row (so the loop has no row branch) and are not stored.

import { F32, activate, madd } from "../common";
import { GEMM_1X1, GEMM_4X8 } from "../kernels";
import { NR } from "./pack";
import { storeRow8 } from "./store";

/**
 * Output rows x0..x3 (`valid` of them are stored) of act(X x packed + bias) for the panels of
 * 8 columns [panelBegin, panelEnd). Shared by the pointwise GEMM and by conv2d, which gathers
 * its rows first.
 */
// @ts-ignore: decorator
@inline export function rowQuad4x8(
  x0: usize, x1: usize, x2: usize, x3: usize, valid: i32, depth: i32, packed: usize, cols: i32, out: usize, act: i32,
  panelBegin: i32, panelEnd: i32,
): void {
  const outRow = <usize>cols * F32;
  const panelBytes = <usize>(depth + 1) * NR * F32;
  for (let p = panelBegin; p < panelEnd; p++) {
    let w = packed + <usize>p * panelBytes;
    let c0l = v128.load(w), c0h = v128.load(w, 16);
    let c1l = c0l, c1h = c0h, c2l = c0l, c2h = c0h, c3l = c0l, c3h = c0h;
    w += <usize>NR * F32;
    // Walk the four rows with their own pointers: indexed addressing (row + k) would need
    // more general registers than V8 has free and it spills them in the hot loop.
    let a0 = x0, a1 = x1, a2 = x2, a3 = x3;
    const end = w + <usize>depth * NR * F32;
    while (w < end) {
      const wl = v128.load(w), wh = v128.load(w, 16);
      const s0 = v128.load32_splat(a0);
      c0l = madd(s0, wl, c0l); c0h = madd(s0, wh, c0h);
      const s1 = v128.load32_splat(a1);
      c1l = madd(s1, wl, c1l); c1h = madd(s1, wh, c1h);
      const s2 = v128.load32_splat(a2);
      c2l = madd(s2, wl, c2l); c2h = madd(s2, wh, c2h);
      const s3 = v128.load32_splat(a3);
      c3l = madd(s3, wl, c3l); c3h = madd(s3, wh, c3h);
      a0 += F32; a1 += F32; a2 += F32; a3 += F32;
      w += <usize>NR * F32;
    }
    const colsLeft = cols - p * NR;
    const o = out + <usize>(p * NR) * F32;
    storeRow8(o, c0l, c0h, colsLeft, act);
    if (valid > 1) storeRow8(o + outRow, c1l, c1h, colsLeft, act);
    if (valid > 2) storeRow8(o + 2 * outRow, c2l, c2h, colsLeft, act);
    if (valid > 3) storeRow8(o + 3 * outRow, c3l, c3h, colsLeft, act);
  }
}

/** Packed weights above this size are walked one panel at a time over all rows (see below). */
const PANEL_MAJOR_BYTES: usize = 256 << 10;

export function gemm_4x8__simd128(
  input: usize, rows: i32, depth: i32, packed: usize, cols: i32, output: usize, act: i32,
): void {
  const inRow = <usize>depth * F32;
  const outRow = <usize>cols * F32;
  const panels = (cols + NR - 1) / NR;
  const last = rows - 1;
  // Small weights stay in cache while each 4 rows sweep every panel. Weights larger than the
  // L2 share would then stream from memory once per 4 rows (7x7x1024 -> 1024: 4 MiB x 13), so
  // those go panel by panel: each panel (depth x 8 floats) is read once and the rows, which
  // are few when the weights are large, come from cache.
  const panelStep = <usize>panels * (depth + 1) * NR * F32 > PANEL_MAJOR_BYTES ? 1 : panels;
  for (let p = 0; p < panels; p += panelStep) {
    const panelEnd = min<i32>(p + panelStep, panels);
    for (let r = 0; r < rows; r += 4) {
      const x0 = input + <usize>r * inRow;
      const x1 = input + <usize>min<i32>(r + 1, last) * inRow;
      const x2 = input + <usize>min<i32>(r + 2, last) * inRow;
      const x3 = input + <usize>min<i32>(r + 3, last) * inRow;
      rowQuad4x8(x0, x1, x2, x3, rows - r, depth, packed, cols, output + <usize>r * outRow, act, p, panelEnd);
    }
  }
}

export function gemm__scalar(
  input: usize, rows: i32, depth: i32, packed: usize, cols: i32, output: usize, act: i32,
): void {
  const panelFloats = (depth + 1) * NR;
  for (let r = 0; r < rows; r++) {
    const x = input + <usize>r * depth * F32;
    const out = output + <usize>r * cols * F32;
    for (let col = 0; col < cols; col++) {
      // Weight (k, col) sits in panel col/NR, slot k+1, lane col%NR.
      const w = packed + <usize>((col / NR) * panelFloats + (col % NR)) * F32;
      let acc = load<f32>(w);
      for (let k = 0; k < depth; k++) {
        acc += load<f32>(x + <usize>k * F32) * load<f32>(w + <usize>((k + 1) * NR) * F32);
      }
      store<f32>(out + <usize>col * F32, activate(acc, act));
    }
  }
}

/** The GEMM microkernel (an id of ../kernels) this build runs. */
export function gemmKernel(): i32 {
  return ASC_FEATURE_SIMD ? GEMM_4X8 : GEMM_1X1;
}

/** output[rows][cols] = act(input[rows][depth] x packed + bias), with the kernel gemmKernel names. */
export function gemm(input: usize, rows: i32, depth: i32, packed: usize, cols: i32, output: usize, act: i32): void {
  if (ASC_FEATURE_SIMD) gemm_4x8__simd128(input, rows, depth, packed, cols, output, act);
  else gemm__scalar(input, rows, depth, packed, cols, output, act);
}
