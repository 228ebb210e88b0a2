// What more than one model converter computes from constants: the affine (y = x * scale + shift
// per channel) of a binary op with a constant operand (graph models and TFLite) and of an
// inference batch norm (layers and graph models), and the pads of a Pad op (graph models and
// TFLite). Each converter reads its own operands and refuses with its own prefix; the arithmetic
// and the refusal texts they share are here, so the formats make the same nodes.

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

/**
 * The pads of a Pad op's paddings, an NHWC tensor's [[batch], [top, bottom], [left, right],
 * [channels]] as a [4, 2] constant; channel pads only where the format's pad node takes them
 * (TFLite), else they are refused with the batch's.
 */
export function padsOf(
  p: { data: Float32Array; shape: number[] },
  channels: boolean,
  fail: (message: string) => never,
): { pads: [number, number, number, number]; channelPads?: [number, number] } {
  const v = p.data;
  // A graph model's check lets NaN through (x < 0 is false for it) and TFLite's does not; kept
  // as each was.
  const negative = channels ? (x: number) => !(x >= 0) : (x: number) => x < 0;
  if (
    p.shape.length !== 2 ||
    p.shape[0] !== 4 ||
    p.shape[1] !== 2 ||
    v[0] ||
    v[1] ||
    (!channels && (v[6] || v[7])) ||
    v.some(negative)
  ) {
    fail(
      channels
        ? `paddings ${show([...v])} must pad height, width and channels of an NHWC tensor by non-negative amounts`
        : `paddings ${show([...v])} must pad only height and width of an NHWC tensor, by non-negative amounts`,
    );
  }
  const pads: [number, number, number, number] = [v[2], v[3], v[4], v[5]];
  return channels && (v[6] || v[7]) ? { pads, channelPads: [v[6], v[7]] } : { pads };
}
