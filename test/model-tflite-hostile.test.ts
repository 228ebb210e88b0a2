// TFLite files from strangers: loadTFLiteModel on corrupted and truncated copies of a real
// model (BlazeFace, from @mediapipe/face_detection) and on things that are not TFLite files.
// Every outcome is a model that runs or a RangeError/TypeError naming loadTFLiteModel: never
// a wasm trap, an engine error from a bad offset, a hang or a read outside the file.

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, loadTFLiteModel, type Tensor } from "../src/index.js";
import { caught, rng } from "./helpers.js";

const FILE = "node_modules/@mediapipe/face_detection/face_detection_short_range.tflite";
const base = new Uint8Array(readFileSync(FILE));

beforeAll(() => init());

/** Loads and runs `bytes`: "ran", or the refusal (any other error fails the test). */
function outcome(bytes: Uint8Array, label: string): "ran" | "refused" {
  try {
    const model = loadTFLiteModel(bytes);
    const shape = model.inputShape.map((d) => d ?? 1);
    const x: Tensor = { data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape };
    model.predictAll(x);
    model.dispose();
    return "ran";
  } catch (error) {
    const e = error as Error;
    const named = (e instanceof RangeError || e instanceof TypeError) && /^(loadTFLiteModel|predict)/.test(e.message);
    if (!named) expect.fail(`${label}: ${e.name}: ${e.message}`);
    return "refused";
  }
}

describe("corrupted and truncated files", () => {
  it("600 copies with 1-4 random bytes changed run or are refused by name", () => {
    const random = rng(7);
    const seen = { ran: 0, refused: 0 };
    for (let n = 0; n < 600; n++) {
      const bytes = base.slice();
      const count = 1 + Math.floor(random() * 4);
      // Most of the file is weights; aim half the changes at the FlatBuffer's tables (its first 20 KB).
      for (let j = 0; j < count; j++) {
        const at = Math.floor(random() * (random() < 0.5 ? 20_000 : bytes.length));
        bytes[at] = Math.floor(random() * 256);
      }
      seen[outcome(bytes, `copy ${n}`)]++;
    }
    expect(seen.refused).toBeGreaterThan(50);
    expect(seen.ran).toBeGreaterThan(50);
  }, 120_000);

  it("every truncation at 1/64 steps of the file is refused", () => {
    for (let k = 0; k < 64; k++) {
      const length = Math.floor((base.length * k) / 64);
      expect(outcome(base.subarray(0, length), `first ${length} bytes`)).toBe("refused");
    }
  });

  it("not a TFLite file, or not bytes, says what it is", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    expect(caught(() => loadTFLiteModel(png)).message).toMatch(
      /^loadTFLiteModel: the file is not a TFLite model \(its identifier is .*, not "TFL3"\)/,
    );
    expect(caught(() => loadTFLiteModel(new Uint8Array(3))).message).toMatch(
      /the file has 3 bytes; a TFLite model has at least 8/,
    );
    const e = caught(() => loadTFLiteModel({ bytes: base } as never));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/^loadTFLiteModel: model \(.*\) must be the file's bytes/);
  });
});
