// The names of the microkernels a layer runs, by one grammar: op, then shape and tile, then the
// instruction set of the build, e.g. dwconv_3x3s2_c4x4__wasmrelaxedsimd (a 3x3 stride-2
// depthwise tile of 4 channels by 4 output pixels), gemm_4x8__wasmsimd (4 rows by 8 columns),
// gemm_2x4__scalar. The builds report which kernel they run as an id (assembly/abi.ts, generated
// with src/abi.generated.ts's KERNEL_NAMES by scripts/gen-abi.mjs);
// the js backend runs the plain-JS reference (`__js`). Exposed as layer.kernels and per step
// in model.describe(), so a test can tell which kernel a geometry selects.

import { KERNEL_NAMES } from "./abi.generated.js";
import type { Runtime, WasmBackend } from "./runtime.js";
import type { Geometry } from "./shapes.js";

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

/** The pooling kernel of this build: max or average. */
export function poolKernelName(rt: Runtime, kind: "max" | "avg"): string {
  const simd = rt.backend !== "scalar";
  return named(rt, KERNEL_NAMES.indexOf(`${kind}pool_c${simd ? 4 : 1}`));
}

/** The elementwise kernel of an add, a gated multiply or a sigmoid. */
export function elementwiseKernelName(rt: Runtime, kind: "add" | "mul" | "sigmoid"): string {
  return named(rt, KERNEL_NAMES.indexOf(`${kind}_c4`));
}

/** What the js backend runs for each op: the plain-JS reference kernels. */
export const REFERENCE_KERNELS = {
  depthwise: "dwconv_reference__js",
  conv: "conv_reference__js",
  gemm: "gemm_reference__js",
} as const;
