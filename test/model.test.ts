// The real MobileNetV2 (224x224, the weights nsfwjs ships, uint8-quantized) loaded with
// loadLayersModel and compared with TensorFlow.js tfjs-layers on the CPU backend, on five
// different images: the full model (same top-1 class, probabilities within 1e-5) and the
// model cut at its last ReLU (7x7x1280 features, saved from tfjs as artifacts) within 1e-4 of
// the largest feature: every image on each wasm build, two on the plain-JS backend.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { mobileNetV2Artifacts } from "../bench/nsfwjs-model.mjs";
import { init, loadLayersModel, type ModelArtifacts, type Tensor } from "../src/index.js";
import { rng } from "./helpers.js";
import { artifactsOf, expectNear, tfLayerMacs } from "./model-helpers.js";

const SIZE = 224;

/** Five 224x224 RGB images in [0, 1] (nsfwjs scales pixels by 1/255): noise and structure. */
function images(): { name: string; pixel: (x: number, y: number, c: number) => number }[] {
  const noise = (seed: number, lo: number, hi: number) => {
    const random = rng(seed);
    const values = Float32Array.from({ length: SIZE * SIZE * 3 }, () => lo + (hi - lo) * random());
    return (x: number, y: number, c: number) => values[(y * SIZE + x) * 3 + c];
  };
  return [
    { name: "uniform noise", pixel: noise(1, 0, 1) },
    { name: "grey noise in [0.3, 0.7]", pixel: noise(2, 0.3, 0.7) },
    { name: "RGB gradient", pixel: (x, y, c) => [x / (SIZE - 1), y / (SIZE - 1), 1 - (x + y) / (2 * SIZE - 2)][c] },
    {
      name: "tinted 16px checkerboard",
      pixel: (x, y, c) => (((x >> 4) + (y >> 4)) % 2 ? [0.9, 0.8, 0.6][c] : [0.1, 0.15, 0.3][c]),
    },
    {
      name: "orange disc on blue",
      pixel: (x, y, c) => {
        const inside = Math.hypot(x - 120, y - 100) < 70;
        return inside ? [1, 0.55, 0.1][c] : [0.1, 0.3, 0.8][c];
      },
    },
  ];
}

function imageTensor(pixel: (x: number, y: number, c: number) => number): Tensor {
  const data = new Float32Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) for (let c = 0; c < 3; c++) data[(y * SIZE + x) * 3 + c] = pixel(x, y, c);
  return { data, shape: [1, SIZE, SIZE, 3] };
}

function batchOf(tensors: Tensor[]): Tensor {
  const data = new Float32Array(tensors.reduce((n, t) => n + t.data.length, 0));
  let at = 0;
  for (const t of tensors) {
    data.set(t.data, at);
    at += t.data.length;
  }
  return { data, shape: [tensors.length, ...tensors[0].shape.slice(1)] };
}

function slice(t: Tensor, index: number): Tensor {
  const size = t.data.length / t.shape[0];
  return { data: t.data.slice(index * size, (index + 1) * size), shape: [1, ...t.shape.slice(1)] };
}

function top1(t: Tensor): number {
  return t.data.indexOf(Math.max(...t.data));
}

const xs = images().map((image) => ({ name: image.name, x: imageTensor(image.pixel) }));
let full: ModelArtifacts;
let cut: ModelArtifacts;
let tfModel: tfl.LayersModel;
/** tfjs's outputs per image: the probabilities and the features at out_relu. */
const want: { probabilities: Tensor; features: Tensor }[] = [];

beforeAll(async () => {
  await tf.setBackend("cpu");
  full = mobileNetV2Artifacts();
  tfModel = await tfl.loadLayersModel(tf.io.fromMemory(full as tf.io.ModelArtifacts));
  const features = tfModel.getLayer("out_relu").output as tfl.SymbolicTensor;
  cut = await artifactsOf(tfl.model({ inputs: tfModel.inputs, outputs: features }));
  // One tfjs run over all five images gives both outputs (the CPU backend takes ~2 s an image).
  const both = tfl.model({ inputs: tfModel.inputs, outputs: [features, tfModel.outputs[0]] });
  const [f, p] = tf.tidy(() => {
    const outputs = both.predict(
      tf.tensor(batchOf(xs.map((i) => i.x)).data, [xs.length, SIZE, SIZE, 3]),
    ) as tf.Tensor[];
    return outputs.map((o) => ({ data: o.dataSync() as Float32Array, shape: o.shape }));
  });
  xs.forEach((_, i) => {
    want.push({ probabilities: slice(p, i), features: slice(f, i) });
  });
}, 300_000);

