// imageToTensor on every build against the plain-JS reference and, for the resize, against
// tfjs-core's tf.image.resizeBilinear on the CPU backend; the kernel that ran; options, `out`
// and errors. topK against tf.topk.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { createTensor, type ImageSource, imageToTensor, init, type Tensor, topK } from "../src/index.js";
import { ALL_BACKENDS, caught, rng, WASM_BUILDS } from "./helpers.js";
import { kernelIn, kernelsRun } from "./testers/tester.js";

function image(width: number, height: number, channels: 3 | 4, seed: number): ImageSource {
  const random = rng(seed);
  const data = new Uint8ClampedArray(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256);
  return { data, width, height, channels };
}

function close(got: Tensor, want: Tensor, tolerance: number, label: string): void {
  expect(got.shape, label).toEqual(want.shape);
  for (let i = 0; i < want.data.length; i++) {
    if (!(Math.abs(got.data[i] - want.data[i]) <= tolerance)) {
      expect.fail(`${label}: value ${i} is ${got.data[i]}, expected ${want.data[i]}`);
    }
  }
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const CASES: [string, ImageSource, object][] = [
  ["RGBA 1080p-like down to 24x20, default modes", image(96, 54, 4, 1), { size: [20, 24] }],
  ["RGB up 7x5 -> 15x11, align corners", image(7, 5, 3, 2), { size: [11, 15], alignCorners: true }],
  ["RGBA half-pixel centres, down", image(33, 17, 4, 3), { size: [8, 9], halfPixelCenters: true }],
  [
    "RGB no resize, mean/std per channel",
    image(6, 4, 3, 4),
    { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  ],
  [
    "RGBA to 1x1, BGR, Caffe means",
    image(5, 5, 4, 5),
    { size: [1, 1], channelOrder: "bgr", mean: [103.9, 116.8, 123.7] },
  ],
  ["RGB to [-1, 1] (scale then mean and std)", image(16, 16, 3, 6), { size: [16, 16], scale: 1 / 127.5, mean: 1 }],
];

describe("imageToTensor on every build against the reference", () => {
  for (const [name, source, options] of CASES) {
    it(name, async () => {
      await init({ backend: "js" });
      const want = imageToTensor(source, options);
      for (const build of WASM_BUILDS) {
        await init({ backend: build });
        let got: Tensor | undefined;
        const ran = kernelsRun(() => {
          got = imageToTensor(source, options);
        });
        expect(ran).toEqual([kernelIn("image_bilinear_u8", build)]);
        close(got as Tensor, want, 1e-4 * (1 + Math.max(...want.data.map(Math.abs))), `${build}: ${name}`);
      }
    });
  }
});

describe("the resize is TensorFlow's", () => {
  for (const [alignCorners, halfPixelCenters] of [
    [false, false],
    [true, false],
    [false, true],
  ]) {
    it(`alignCorners ${alignCorners}, halfPixelCenters ${halfPixelCenters}: up and down against tf.image.resizeBilinear`, async () => {
      const source = image(13, 9, 3, 7);
      for (const size of [
        [5, 6],
        [20, 31],
      ] as [number, number][]) {
        const want = tf.tidy(() => {
          const x = tf.tensor4d(Float32Array.from(source.data), [1, 9, 13, 3]);
          const y = tf.image.resizeBilinear(x, size, alignCorners, halfPixelCenters);
          return { data: y.dataSync() as Float32Array, shape: y.shape };
        });
        for (const backend of ALL_BACKENDS) {
          await init({ backend });
          close(imageToTensor(source, { size, alignCorners, halfPixelCenters }), want, 2e-4, `${backend} ${size}`);
        }
      }
    });
  }

  it("Float32 sources and the alpha channel: the same result as bytes", async () => {
    await init();
    const source = image(8, 6, 4, 8);
    const floats = { ...source, data: Float32Array.from(source.data) };
    close(imageToTensor(floats, { size: [5, 4] }), imageToTensor(source, { size: [5, 4] }), 1e-4, "float32");
  });
});

describe("writing into out", () => {
  it("a createTensor tensor is written in place; a plain one is filled", async () => {
    await init();
    const source = image(10, 10, 4, 9);
    const want = imageToTensor(source, { size: [4, 4] });
    const wasm = createTensor([1, 4, 4, 3]);
    expect(imageToTensor(source, { size: [4, 4], out: wasm })).toBe(wasm);
    expect(wasm.data).toEqual(want.data);
    const plain = { data: new Float32Array(48), shape: [1, 4, 4, 3] };
    expect(imageToTensor(source, { size: [4, 4], out: plain })).toBe(plain);
    expect(plain.data).toEqual(want.data);
  });
});

describe("bad arguments name themselves", () => {
  beforeAll(() => init());
  const ok = image(4, 4, 4, 1);
  it.each([
    ["not an image", null, {}, TypeError, /source \(null\) must be an ImageData/],
    [
      "short data",
      { ...ok, width: 5 },
      {},
      RangeError,
      /source\.data\.length \(64\) must be width \* height \* channels \(5 \* 4 \* 4 = 80\)/,
    ],
    ["2 channels", { ...ok, channels: 2 }, {}, RangeError, /source\.channels \(2\) must be 3 or 4/],
    [
      "a huge side",
      { ...ok, width: 20000 },
      {},
      RangeError,
      /source\.width \(20000\) must be an integer from 1 to 16384/,
    ],
    ["a fractional size", ok, { size: [2.5, 3] }, RangeError, /options\.size\[0\] \(2\.5\) must be an integer/],
    ["an unknown option", ok, { resize: [2, 2] }, TypeError, /options\.resize is not an option/],
    ["std 0", ok, { std: [1, 0, 1] }, RangeError, /options\.std .* must not be 0/],
    [
      "a bad order",
      ok,
      { channelOrder: "rgba" },
      RangeError,
      /options\.channelOrder \("rgba"\) must be "rgb" or "bgr"/,
    ],
    [
      "an out of another shape",
      ok,
      { out: { data: new Float32Array(12), shape: [1, 2, 2, 3] } },
      RangeError,
      /options\.out\.shape \(\[1, 2, 2, 3\]\) must equal the output shape \[1, 4, 4, 3\]/,
    ],
  ])("%s", (_, source, options, kind, message) => {
    const e = caught(() => imageToTensor(source as ImageSource, options as never));
    expect(e).toBeInstanceOf(kind);
    expect(e.message).toMatch(/^imageToTensor: /);
    expect(e.message).toMatch(message);
  });
});

describe("topK", () => {
  it("equals tf.topk on rows with ties, for k from 1 to n", () => {
    const random = rng(3);
    const data = Float32Array.from({ length: 3 * 9 }, () => Math.floor(random() * 5));
    for (let k = 1; k <= 9; k++) {
      const got = topK({ data, shape: [3, 9] }, k);
      const want = tf.tidy(() => {
        const r = tf.topk(tf.tensor2d(data, [3, 9]), k);
        return { values: r.values.dataSync(), indices: r.indices.dataSync() };
      });
      expect(got.shape).toEqual([3, k]);
      expect(Array.from(got.values)).toEqual(Array.from(want.values));
      expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
    }
  });
  it("ranks NaN first and refuses a bad k by name", () => {
    const got = topK({ data: Float32Array.from([1, Number.NaN, 3]), shape: [1, 3] }, 2);
    expect(Array.from(got.indices)).toEqual([1, 2]);
    expect(() => topK({ data: new Float32Array(3), shape: [3] }, 4)).toThrow(
      /^topK: k \(4\) must be an integer from 1 to 3/,
    );
    expect(() => topK({ data: new Float32Array(3), shape: [3] }, 0)).toThrow(RangeError);
  });
});
