import type { Activation } from "../types.js";

/** The activations as TensorFlow defines them; hardswish(x) = x * relu6(x + 3) / 6. */
export function activationFn(activation: Activation): (x: number) => number {
  switch (activation) {
    case "relu":
      return (x) => Math.max(x, 0);
    case "relu6":
      return (x) => (x < 0 ? 0 : Math.min(x, 6));
    case "hardswish":
      return (x) => (x * (x + 3 < 0 ? 0 : Math.min(x + 3, 6))) / 6;
    default:
      return (x) => x;
  }
}