/** Asserts one image's results: top-1 and probabilities (1e-5 absolute), features (1e-4 of the largest). */
function check(label: string, probabilities: Tensor | undefined, features: Tensor | undefined, index: number): void {
  const w = want[index];
  if (probabilities) {
    expect(top1(probabilities), `${label}: top-1`).toBe(top1(w.probabilities));
    expect(probabilities.shape).toEqual([1, 5]);
    for (let c = 0; c < 5; c++) {
      expect(Math.abs(probabilities.data[c] - w.probabilities.data[c]), `${label}: class ${c}`).toBeLessThanOrEqual(
        1e-5,
      );
    }
  }
  if (features) expectNear(features, w.features, 1e-4, `${label}: features`);
}

describe("MobileNetV2 (nsfwjs weights) against tfjs-layers", () => {
  it("the five images are told apart by the model (the comparisons are not all one case)", () => {
    const classes = new Set(want.map((w) => top1(w.probabilities)));
    expect(classes.size).toBeGreaterThanOrEqual(2);
    for (const w of want) expect(w.features.shape).toEqual([1, 7, 7, 1280]);
  });

  it("simd: each image alone, full model and features", async () => {
    await init({ backend: "simd" });
    const model = loadLayersModel(full);
    const features = loadLayersModel(cut);
    for (const [i, { name, x }] of xs.entries()) check(`simd ${name}`, model.predict(x), features.predict(x), i);
    model.dispose();
    features.dispose();
  });

  it("relaxed-simd: the five images as one batch of 5", async () => {
    await init({ backend: "relaxed-simd" });
    const model = loadLayersModel(full);
    const features = loadLayersModel(cut);
    const batch = batchOf(xs.map((i) => i.x));
    const probabilities = model.predict(batch);
    const f = features.predict(batch);
    expect(probabilities.shape).toEqual([5, 5]);
    for (const [i, { name }] of xs.entries()) check(`relaxed-simd ${name}`, slice(probabilities, i), slice(f, i), i);
    model.dispose();
    features.dispose();
  });

  it("scalar: each image alone", async () => {
    await init({ backend: "scalar" });
    const model = loadLayersModel(full);
    const features = loadLayersModel(cut);
    for (const i of xs.keys()) check(`scalar ${xs[i].name}`, model.predict(xs[i].x), features.predict(xs[i].x), i);
  });

  it("js (the plain-JS reference): two images", async () => {
    await init({ backend: "js" });
    const model = loadLayersModel(full);
    const features = loadLayersModel(cut);
    for (const i of [2, 4]) check(`js ${xs[i].name}`, model.predict(xs[i].x), features.predict(xs[i].x), i);
  });
});

describe("MobileNetV2: plan and cost", () => {
  beforeAll(() => init({ backend: "simd" }));

  it("runs the 17 inverted residual blocks as fused chains: 16 with their expand, the 10 residual Adds inside", () => {
    const ops = loadLayersModel(full).describe();
    const chains = ops.filter((op) => op.kind === "chain");
    expect(chains).toHaveLength(17);
    expect(chains.filter((op) => op.layers[0].endsWith("_expand"))).toHaveLength(16);
    expect(chains.filter((op) => op.layers.at(-1)?.endsWith("_add"))).toHaveLength(10);
    // Batch norms, ReLU6s, paddings and dropouts were folded; this is all that is left.
    expect(ops.filter((op) => op.kind !== "chain").map((op) => `${op.kind} ${op.layers}`)).toEqual([
      "conv Conv1",
      "conv Conv_1",
      "pass average_pooling2d_1",
      "reshape flatten_1",
      "dense dense_1",
      "dense dense_2",
      "dense dense_3",
      "pass dense_3/activation",
    ]);
  });

  it("fused and unfused runs give identical bits", () => {
    const fused = loadLayersModel(full).predict(xs[3].x);
    expect(loadLayersModel(full, { fusion: "none" }).predict(xs[3].x).data).toEqual(fused.data);
    expect(loadLayersModel(full, { fusion: "separable" }).predict(xs[3].x).data).toEqual(fused.data);
  });

  it("cost: parameters per layer as tfjs counts them, multiply-adds from tfjs's shapes", () => {
    const cost = loadLayersModel(full).cost();
    expect(cost.params).toBe(tfModel.countParams());
    expect(cost.layers).toHaveLength(tfModel.layers.length);
    for (const layer of tfModel.layers) {
      const entry = cost.layers.find((l) => l.name === layer.name);
      expect(entry?.params, layer.name).toBe(layer.countParams());
      expect(entry?.macs, layer.name).toBe(tfLayerMacs(layer));
    }
    expect(cost.macs).toBe(tfModel.layers.reduce((sum, layer) => sum + tfLayerMacs(layer), 0));
    // About 300 M multiply-adds, as published for MobileNetV2 1.0 at 224x224.
    expect(cost.macs).toBe(299_855_360);
    expect(cost.layers.find((l) => l.name === "Conv1")?.macs).toBe(112 * 112 * 32 * 3 * 3 * 3);
  });
});
