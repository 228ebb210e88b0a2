// Shared by the microkernel testers: run a prepared layer on one case, check that the layer
// selected the kernel under test and that the wasm actually ran it (each entry point returns the
// id of the kernel it ran, recorded here), and compare its output with the plain-JS reference.

import { expect } from "vitest";
import { KERNEL_NAMES } from "../../src/abi.generated.js";
import type { Backend, Layer, Tensor } from "../../src/index.js";
import { activeRuntime } from "../../src/init.js";
import type { Kernels } from "../../src/runtime.js";
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

/** Runs fn with the active build's entry points wrapped, returning the names of the kernels that ran. */
export function kernelsRun(fn: () => void): string[] {
  const rt = activeRuntime("kernelsRun");
  if (!rt) {
    fn();
    return [];
  }
  const ran = new Set<string>();
  const name = (id: number) => kernelIn(KERNEL_NAMES[id] ?? `unknown_${id}`, rt.backend);
  const real = rt.kernels;
  // A copy: the instance's exports object is frozen.
  const spied: Kernels = { ...real };
  const record = (ids: number[]) => {
    for (const id of ids) ran.add(name(id));
  };
  // The entry points that return the id of the one kernel they ran.
  const single = [
    "gemm",
    "dwconvRows",
    "conv2d",
    "pool2d",
    "add2",
    "mulGate",
    "resize2d",
    "imageBilinearU8",
    "sigmoid",
  ] as const;
  for (const entry of single) {
    const original = real[entry] as (...args: number[]) => number;
    (spied as unknown as Record<string, (...args: number[]) => number>)[entry] = (...args) => {
      const id = original(...args);
      record([id]);
      return id;
    };
  }
  spied.chain = (...args) => {
    const ids = real.chain(...args);
    const expand = (ids >>> 16) & 0xff;
    record([ids & 0xff, (ids >>> 8) & 0xff, ...(expand === 0xff ? [] : [expand])]);
    return ids;
  };
  const writable = rt as { kernels: Kernels };
  writable.kernels = spied;
  try {
    fn();
  } finally {
    writable.kernels = real;
  }
  return [...ran];
}

/**
 * Runs `layer` on x, checks that `kernel` is among what it says it runs and among what the wasm
 * ran, and compares with `want`.
 */
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
    let got: Tensor | undefined;
    const ran = kernelsRun(() => {
      got = layer.run(x);
    });
    if (!kernel.endsWith("__js")) expect(ran, `${label}: kernels that ran`).toContain(kernel);
    expectClose(got as Tensor, want, reduction, label);
  } finally {
    layer.dispose();
  }
}
