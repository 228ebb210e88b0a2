// loadTFLiteModel on the real .tflite files MediaPipe ships in npm, against LiteRT.js (TFLite
// with XNNPACK, in wasm; test/oracles/litert-node.ts) running the same file, on every build:
// BlazeFace short range (5x5 stem, channel-padding PADs on residuals, MAX_POOL, RESHAPE and
// CONCATENATION on axis 1, two outputs) and selfie segmentation (MobileNetV3-like: 5x5
// depthwise, HARD_SWISH, squeeze-excite with LOGISTIC and MUL, RESIZE_BILINEAR, MediaPipe's
// Convolution2DTransposeBias), both with float16 weights behind DEQUANTIZE.

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, loadTFLiteModel, type Tensor } from "../src/index.js";
import { ALL_BACKENDS, rng } from "./helpers.js";
import { litertModel, type OracleOutput } from "./oracles/litert-node.js";

/** A size x size RGB picture: gradients, a bright disc and noise, scaled to [low, high]. */
function picture(size: number, low: number, high: number, seed: number): Float32Array {
  const random = rng(seed);
  const data = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const disc = (x - size * 0.55) ** 2 + (y - size * 0.45) ** 2 < (size * 0.25) ** 2 ? 0.5 : 0;
      for (let c = 0; c < 3; c++) {
        const v = Math.min(1, 0.3 * (x / size) + 0.2 * (y / size) + disc + 0.1 * c + 0.15 * random());
        data[(y * size + x) * 3 + c] = low + (high - low) * v;
      }
    }
  }
  return data;
}

const MODELS = [
  {
    name: "BlazeFace (face_detection_short_range.tflite)",
    file: "node_modules/@mediapipe/face_detection/face_detection_short_range.tflite",
    size: 128,
    range: [-1, 1] as const,
    outputs: ["regressors", "classificators"],
  },
  {
    name: "selfie segmentation (selfie_segmentation.tflite)",
    file: "node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite",
    size: 256,
    range: [0, 1] as const,
    outputs: ["activation_10"],
  },
];

for (const m of MODELS) {
  describe(`${m.name} against LiteRT.js`, () => {
    const bytes = new Uint8Array(readFileSync(m.file));
    const inputs = [picture(m.size, m.range[0], m.range[1], 1), picture(m.size, m.range[0], m.range[1], 2).reverse()];
    const want: OracleOutput[][] = [];
    beforeAll(async () => {
      const oracle = await litertModel(bytes);
      expect(oracle.inputs[0].shape).toEqual([1, m.size, m.size, 3]);
      for (const x of inputs) want.push(await oracle.run([x]));
      oracle.delete();
    }, 60_000);

    for (const backend of ALL_BACKENDS) {
      it(`${backend}: every output within 1e-4 of LiteRT's, the same names and shapes`, async () => {
        await init({ backend });
        const model = loadTFLiteModel(bytes);
        expect(model.outputNames).toEqual(m.outputs);
        inputs.forEach((data, n) => {
          const got = model.predictAll({ data, shape: [1, m.size, m.size, 3] });
          for (const [i, w] of want[n].entries()) {
            expect(got[i].shape, w.name).toEqual(w.shape);
            let worst = 0;
            for (let k = 0; k < w.data.length; k++) worst = Math.max(worst, Math.abs(got[i].data[k] - w.data[k]));
            expect(worst, `${backend} image ${n} ${w.name}`).toBeLessThanOrEqual(1e-4);
          }
        });
        model.dispose();
      }, 60_000);
    }

    it("the outputs tell the two pictures apart (the comparison is not one case)", () => {
      expect(want[0][0].data).not.toEqual(want[1][0].data);
    });
  });
}

describe("what the models decide agrees with LiteRT's", () => {
  it("selfie segmentation: the same mask (> 0.5) pixel for pixel; BlazeFace: the same best anchors", async () => {
    await init();
    const selfie = MODELS[1];
    const bytes = new Uint8Array(readFileSync(selfie.file));
    const x = picture(256, 0, 1, 3);
    const oracle = await litertModel(bytes);
    const [w] = await oracle.run([x]);
    const [y] = loadTFLiteModel(bytes).predictAll({ data: x, shape: [1, 256, 256, 3] }) as Tensor[];
    const mask = (d: Float32Array) => Array.from(d, (v) => (v > 0.5 ? 1 : 0));
    expect(new Set(mask(w.data)).size, "the mask has both classes").toBe(2);
    expect(mask(y.data)).toEqual(mask(w.data));
    const face = MODELS[0];
    const faceBytes = new Uint8Array(readFileSync(face.file));
    const fx = picture(128, -1, 1, 4);
    const faceOracle = await litertModel(faceBytes);
    const [, scores] = await faceOracle.run([fx]);
    const [, ours] = loadTFLiteModel(faceBytes).predictAll({ data: fx, shape: [1, 128, 128, 3] });
    const best = (d: Float32Array) =>
      Array.from(d.keys())
        .sort((a, b) => d[b] - d[a])
        .slice(0, 10);
    expect(best(ours.data)).toEqual(best(scores.data));
  }, 60_000);
});
