// topK against tf.topk (tfjs-core's CPU backend): rows with many ties, 1-D to 3-D tensors, k
// from 1 to the last axis, a tensor in wasm memory; the NaN order topK documents (NaN above
// every number, NaNs by index), -0 and 0 tied; k and the tensor refused by name.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { topK } from "../src/image/index.js";
import { createTensor, init } from "../src/index.js";
import { caught, rng } from "./helpers.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await init();
});

function tfTopk(data: Float32Array, shape: number[], k: number) {
  return tf.tidy(() => {
    const r = tf.topk(tf.tensor(data, shape), k);
    return {
      values: Array.from(r.values.dataSync()),
      indices: Array.from(r.indices.dataSync()),
      shape: r.values.shape,
    };
  });
}

describe("topK equals tf.topk", () => {
  for (const shape of [[7], [1, 1001], [3, 9], [2, 3, 17]]) {
    it(`shape [${shape.join(", ")}], ties, every k${shape[shape.length - 1] > 20 ? " of 1, 5, 1000, 1001" : ""}`, () => {
      const random = rng(shape.length * 13 + shape[shape.length - 1]);
      const size = shape.reduce((a, b) => a * b, 1);
      // Few distinct values: many ties, broken by the lower index.
      const data = Float32Array.from({ length: size }, () => Math.floor(random() * 6) - 3);
      const n = shape[shape.length - 1];
      const ks = n > 20 ? [1, 5, n - 1, n] : Array.from({ length: n }, (_, i) => i + 1);
      for (const k of ks) {
        const got = topK({ data, shape }, k);
        const want = tfTopk(data, shape, k);
        expect(got.shape, `k ${k}`).toEqual(want.shape);
        expect(Array.from(got.values), `k ${k} values`).toEqual(want.values);
        expect(Array.from(got.indices), `k ${k} indices`).toEqual(want.indices);
      }
    });
  }

  it("reads a tensor in wasm memory, and defaults to k = 1", () => {
    const scores = createTensor([1, 1, 1, 5], Float32Array.from([0.1, 0.7, 0.05, 0.7, 0.15]));
    expect(topK(scores)).toEqual({
      values: Float32Array.from([0.7]),
      indices: Int32Array.from([1]),
      shape: [1, 1, 1, 1],
    });
    scores.dispose();
  });
});

describe("NaN and signed zeros", () => {
  it("NaN ranks above every number, NaNs by index; -0 and 0 tie by index", () => {
    const data = Float32Array.from([5, Number.NaN, 2, Number.NaN, Number.POSITIVE_INFINITY, -0, 0]);
    const got = topK({ data, shape: [7] }, 7);
    expect(Array.from(got.indices)).toEqual([1, 3, 4, 0, 2, 5, 6]);
    expect(Object.is(got.values[5], -0)).toBe(true);
    expect(Object.is(got.values[6], 0)).toBe(true);
    expect(Array.from(topK({ data, shape: [7] }, 2).indices)).toEqual([1, 3]);
  });
});

describe("bad arguments", () => {
  const ok = { data: new Float32Array(6), shape: [2, 3] };
  it.each([
    [
      "k above the last axis",
      () => topK(ok, 4),
      RangeError,
      "topK: k (4) must be an integer from 1 to 3 (the last axis)",
    ],
    ["k 0", () => topK(ok, 0), RangeError, "topK: k (0) must be an integer from 1 to 3 (the last axis)"],
    ["a fractional k", () => topK(ok, 1.5), RangeError, "topK: k (1.5) must be an integer from 1 to 3 (the last axis)"],
    ["a string k", () => topK(ok, "2" as never), TypeError, 'topK: k ("2") must be a number'],
    [
      "no tensor",
      () => topK(null as never),
      TypeError,
      "topK: tensor (null) must be a { data: Float32Array, shape } tensor",
    ],
    [
      "a shape that is not its data's",
      () => topK({ data: new Float32Array(15), shape: [2, 5] }),
      RangeError,
      "topK: tensor.shape ([2, 5]) must be one or more positive integers whose product is its data's length (15)",
    ],
    [
      "no axis",
      () => topK({ data: new Float32Array(1), shape: [] }),
      RangeError,
      "topK: tensor.shape ([]) must be one or more positive integers whose product is its data's length (1)",
    ],
  ])("%s", (_, call, kind, message) => {
    const e = caught(call);
    expect(e).toBeInstanceOf(kind);
    expect(e.message).toBe(message);
  });
});
