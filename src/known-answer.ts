// A known-answer run of the real layers: some engines validate SIMD yet compute it wrongly,
// so a build is only used after it reproduces the reference on a small separable block and
// a strided conv (this also warms the kernels up).

import { ConvLayer } from "./ops/conv-layer.js";
import { SeparableLayer } from "./ops/separable-layer.js";
import { convKernel, separableKernel } from "./reference/kernels.js";
import type { Runtime } from "./runtime.js";
import { geometry } from "./shapes.js";
import { convSpec, separableSpec } from "./specs.js";
import type { Tensor } from "./types.js";

/** A deterministic tensor in [-1, 1] (also the threads' start-up check's). */
export function pattern(shape: number[], seed: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (((i * 37 + seed * 11) % 17) - 8) / 8;
  return { data, shape };
}

function mismatch(got: Float32Array, want: Float32Array): string | undefined {
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-4 * (1 + Math.abs(want[i]))))
      return `element ${i}: ${got[i]} instead of ${want[i]}`;
  }
  return undefined;
}

/** Verdicts per runtime: init() checks a build before choosing it, then choose() asks again. */
const verdicts = new WeakMap<Runtime, { error: string | undefined }>();

/** undefined when the runtime computes correctly, else what went wrong. */
export function knownAnswerError(rt: Runtime): string | undefined {
  let verdict = verdicts.get(rt);
  if (!verdict) {
    verdict = { error: runKnownAnswer(rt) };
    verdicts.set(rt, verdict);
  }
  return verdict.error;
}

function runKnownAnswer(rt: Runtime): string | undefined {
  const x = pattern([1, 6, 7, 5], 1);
  const sep = separableSpec("init", pattern([3, 3, 5, 1], 2), pattern([5, 9], 3), {
    padding: "same",
    bias: pattern([1, 1, 1, 9], 4).data,
    activation: "relu6",
  });
  const conv = convSpec("init", pattern([3, 3, 5, 6], 5), {
    strides: 2,
    padding: "same",
    bias: pattern([1, 1, 1, 6], 6).data,
  });
  const sepLayer = new SeparableLayer(rt, sep);
  const convLayer = new ConvLayer(rt, conv);
  try {
    const convWant = convKernel(conv, x, geometry("init", 6, 7, 3, 3, conv.window)).data;
    return mismatch(sepLayer.run(x).data, separableKernel(sep, x).data) ?? mismatch(convLayer.run(x).data, convWant);
  } catch (error) {
    return (error as Error).message;
  } finally {
    sepLayer.dispose();
    convLayer.dispose();
  }
}
