// Shared by the model tests: TensorFlow.js layers models as artifacts, seeded weights, tfjs
// predictions as sepconv tensors, and comparison by the largest magnitude.

import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { expect } from "vitest";
import type { ModelArtifacts, Tensor } from "../src/index.js";
import { rng } from "./helpers.js";

/** What model.save() writes, captured in memory (float32 weights). */
export async function artifactsOf(model: tfl.LayersModel): Promise<ModelArtifacts & tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return saved as ModelArtifacts & tf.io.ModelArtifacts;
}

/** A copy of artifacts whose JSON topology can be edited freely. */
export function cloneArtifacts<T extends { modelTopology: unknown }>(artifacts: T): T {
  return { ...artifacts, modelTopology: JSON.parse(JSON.stringify(artifacts.modelTopology)) };
}

/**
 * Replaces tfjs's random initial weights with seeded ones (run to run reproducible): batch norm
 * gamma and variance in [0.5, 1.5], everything else in [-scale, scale].
 */
export function seedWeights(model: tfl.LayersModel, seed: number, scale = 0.5): void {
  const random = rng(seed);
  const values = model.weights.map((w) => {
    const shape = w.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const positive = /gamma|variance/.test(w.originalName);
    for (let i = 0; i < size; i++) data[i] = positive ? 0.5 + random() : (random() * 2 - 1) * scale;
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  for (const v of values) v.dispose();
}

export function tfPredict(model: tfl.LayersModel, x: Tensor): Tensor {
  return tf.tidy(() => {
    const y = model.predict(tf.tensor(x.data, x.shape)) as tf.Tensor;
    return { data: y.dataSync() as Float32Array, shape: y.shape };
  });
}

/** |got - want| <= relative * max|want| + 1e-6 for every element, shapes equal. */
export function expectNear(got: Tensor, want: Tensor, relative: number, label: string): void {
  expect(got.shape, `${label}: shape`).toEqual(want.shape);
  let max = 0;
  for (const v of want.data) max = Math.max(max, Math.abs(v));
  const tolerance = relative * max + 1e-6;
  for (let i = 0; i < want.data.length; i++) {
    if (!(Math.abs(got.data[i] - want.data[i]) <= tolerance)) {
      expect.fail(
        `${label}: element ${i} is ${got.data[i]}, expected ${want.data[i]} (tolerance ${tolerance.toExponential(2)})`,
      );
    }
  }
}

/**
 * Multiply-adds of one image through a tfjs layer, from its output shape and weight shapes
 * alone (independent of sepconv's cost code): outputs x weights feeding each output.
 */
export function tfLayerMacs(layer: tfl.layers.Layer): number {
  const outputs = (layer.outputShape as number[]).slice(1).reduce((a, b) => a * b, 1);
  const shapes = layer.getWeights().map((w) => w.shape as number[]);
  switch (layer.getClassName()) {
    case "Conv2D":
    case "Dense":
      return outputs * shapes[0].slice(0, -1).reduce((a, b) => a * b, 1);
    case "DepthwiseConv2D":
      return outputs * shapes[0][0] * shapes[0][1];
    case "SeparableConv2D": {
      const [kH, kW, channels, multiplier] = shapes[0];
      const cout = shapes[1][3];
      return (outputs / cout) * channels * multiplier * (kH * kW + cout);
    }
    default:
      return 0;
  }
}
