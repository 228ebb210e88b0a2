// An oracle independent of src/: an op case computed by TensorFlow.js's CPU backend
// (tfjs-core ops), for checking the 'js' backend, which is src/reference itself. Depthwise and
// conv2d are tf's; pointwise is conv2d with a 1x1 filter; separable is depthwise then a 1x1
// conv2d, so each stage gets its own bias and activation; the bias is tf.add, the activation
// tf.relu / tf.relu6 or, for hardswish, x * relu6(x + 3) / 6 in tf ops.
//
// Two things TensorFlow does differently are worked around with exact rewrites: it refuses
// strides > 1 together with dilations > 1 (computed at stride 1, then every stride-th output
// kept), and its CPU kernels skip taps in the padding where sepconv (like XNNPACK) adds 0 * w,
// which differs for a non-finite weight (then the input is padded with zeros by tf.pad first).

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import type { Padding, Tensor } from "../src/index.js";
import type { OpCase } from "./cases.js";

type Pair = [number, number];
type TfPad = "same" | "valid" | [Pair, Pair, Pair, Pair];

/** Selects tf's CPU backend; call before the first tfOracle. */
export async function useTfCpu(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}

const pairOf = (v: number | Pair | undefined): Pair => (v === undefined ? [1, 1] : typeof v === "number" ? [v, v] : v);

/** Any of sepconv's padding forms in tf's terms. */
function tfPadOf(padding: Padding | undefined): TfPad {
  if (padding === undefined) return "valid";
  if (padding === "same" || padding === "valid") return padding;
  let [t, b, l, r] = [0, 0, 0, 0];
  if (typeof padding === "number") [t, b, l, r] = [padding, padding, padding, padding];
  else if (!Array.isArray(padding)) ({ top: t, bottom: b, left: l, right: r } = padding);
  else if (Array.isArray(padding[0])) [[t, b], [l, r]] = (padding as Pair[]).slice(1, 3);
  else [t, b, l, r] = padding as number[];
  return [
    [0, 0],
    [t, b],
    [l, r],
    [0, 0],
  ];
}

/** Pads [[t, b], [l, r]] of `pad` for an input of h x w by TensorFlow's 'same' rule. */
function explicitPads(pad: TfPad, h: number, w: number, k: Pair, s: Pair, d: Pair): [Pair, Pair] {
  if (pad === "valid")
    return [
      [0, 0],
      [0, 0],
    ];
  if (pad !== "same") return [pad[1], pad[2]];
  const side = (size: number, i: 0 | 1): Pair => {
    const out = Math.ceil(size / s[i]);
    const total = Math.max((out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  return [side(h, 0), side(w, 1)];
}

function activate(y: tf.Tensor, activation: string | undefined): tf.Tensor {
  switch (activation) {
    case "relu":
      return tf.relu(y);
    case "relu6":
      return tf.relu6(y);
    case "hardswish":
    case "hard_swish":
    case "hard_silu":
      return tf.div(tf.mul(y, tf.relu6(tf.add(y, 3))), 6);
    default:
      return y;
  }
}

type Window = (x: tf.Tensor4D, strides: Pair, pad: TfPad, dilations: Pair) => tf.Tensor4D;

/**
 * A windowed op on x with tf's own padding and strides where it takes them; otherwise on x
 * padded by tf.pad, at stride 1, keeping every stride-th output (the same taps, all inside).
 */
function windowed(x: tf.Tensor4D, k: Pair, s: Pair, d: Pair, pad: TfPad, nonFinite: boolean, op: Window) {
  const stridesOrDilationsOne = (s[0] === 1 && s[1] === 1) || (d[0] === 1 && d[1] === 1);
  const padded = pad === "same" || (pad !== "valid" && pad.flat().some((p) => p > 0));
  if (stridesOrDilationsOne && !(nonFinite && padded)) return op(x, s, pad, d);
  const [n, h, w] = x.shape;
  const [ph, pw] = explicitPads(pad, h, w, k, s, d);
  const xp = tf.pad(x, [[0, 0], ph, pw, [0, 0]]);
  const y = op(xp, [1, 1], "valid", d);
  return tf.stridedSlice(y, [0, 0, 0, 0], [n, y.shape[1], y.shape[2], y.shape[3]], [1, s[0], s[1], 1]) as tf.Tensor4D;
}

const t4 = (t: Tensor, shape = t.shape) => tf.tensor4d(t.data, shape as [number, number, number, number]);

function withBias(y: tf.Tensor, bias: Float32Array | undefined): tf.Tensor {
  return bias ? tf.add(y, tf.tensor1d(bias)) : y;
}

/** The case on x by TensorFlow.js's CPU backend. */
export function tfOracle(c: OpCase, x: Tensor): Tensor {
  const o = c.options;
  const s = pairOf(o.strides);
  const d = pairOf(o.dilations);
  const pad = tfPadOf(o.padding);
  const y = tf.tidy(() => {
    const xt = t4(x);
    const f = c.filter;
    const nonFinite = !f.data.every(Number.isFinite);
    switch (c.op) {
      case "depthwise":
      case "separable": {
        const k: Pair = [f.shape[0], f.shape[1]];
        const dwFilter = t4(f);
        const dw = windowed(xt, k, s, d, pad, nonFinite, (xi, si, pi, di) =>
          tf.depthwiseConv2d(xi, dwFilter, si, pi as never, "NHWC", di),
        );
        if (c.op === "depthwise") return activate(withBias(dw, o.bias), o.activation);
        const mid = activate(withBias(dw, o.depthwiseBias), o.depthwiseActivation) as tf.Tensor4D;
        const pwf = c.pointwiseFilter!;
        const pw = tf.conv2d(mid, t4(pwf, [1, 1, pwf.shape.at(-2)!, pwf.shape.at(-1)!]), 1, "valid");
        return activate(withBias(pw, o.bias), o.activation);
      }
      case "pointwise":
      case "conv": {
        const shape = f.shape.length === 2 ? [1, 1, f.shape[0], f.shape[1]] : f.shape;
        const filter = t4(f, shape);
        const k: Pair = [shape[0], shape[1]];
        const conv = windowed(xt, k, s, d, pad, nonFinite, (xi, si, pi, di) =>
          tf.conv2d(xi, filter, si, pi, "NHWC", di),
        );
        return activate(withBias(conv, o.bias), o.activation);
      }
    }
  });
  const out = { data: (y.dataSync() as Float32Array).slice(), shape: y.shape.slice() };
  y.dispose();
  return out;
}
