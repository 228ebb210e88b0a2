// The names of the microkernels a layer runs, by one grammar: op, then shape and tile, then the
// instruction set of the build, e.g. dwconv_3x3s2_c4x4__wasmrelaxedsimd (a 3x3 stride-2
// depthwise tile of 4 channels by 4 output pixels), gemm_4x8__wasmsimd (4 rows by 8 columns),
// gemm_2x4__scalar. The builds report which kernel they run as an id (assembly/kernels.ts);
// the js backend runs the plain-JS reference (`__js`). Exposed as layer.kernels and per step
// in model.describe(), so a test can tell which kernel a geometry selects.

import type { Runtime, WasmBackend } from "./runtime.js";
import type { Geometry } from "./shapes.js";

/** By id, in the order of assembly/kernels.ts. */
const KERNEL_NAMES = [
  "dwconv_generic_c1",
  "dwconv_generic_c4",
  "dwconv_3x3s1_c4x4",
  "dwconv_3x3s2_c4x4",
  "dwconv_5x5s1_c4x4",
  "dwconv_5x5s2_c4x4",
  "gemm_2x4",
  "gemm_4x8",
  "conv_gather4_2x4",
  "conv_igemm_4x8",
  "gemm_2x16",
  "gemm_6x8",
  "dwconv_7x7s1_c4x4",
] as const;

const ISA: Record<WasmBackend, string> = { scalar: "scalar", simd: "wasmsimd", "relaxed-simd": "wasmrelaxedsimd" };

function named(rt: Runtime, id: number): string {
  const name = KERNEL_NAMES[id];
  if (name === undefined) throw new Error(`sepconv: internal error: the ${rt.backend} build reports kernel ${id}`);
  return `${name}__${ISA[rt.backend]}`;
}

/** A depthwise window, as the kernels select on it. */
export type DepthwiseWindow = Pick<Geometry, "kH" | "kW" | "strideH" | "strideW" | "dilationH" | "dilationW"> & {
  multiplier: number;
};

export function dwconvKernelName(rt: Runtime, w: DepthwiseWindow): string {
  return named(rt, rt.kernels.dwconvKernel(w.kH, w.kW, w.strideH, w.strideW, w.dilationH, w.dilationW, w.multiplier));
}

/** The name of what gemm runs for tile id `tile` (a layer's Runtime.gemmTile, taken when it was made). */
export function gemmKernelName(rt: Runtime, tile: number): string {
  return named(rt, rt.kernels.gemmKernel(tile));
}

export function conv2dKernelName(rt: Runtime): string {
  return named(rt, rt.kernels.conv2dKernel());
}

/** What the js backend runs for each op: the plain-JS reference kernels. */
export const REFERENCE_KERNELS = {
  depthwise: "dwconv_reference__js",
  conv: "conv_reference__js",
  gemm: "gemm_reference__js",
} as const;
