// imageToTensor against tfjs-core's CPU backend on every backend: tf.image.resizeBilinear of the
// pixels as a [1, h, w, C] float tensor (sliced to RGB for RGBA), then tf's (x * scale - mean) /
// std and, for BGR, tf.reverse on the channels. Every resize mode tfjs accepts, up, down, to 1x1
// and from 1x1, RGB and RGBA, Uint8 / Uint8Clamped / Float32 pixels. The kernel that ran is
// image_bilinear_u8 for 8-bit pixels on the wasm builds, none (the plain-JS path) for Float32.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import type { ImageSource, ImageToTensorOptions } from "../src/image/index.js";
import { imageToTensor } from "../src/image/index.js";
import { activeRuntime, init } from "../src/init.js";
import * as reference from "../src/reference/index.js";
import { createTensor } from "../src/tensor.js";
import type { Tensor } from "../src/types.js";
import { ALL_BACKENDS, rng } from "./helpers.js";
import { kernelIn, kernelsRun } from "./testers/tester.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

type Form = "u8" | "u8c" | "f32";

function source(width: number, height: number, channels: 3 | 4, form: Form, seed: number): ImageSource {
  const random = rng(seed);
  const bytes = Uint8Array.from({ length: width * height * channels }, () => Math.floor(random() * 256));
  const data = form === "u8" ? bytes : form === "u8c" ? new Uint8ClampedArray(bytes) : Float32Array.from(bytes);
  return { data, width, height, channels };
}

/** tfjs's answer: resize, normalise, reorder. */
function tfImage(src: ImageSource, options: ImageToTensorOptions): Tensor {
  const channels = src.channels ?? 4;
  return tf.tidy(() => {
    let x = tf.tensor4d(Float32Array.from(src.data), [1, src.height, src.width, channels]);
    if (channels === 4) x = tf.slice(x, [0, 0, 0, 0], [1, src.height, src.width, 3]);
    const size = options.size ?? [src.height, src.width];
    let y = tf.image.resizeBilinear(x, size, options.alignCorners ?? false, options.halfPixelCenters ?? false);
    if (options.channelOrder === "bgr") y = tf.reverse(y, 3);
    const mean = tf.tensor1d(typeof options.mean === "object" ? options.mean : [0, 0, 0].fill(options.mean ?? 0));
    const std = tf.tensor1d(typeof options.std === "object" ? options.std : [1, 1, 1].fill(options.std ?? 1));
    y = tf.div(tf.sub(tf.mul(y, options.scale ?? 1), mean), std);
    return { data: y.dataSync() as Float32Array, shape: y.shape };
  });
}

function expectNear(got: Tensor, want: Tensor, label: string): void {
  expect(got.shape, label).toEqual(want.shape);
  let scale = 1;
  for (const v of want.data) scale = Math.max(scale, Math.abs(v));
  // tfjs blends in double, sepconv in float32 (the reference and every build): within a few ulps
  // of the largest value.
  const tolerance = 4e-6 * scale;
  for (let i = 0; i < want.data.length; i++) {
    if (!(Math.abs(got.data[i] - want.data[i]) <= tolerance)) {
      expect.fail(`${label}: value ${i} is ${got.data[i]}, tfjs ${want.data[i]} (tolerance ${tolerance})`);
    }
  }
}

const MODES = [
  { alignCorners: false, halfPixelCenters: false },
  { alignCorners: true, halfPixelCenters: false },
  { alignCorners: false, halfPixelCenters: true },
];
const SIZES: [string, number, number, [number, number]][] = [
  ["down 23x17 -> 7x9", 23, 17, [7, 9]],
  ["up 5x4 -> 13x11", 5, 4, [13, 11]],
  ["down in rows, up in columns", 6, 19, [5, 14]],
  ["to 1x1", 9, 7, [1, 1]],
  ["from 1x1", 1, 1, [3, 2]],
  ["unchanged size", 6, 5, [5, 6]],
];

describe("imageToTensor equals tf.image.resizeBilinear (tfjs-core, CPU) on every backend", () => {
  for (const mode of MODES) {
    for (const channels of [3, 4] as const) {
      for (const form of ["u8", "u8c", "f32"] as const) {
        const label = `alignCorners ${mode.alignCorners}, halfPixelCenters ${mode.halfPixelCenters}, ${channels === 3 ? "RGB" : "RGBA"} ${form}`;
        it(label, async () => {
          for (const [name, width, height, size] of SIZES) {
            const src = source(width, height, channels, form, width * 31 + height);
            const options = { size, ...mode };
            const want = tfImage(src, options);
            for (const backend of ALL_BACKENDS) {
              await init({ backend });
              let got: Tensor | undefined;
              const ran = kernelsRun(() => {
                got = imageToTensor(src, options);
              });
              const kernel = backend === "js" || form === "f32" ? [] : [kernelIn("image_bilinear_u8", backend)];
              expect(ran, `${backend} ${name}`).toEqual(kernel);
              expectNear(got as Tensor, want, `${backend} ${name}`);
            }
          }
        });
      }
    }
  }
});

