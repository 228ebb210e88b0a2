import type { Layer, Tensor } from "../types.js";

/** The one-shot functions are a prepared layer used once: one code path to test. */
export function runOnce(layer: Layer, x: Tensor): Tensor {
  try {
    return layer.run(x);
  } finally {
    layer.dispose();
  }
}
