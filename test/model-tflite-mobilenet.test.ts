// nsfwjs's MobileNetV2 written as a float32 .tflite (bench/tflite-mobilenet.mjs): sepconv's
// loadTFLiteModel against LiteRT.js and against loadLayersModel on the same weights.
import { beforeAll, describe, expect, it } from "vitest";
import { nsfwjsArtifacts } from "../bench/nsfwjs-model.mjs";
import { mobilenetV2Tflite } from "../bench/tflite-mobilenet.mjs";
import { init, loadLayersModel, loadTFLiteModel } from "../src/index.js";
import { litertModel } from "./oracles/litert-node.js";

const shape = [1, 224, 224, 3];
const pixels = Float32Array.from({ length: 224 * 224 * 3 }, (_, i) => ((i * 7919) % 256) / 255);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
const top1 = (a: ArrayLike<number>) => Array.from(a).indexOf(Math.max(...Array.from(a)));

describe("MobileNetV2 as a float32 .tflite", () => {
  let bytes: Uint8Array;
  let ours: Float32Array;
  beforeAll(async () => {
    bytes = await mobilenetV2Tflite();
    await init({ backend: "relaxed-simd" });
    const model = loadTFLiteModel(bytes);
    ours = Float32Array.from(model.predictAll({ data: pixels, shape })[0].data);
    model.dispose();
  }, 60_000);

  it("matches LiteRT.js within 1e-4, same top-1", async () => {
    const lrt = await litertModel(bytes);
    const theirs = (await lrt.run([pixels]))[0].data;
    lrt.delete();
    expect(ours.length).toBe(5);
    expect(maxDiff(ours, theirs)).toBeLessThan(1e-4);
    expect(top1(ours)).toBe(top1(theirs));
  }, 30_000);

  it("matches loadLayersModel on the same weights", () => {
    const model = loadLayersModel(nsfwjsArtifacts("mobilenet_v2"));
    const layers = model.predictAll({ data: pixels, shape })[0].data;
    model.dispose();
    expect(maxDiff(ours, layers)).toBeLessThan(1e-4);
    expect(top1(ours)).toBe(top1(layers));
  }, 30_000);
});