describe("normalisation and channel order, against tf ops", () => {
  const cases: [string, ImageToTensorOptions][] = [
    [
      "ImageNet mean/std per channel, scale 1/255",
      { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    ],
    ["[-1, 1]: scale 1/127.5, mean 1", { scale: 1 / 127.5, mean: 1 }],
    ["BGR with Caffe's per-channel means (in BGR order)", { channelOrder: "bgr", mean: [103.939, 116.779, 123.68] }],
    ["BGR with per-channel mean and std", { channelOrder: "bgr", mean: [10, 20, 30], std: [2, 4, 8], scale: 0.5 }],
    ["a scalar std", { std: 255, mean: 0.25 }],
  ];
  for (const [name, extra] of cases) {
    it(name, async () => {
      for (const channels of [3, 4] as const) {
        for (const form of ["u8", "f32"] as const) {
          const src = source(11, 8, channels, form, channels * 7);
          const options = { size: [6, 5] as [number, number], halfPixelCenters: true, ...extra };
          const want = tfImage(src, options);
          for (const backend of ALL_BACKENDS) {
            await init({ backend });
            expectNear(imageToTensor(src, options), want, `${backend} ${channels} ${form}`);
          }
        }
      }
    });
  }
});

describe("out", () => {
  it("a createTensor tensor is written in place on every backend and returned; a plain tensor is filled", async () => {
    const src = source(12, 10, 4, "u8c", 5);
    const options = { size: [4, 6] as [number, number], mean: [1, 2, 3] as [number, number, number] };
    const want = tfImage(src, options);
    for (const backend of ALL_BACKENDS) {
      await init({ backend });
      const wasm = createTensor([1, 4, 6, 3]);
      expect(imageToTensor(src, { ...options, out: wasm }), backend).toBe(wasm);
      expectNear(wasm, want, `${backend} createTensor`);
      // In place: no scratch for the floats among the blocks the call asks for (pixels, tables, floats).
      const heap = activeRuntime("test")?.heap;
      if (heap) {
        const asked: number[][] = [];
        const real = heap.allocAll.bind(heap);
        heap.allocAll = (bytes, who) => {
          asked.push([...bytes]);
          return real(bytes, who);
        };
        try {
          imageToTensor(src, { ...options, out: wasm });
          imageToTensor(src, { ...options, out: { data: new Float32Array(72), shape: [1, 4, 6, 3] } });
        } finally {
          heap.allocAll = real;
        }
        expect(asked.map((b) => b[2])).toEqual([0, 72 * 4]);
      }
      wasm.dispose();
      const plain = { data: new Float32Array(72).fill(Number.NaN), shape: [1, 4, 6, 3] };
      expect(imageToTensor(src, { ...options, out: plain })).toBe(plain);
      expectNear(plain, want, `${backend} plain`);
      // Float32 pixels into a wasm tensor.
      const f = createTensor([1, 4, 6, 3]);
      imageToTensor({ ...src, data: Float32Array.from(src.data) }, { ...options, out: f });
      expectNear(f, want, `${backend} Float32 into createTensor`);
      f.dispose();
    }
  });
});

describe("reference.imageToTensor", () => {
  it("is tfjs's answer, takes out, and refuses what imageToTensor refuses", async () => {
    const src = source(10, 7, 4, "u8c", 3);
    const options: ImageToTensorOptions = { size: [5, 8], alignCorners: true, mean: [1, 2, 3], std: 2 };
    const want = tfImage(src, options);
    expectNear(reference.imageToTensor(src, options), want, "reference");
    const out = { data: new Float32Array(120), shape: [1, 5, 8, 3] };
    expect(reference.imageToTensor(src, { ...options, out })).toBe(out);
    expectNear(out, want, "reference into out");
    expect(() => reference.imageToTensor(src, { size: [0, 1] })).toThrow(
      new RangeError("imageToTensor: options.size[0] (0) must be an integer from 1 to 16384"),
    );
  });
});
