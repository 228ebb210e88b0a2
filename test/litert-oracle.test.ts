// The LiteRT.js oracle (test/oracles/litert.ts) on its own: MediaPipe's BlazeFace short range and
// selfie segmentation load and run in Node, report the names and shapes the models declare, give
// finite, non-constant outputs of those shapes, and the same bits twice for the same input.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rng } from "./helpers.js";
import { litertBuild, litertInfo, litertRun } from "./oracles/litert.js";

const MODELS = [
  {
    file: "node_modules/@mediapipe/face_detection/face_detection_short_range.tflite",
    range: [-1, 1],
    inputs: [{ name: "input", shape: [1, 128, 128, 3], dtype: "float32" }],
    outputs: [
      { name: "regressors", shape: [1, 896, 16], dtype: "float32" },
      { name: "classificators", shape: [1, 896, 1], dtype: "float32" },
    ],
  },
  {
    file: "node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite",
    range: [0, 1],
    inputs: [{ name: "input_1", shape: [1, 256, 256, 3], dtype: "float32" }],
    outputs: [{ name: "activation_10", shape: [1, 256, 256, 1], dtype: "float32" }],
  },
];

function uniform(seed: number, length: number, [low, high]: number[]): Float32Array {
  const random = rng(seed);
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = low! + (high! - low!) * random();
  return data;
}

describe("LiteRT.js oracle in Node", () => {
  it("loads the build the engine's features select (relaxed SIMD when the V8 flag is on)", async () => {
    const relaxed =
      !process.versions.node.startsWith("20.") || process.execArgv.includes("--experimental-wasm-relaxed-simd");
    expect(await litertBuild()).toBe(relaxed ? "litert_wasm_internal.js" : "litert_wasm_compat_internal.js");
  });

  for (const m of MODELS) {
    describe(m.file.split("/").pop()!, () => {
      const bytes = new Uint8Array(readFileSync(m.file));

      it("reports the inputs and outputs the model declares", async () => {
        expect(await litertInfo(bytes)).toEqual({ inputs: m.inputs, outputs: m.outputs });
      });

      it("runs a seeded input: every output of its shape, finite, not constant, the same twice", async () => {
        const size = m.inputs[0]!.shape.reduce((a, b) => a * b, 1);
        const input = uniform(7, size, m.range);
        const first = await litertRun(bytes, [input]);
        const second = await litertRun(bytes, [input.slice()]);
        expect(first.map(({ name, shape }) => ({ name, shape }))).toEqual(
          m.outputs.map(({ name, shape }) => ({ name, shape })),
        );
        for (const [i, out] of first.entries()) {
          expect(out.data).toBeInstanceOf(Float32Array);
          expect(out.data.length).toBe(out.shape.reduce((a, b) => a * b, 1));
          expect(out.data.every(Number.isFinite), `${out.name} finite`).toBe(true);
          expect(
            out.data.some((v) => v !== out.data[0]),
            `${out.name} not constant`,
          ).toBe(true);
          expect(
            Buffer.from(second[i]!.data.buffer).equals(Buffer.from(out.data.buffer)),
            `${out.name} repeatable`,
          ).toBe(true);
        }
        // A different input gives a different answer (the outputs depend on the input at all).
        const other = await litertRun(bytes, [uniform(8, size, m.range)]);
        expect(Buffer.from(other[0]!.data.buffer).equals(Buffer.from(first[0]!.data.buffer))).toBe(false);
      });

      it("refuses inputs of the wrong count or size by name", async () => {
        const size = m.inputs[0]!.shape.reduce((a, b) => a * b, 1);
        await expect(litertRun(bytes, [])).rejects.toThrow(/has 1 inputs, got 0/);
        await expect(litertRun(bytes, [new Float32Array(size - 1)])).rejects.toThrow(
          new RegExp(`input 0 \\(${m.inputs[0]!.name}\\)`),
        );
      });
    });
  }
});
