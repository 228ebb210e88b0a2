// Shared by the microkernel testers: run a prepared layer on one case, check that the layer
// selected the kernel under test, and compare its output with the plain-JS reference.

import { expect } from "vitest";
import type { Backend, Layer, Tensor } from "../../src/index.js";
import { expectClose } from "../helpers.js";

const ISA: Record<Backend, string> = {
  scalar: "scalar",
  simd: "wasmsimd",
  "relaxed-simd": "wasmrelaxedsimd",
  js: "js",
};

/** The full name of kernel `base` (e.g. "gemm_4x8") in `build`. */
export function kernelIn(base: string, build: Backend): string {
  return `${base}__${ISA[build]}`;
}

/** Runs `layer` on x, checks that `kernel` is among what it runs, and compares with `want`. */
export function checkKernel(
  layer: Layer,
  kernel: string,
  x: Tensor,
  want: Tensor,
  reduction: number,
  label: string,
): void {
  try {
    expect(layer.kernels, `${label}: kernels`).toContain(kernel);
    expectClose(layer.run(x), want, reduction, label);
  } finally {
    layer.dispose();
  }
}
