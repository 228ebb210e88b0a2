// The InceptionV3 (299x299, 5 classes) that nsfwjs ships as a layers model: 94 convs in
// branches joined by 15 Concatenates, max and average pools, a Flatten and Dense head. One
// image through tfjs-layers on the CPU backend (about 15 s) is the oracle for every build.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { nsfwjsArtifacts } from "../bench/nsfwjs-model.mjs";
import { init, loadLayersModel, type Tensor } from "../src/index.js";
import { ALL_BACKENDS, rng } from "./helpers.js";
import { tfPredict } from "./model-helpers.js";

const artifacts = nsfwjsArtifacts("inception_v3");
/** Pixels in [0, 1] with structure (a gradient and stripes) plus noise. */
const x: Tensor = (() => {
  const random = rng(29);
  const data = new Float32Array(299 * 299 * 3);
  for (let i = 0; i < data.length; i++) {
    const p = Math.floor(i / 3);
    const [row, col, c] = [Math.floor(p / 299), p % 299, i % 3];
    data[i] = Math.min(1, Math.max(0, 0.4 * (row / 299) + 0.3 * ((col >> 4) % 2) + 0.1 * c + 0.2 * random()));
  }
  return { data, shape: [1, 299, 299, 3] };
})();
let want: Tensor;

beforeAll(async () => {
  await tf.setBackend("cpu");
  const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
  want = tfPredict(model, x);
  model.dispose();
}, 120_000);

describe("InceptionV3 (nsfwjs weights) against tfjs-layers", () => {
  for (const backend of ALL_BACKENDS) {
    it(`${backend}: probabilities within 1e-5 and the same top class`, async () => {
      await init({ backend });
      const model = loadLayersModel(artifacts);
      expect(model.inputShape).toEqual([null, 299, 299, 3]);
      const y = model.predict(x);
      expect(y.shape).toEqual([1, 5]);
      const top = (t: Tensor) => t.data.indexOf(Math.max(...t.data));
      expect(top(y)).toBe(top(want));
      for (let k = 0; k < 5; k++) expect(Math.abs(y.data[k] - want.data[k]), `class ${k}`).toBeLessThanOrEqual(1e-5);
      model.dispose();
    }, 120_000);
  }
});
