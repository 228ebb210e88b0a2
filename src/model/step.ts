// What every executable op of a loaded model looks like, on any backend.

import type { Plan } from "./plan.js";

/** Where activations live during one predict: `mem` holds the arena from index `base`. */
export interface Arena {
  /** The wasm memory as floats (re-read before every predict: growth replaces it), or a JS array. */
  mem: Float32Array;
  /** Float index of the arena's first element in mem. */
  base: number;
  /** Byte address of the arena in wasm memory (0 on the JS backend). */
  ptr: number;
  /** Byte addresses of the shared scratch, zero and row-pointer blocks (wasm only). */
  scratch: number;
  zeros: number;
  rows: number;
}

/** Scratch and zero floats a step needs while it runs (shared by all steps, sized to the largest). */
export interface Needs {
  scratch: number;
  zeros: number;
}

export interface Step {
  /** The microkernels run() calls, by name (src/kernel-names.ts); none for the JS passes. */
  readonly kernels: readonly string[];
  /** Sizes the step for a plan (geometry, bands); called once per input shape. */
  bind(plan: Plan, arena: Arena): Needs;
  /** Runs one predict's worth; allocates nothing on the wasm backends. */
  run(arena: Arena): void;
  dispose(): void;
}

export const NO_NEEDS: Needs = { scratch: 0, zeros: 0 };
