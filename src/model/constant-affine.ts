// Affine nodes (y = x * scale + shift per channel) that more than one model format makes: a
// binary op with a constant operand (graph models and TFLite) and an inference batch norm
// (layers and graph models). Each converter reads its own operands and refuses its own way;
// the arithmetic and the refusals they share are here, so both formats make the same node.

import { show } from "../shapes.js";

/** The four binary ops an affine can express, whatever a format names them. */
export type AffineOp = "add" | "sub" | "mul" | "div";

/**
 * The scale and shift of `x op k` (or `k op x` when the constant comes first) for a scalar or
 * per-channel constant k; `fail` refuses with the format's own prefix.
 */
export function constantAffine(
  op: AffineOp,
  constFirst: boolean,
  k: { data: Float32Array; shape: number[] },
  fail: (message: string) => never,
): { scale: Float64Array; shift: Float64Array } {
  const n = k.data.length;
  if (!(n === 1 || (k.shape.length > 0 && k.shape[k.shape.length - 1] === n))) {
    fail(`constant operand of shape ${show(k.shape)} is not supported: it must be a scalar or one value per channel`);
  }
  const scale = new Float64Array(n).fill(1);
  const shift = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = k.data[i];
    if (op === "add") shift[i] = v;
    else if (op === "sub" && constFirst) {
      scale[i] = -1;
      shift[i] = v;
    } else if (op === "sub") shift[i] = -v;
    else if (op === "mul") scale[i] = v;
    else if (!constFirst) scale[i] = 1 / v;
    else fail("with a constant dividend is not supported");
  }
  return { scale, shift };
}

/**
 * Inference batch norm as y = x * scale + shift, in double precision (folded later): scale =
 * gamma / sqrt(variance + epsilon), shift = beta - mean * scale, gamma 1 and beta 0 when absent.
 */
export function batchNormAffine(
  gamma: Float32Array | undefined,
  beta: Float32Array | undefined,
  mean: Float32Array,
  variance: Float32Array,
  epsilon: number,
): { scale: Float64Array; shift: Float64Array } {
  const n = mean.length;
  const scale = new Float64Array(n);
  const shift = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    scale[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + epsilon);
    shift[i] = (beta ? beta[i] : 0) - mean[i] * scale[i];
  }
  return { scale, shift };
}
