// topK's heap on the orders that stress a selection: ascending rows (every value displaces the
// root), descending rows (none does), all equal (ties only, by index), and alternating; k from 1
// to n against tf.topk (tfjs-core, CPU). Then the documented NaN order on larger rows: NaNs
// first by index, then the numbers as tf.topk orders a row without NaN.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { topK } from "../src/image/index.js";
import { rng } from "./helpers.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function tfTopk(data: Float32Array, shape: number[], k: number) {
  return tf.tidy(() => {
    const r = tf.topk(tf.tensor(data, shape), k);
    return { values: Array.from(r.values.dataSync()), indices: Array.from(r.indices.dataSync()) };
  });
}

const n = 1500;
const ORDERS: [string, (i: number) => number][] = [
  ["ascending", (i) => i],
  ["descending", (i) => n - i],
  ["all equal", () => 3],
  ["alternating", (i) => (i % 2) * 10 + (i % 7)],
];

describe("topK on ordered rows equals tf.topk", () => {
  for (const [name, f] of ORDERS) {
    it(`${name}, two rows of ${n}`, () => {
      const data = Float32Array.from({ length: 2 * n }, (_, j) => f(j % n) * (j < n ? 1 : -1));
      for (const k of [1, 2, 7, 100, n - 1, n]) {
        const got = topK({ data, shape: [2, n] }, k);
        const want = tfTopk(data, [2, n], k);
        expect(got.shape).toEqual([2, k]);
        expect(Array.from(got.values), `k ${k}`).toEqual(want.values);
        expect(Array.from(got.indices), `k ${k}`).toEqual(want.indices);
      }
    });
  }
});

describe("NaN", () => {
  it("NaNs come first by index, then the numbers as tf.topk ranks the row without them", () => {
    const random = rng(11);
    const data = Float32Array.from({ length: 300 }, () => Math.floor(random() * 20));
    const nan = [5, 17, 140, 299];
    for (const i of nan) data[i] = Number.NaN;
    const numbers = Float32Array.from(data.filter((v) => !Number.isNaN(v)));
    const original = data.map((v, i) => (Number.isNaN(v) ? -1 : i)).filter((i) => i >= 0);
    for (const k of [1, 3, 4, 5, 50, 300]) {
      const got = topK({ data, shape: [300] }, k);
      const head = Math.min(k, nan.length);
      expect(Array.from(got.indices.subarray(0, head))).toEqual(nan.slice(0, head));
      expect(got.values.subarray(0, head).every(Number.isNaN)).toBe(true);
      if (k > nan.length) {
        const want = tfTopk(numbers, [numbers.length], k - nan.length);
        expect(Array.from(got.values.subarray(head))).toEqual(want.values);
        expect(Array.from(got.indices.subarray(head))).toEqual(want.indices.map((i) => original[i]));
      }
    }
  });
});
