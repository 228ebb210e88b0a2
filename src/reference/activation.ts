import type { Activation } from "../types.js";

const f32 = Math.fround;
/** 1/6 as the wasm builds multiply by it (float32), rather than dividing by 6. */
const SIXTH = f32(1 / 6);

/**
 * The activations as TensorFlow defines them; hardswish(x) = x * relu6(x + 3) / 6, in float32
 * steps as the wasm builds compute it, so x * 6 overflows for |x| > 5.7e37 (hardswish(1e38) is
 * Infinity there, and in TensorFlow.js).
 */
export function activationFn(activation: Activation): (x: number) => number {
  switch (activation) {
    case "relu":
      return (x) => Math.max(x, 0);
    case "relu6":
      return (x) => (x < 0 ? 0 : Math.min(x, 6));
    case "hardswish":
      return hardswish;
    default:
      return (x) => x;
  }
}

/** x * relu6(x + 3) / 6 in the builds' float32 steps (a model's standalone activation pass too). */
export function hardswish(x: number): number {
  const t = f32(x + 3);
  return f32(f32(x * Math.min(Math.max(t, 0), 6)) * SIXTH);
}
