// Non-finite weights next to padding. Padding is zeros under IEEE arithmetic, so a tap in the
// padding adds 0 * w: NaN for w = ±Infinity or NaN. Every build (and the reference) must give
// exactly the NaN/Infinity pattern of TensorFlow.js's wasm backend (XNNPACK), on the 3x3/5x5
// tiles (whose clipped columns skip taps while rows above and below read a zero row), the
// generic depthwise kernel (which skips), conv2d (which reads a zero pixel) and the fused block.
// TensorFlow.js's CPU backend skips padded taps instead, so it is not the oracle here.

import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { init, type Tensor } from "../src/index.js";
import { type OpCase, oneShot, prepare, reduction, referenceOf } from "./cases.js";
import { ALL_BACKENDS, expectClose, randomTensor, rng } from "./helpers.js";

const random = rng(77);

/** A positive input, so a weight of +Infinity at an inside tap gives +Infinity. */
function positive(shape: number[]): Tensor {
  const t = randomTensor(random, shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = 0.25 + Math.abs(t.data[i]);
  return t;
}

/** `filter` with `value` at [ky, kx, i, j]. */
function poisoned(shape: number[], at: number[], value: number): Tensor {
  const t = randomTensor(random, shape);
  const [, kW, inner, outer] = shape;
  t.data[((at[0] * kW + at[1]) * inner + at[2]) * outer + at[3]] = value;
  return t;
}

const I = Number.POSITIVE_INFINITY;
const CASES: { label: string; c: OpCase; x: Tensor }[] = [
  {
    label: "dw 3x3 s1 same (tile), +Inf top-left",
    c: { op: "depthwise", filter: poisoned([3, 3, 6, 1], [0, 0, 2, 0], I), options: { padding: "same" } },
    x: positive([1, 7, 9, 6]),
  },
  {
    label: "dw 3x3 s2 same (tile), NaN bottom-right",
    c: {
      op: "depthwise",
      filter: poisoned([3, 3, 5, 1], [2, 2, 4, 0], Number.NaN),
      options: { strides: 2, padding: "same" },
    },
    x: positive([2, 8, 11, 5]),
  },
  {
    label: "dw 5x5 s1 pad 2 (tile), -Inf on the left column",
    c: { op: "depthwise", filter: poisoned([5, 5, 4, 1], [3, 0, 1, 0], -I), options: { padding: 2 } },
    x: positive([1, 9, 10, 4]),
  },
  {
    label: "dw 4x4 multiplier 2 dilation 2 (generic), +Inf",
    c: {
      op: "depthwise",
      filter: poisoned([4, 4, 3, 2], [1, 3, 2, 1], I),
      options: { dilations: 2, padding: [3, 2, 1, 4] },
    },
    x: positive([1, 8, 8, 3]),
  },
  {
    label: "conv 3x3 s2 same, +Inf on one output channel",
    c: { op: "conv", filter: poisoned([3, 3, 4, 6], [0, 1, 3, 5], I), options: { strides: 2, padding: "same" } },
    x: positive([1, 7, 7, 4]),
  },
  {
    label: "conv 1x1 pad 1 (pointwise with padding), NaN",
    c: { op: "conv", filter: poisoned([1, 1, 5, 3], [0, 0, 4, 1], Number.NaN), options: { padding: 1 } },
    x: positive([1, 4, 3, 5]),
  },
  {
    label: "separable 3x3 same (fused), +Inf in the depthwise filter",
    c: {
      op: "separable",
      filter: poisoned([3, 3, 4, 1], [2, 0, 0, 0], I),
      pointwiseFilter: randomTensor(random, [4, 7]),
      options: { padding: "same" },
    },
    x: positive([1, 6, 9, 4]),
  },
];

type TfPad = "same" | "valid" | number | [[0, 0], [number, number], [number, number], [0, 0]];
function tfPad(p: unknown): TfPad {
  if (Array.isArray(p))
    return [
      [0, 0],
      [p[0], p[1]],
      [p[2], p[3]],
      [0, 0],
    ];
  return (p ?? "valid") as TfPad;
}

/** The same op on TensorFlow.js's current backend. */
function tfjs(c: OpCase, x: Tensor): Tensor {
  const o = c.options;
  const xt = tf.tensor4d(x.data, x.shape as [number, number, number, number]);
  const f = tf.tensor4d(c.filter.data, c.filter.shape as [number, number, number, number]);
  const strides = (o.strides ?? 1) as number;
  const dilations = (o.dilations ?? 1) as number;
  const y = tf.tidy(() => {
    if (c.op === "depthwise") return tf.depthwiseConv2d(xt, f, strides, tfPad(o.padding) as never, "NHWC", dilations);
    if (c.op === "conv") return tf.conv2d(xt, f, strides, tfPad(o.padding) as never, "NHWC", dilations);
    const mid = tf.depthwiseConv2d(xt, f, strides, tfPad(o.padding) as never, "NHWC", dilations);
    const pw = c.pointwiseFilter!;
    return tf.conv2d(mid, tf.tensor4d(pw.data, [1, 1, pw.shape[0], pw.shape[1]]), 1, "valid");
  });
  const result = { data: y.dataSync() as Float32Array, shape: y.shape };
  tf.dispose([xt, f, y]);
  return result;
}

function pattern(t: Tensor): string {
  return Array.from(t.data, (v) => (Number.isNaN(v) ? "N" : v === I ? "+" : v === -I ? "-" : ".")).join("");
}

describe("non-finite weights at padded taps", () => {
  const want: Tensor[] = [];

  beforeAll(async () => {
    setThreadsCount(1);
    await tf.setBackend("wasm");
    await tf.ready();
    for (const { c, x } of CASES) want.push(tfjs(c, x));
  });

  it("the cases reach the padding: TensorFlow.js's wasm backend gives NaN there and not elsewhere", () => {
    for (const [i, { label }] of CASES.entries()) {
      const p = pattern(want[i]);
      expect(p, label).toContain("N");
      expect(p, label).toMatch(/[.+-]/);
    }
  });

  for (const build of ALL_BACKENDS) {
    it(`${build}: one-shot and prepared match TensorFlow.js's wasm backend, NaN for NaN`, async () => {
      await init({ backend: build });
      for (const [i, { label, c, x }] of CASES.entries()) {
        expect(pattern(oneShot(c, x)), `${label}: one-shot`).toBe(pattern(want[i]));
        expectClose(oneShot(c, x), want[i], reduction(c), `${label}: one-shot`);
        const layer = prepare(c);
        const out = { data: new Float32Array(want[i].data.length), shape: want[i].shape };
        expectClose(layer.run(x, out), want[i], reduction(c), `${label}: prepared`);
        layer.dispose();
        expect(pattern(referenceOf(c, x)), `${label}: reference`).toBe(pattern(want[i]));
      }
    });
  }
});
