// Every argument imageToTensor refuses, on every backend: the error's class and its whole
// message (the argument, its value, what was expected), and that nothing was allocated (the
// heap's live bytes and memory size unchanged, even for a claimed 16384 x 16384 frame).

import { describe, expect, it } from "vitest";
import type { ImageSource, ImageToTensorOptions } from "../src/image/index.js";
import { imageToTensor } from "../src/image/index.js";
import { activeRuntime, init } from "../src/init.js";
import { createTensor } from "../src/tensor.js";
import { ALL_BACKENDS, caught } from "./helpers.js";

const ok: ImageSource = { data: new Uint8ClampedArray(4 * 3 * 4), width: 4, height: 3 };
const rgb: ImageSource = { data: new Uint8Array(4 * 3 * 3), width: 4, height: 3, channels: 3 };
const P = "imageToTensor: ";

const CASES: [string, unknown, unknown, ErrorConstructor, string][] = [
  [
    "no source",
    undefined,
    undefined,
    TypeError,
    "source (undefined) must be an ImageData or { data, width, height, channels }",
  ],
  ["a null source", null, {}, TypeError, "source (null) must be an ImageData or { data, width, height, channels }"],
  ["a number", 7, {}, TypeError, "source (7) must be an ImageData or { data, width, height, channels }"],
  [
    "data as a plain array",
    { ...ok, data: [1, 2, 3] },
    {},
    TypeError,
    "source.data ([1, 2, 3]) must be a Uint8ClampedArray, Uint8Array or Float32Array",
  ],
  [
    "Int16 data",
    { ...ok, data: new Int16Array(48) },
    {},
    TypeError,
    "source.data (Int16Array(48)) must be a Uint8ClampedArray, Uint8Array or Float32Array",
  ],
  [
    "no data",
    { width: 4, height: 3 },
    {},
    TypeError,
    "source.data (undefined) must be a Uint8ClampedArray, Uint8Array or Float32Array",
  ],
  ["width 0", { ...ok, width: 0 }, {}, RangeError, "source.width (0) must be an integer from 1 to 16384"],
  ["a negative width", { ...ok, width: -4 }, {}, RangeError, "source.width (-4) must be an integer from 1 to 16384"],
  [
    "a fractional height",
    { ...ok, height: 2.5 },
    {},
    RangeError,
    "source.height (2.5) must be an integer from 1 to 16384",
  ],
  ["a string height", { ...ok, height: "3" }, {}, RangeError, 'source.height ("3") must be an integer from 1 to 16384'],
  [
    "a width over 16384",
    { ...ok, width: 16385 },
    {},
    RangeError,
    "source.width (16385) must be an integer from 1 to 16384",
  ],
  [
    "a NaN height",
    { ...ok, height: Number.NaN },
    {},
    RangeError,
    "source.height (NaN) must be an integer from 1 to 16384",
  ],
  ["2 channels", { ...ok, channels: 2 }, {}, RangeError, "source.channels (2) must be 3 or 4"],
  ['channels "4"', { ...ok, channels: "4" }, {}, RangeError, 'source.channels ("4") must be 3 or 4'],
  [
    "RGBA data called RGB",
    { ...ok, channels: 3 },
    {},
    RangeError,
    "source.data.length (48) must be width * height * channels (4 * 3 * 3 = 36)",
  ],
  [
    "RGB data without channels (RGBA assumed)",
    { ...rgb, channels: undefined },
    {},
    RangeError,
    "source.data.length (36) must be width * height * channels (4 * 3 * 4 = 48)",
  ],
  [
    "a claimed 16384 x 16384 frame over 48 bytes",
    { ...ok, width: 16384, height: 16384 },
    {},
    RangeError,
    "source.data.length (48) must be width * height * channels (16384 * 16384 * 4 = 1073741824)",
  ],
  ["options a string", ok, "224", TypeError, 'options ("224") must be an object'],
  [
    "an unknown option",
    ok,
    { resize: [2, 2] },
    TypeError,
    "options.resize is not an option (expected size, alignCorners, halfPixelCenters, scale, mean, std, channelOrder, out)",
  ],
  ["size a number", ok, { size: 224 }, TypeError, "options.size (224) must be [height, width]"],
  ["size of 3", ok, { size: [1, 2, 3] }, TypeError, "options.size ([1, 2, 3]) must be [height, width]"],
  ["size[0] 0", ok, { size: [0, 2] }, RangeError, "options.size[0] (0) must be an integer from 1 to 16384"],
  [
    "size[1] fractional",
    ok,
    { size: [2, 2.5] },
    RangeError,
    "options.size[1] (2.5) must be an integer from 1 to 16384",
  ],
  [
    "size[1] over 16384",
    ok,
    { size: [2, 20000] },
    RangeError,
    "options.size[1] (20000) must be an integer from 1 to 16384",
  ],
  ["scale NaN", ok, { scale: Number.NaN }, TypeError, "options.scale (NaN) must be a finite number"],
  ["scale a string", ok, { scale: "1/255" }, TypeError, 'options.scale ("1/255") must be a finite number'],
  ["mean of 2", ok, { mean: [1, 2] }, TypeError, "options.mean ([1, 2]) must be a finite number or [r, g, b] of them"],
  [
    "mean with Infinity",
    ok,
    { mean: [1, Number.POSITIVE_INFINITY, 3] },
    TypeError,
    "options.mean ([1, Infinity, 3]) must be a finite number or [r, g, b] of them",
  ],
  ["std a string", ok, { std: "1" }, TypeError, 'options.std ("1") must be a finite number or [r, g, b] of them'],
  ["std 0", ok, { std: 0 }, RangeError, "options.std (0) must not be 0"],
  ["a std channel 0", ok, { std: [1, 0, 1] }, RangeError, "options.std ([1, 0, 1]) must not be 0"],
  [
    "channelOrder rgba",
    ok,
    { channelOrder: "rgba" },
    RangeError,
    'options.channelOrder ("rgba") must be "rgb" or "bgr"',
  ],
  ["channelOrder RGB", ok, { channelOrder: "RGB" }, RangeError, 'options.channelOrder ("RGB") must be "rgb" or "bgr"'],
  ["alignCorners 1", ok, { alignCorners: 1 }, TypeError, "options.alignCorners (1) must be true or false"],
  [
    "halfPixelCenters a string",
    ok,
    { halfPixelCenters: "true" },
    TypeError,
    'options.halfPixelCenters ("true") must be true or false',
  ],
  [
    "both alignCorners and halfPixelCenters",
    ok,
    { alignCorners: true, halfPixelCenters: true },
    RangeError,
    "options.alignCorners and options.halfPixelCenters cannot both be true",
  ],
  [
    "out null",
    ok,
    { out: null },
    TypeError,
    "options.out (null) must be a tensor { data: Float32Array, shape: number[] }",
  ],
  [
    "out a Float32Array",
    ok,
    { out: new Float32Array(36) },
    TypeError,
    "options.out (Float32Array(36)) must be a tensor { data: Float32Array, shape: number[] }",
  ],
  [
    "out of another shape",
    ok,
    { out: { data: new Float32Array(12), shape: [1, 2, 2, 3] } },
    RangeError,
    "options.out.shape ([1, 2, 2, 3]) must equal the output shape [1, 3, 4, 3]",
  ],
  [
    "out with 4 channels",
    ok,
    { out: { data: new Float32Array(48), shape: [1, 3, 4, 4] } },
    RangeError,
    "options.out.shape ([1, 3, 4, 4]) must equal the output shape [1, 3, 4, 3]",
  ],
  [
    "out not sized for the options' size",
    ok,
    { size: [2, 2], out: { data: new Float32Array(36), shape: [1, 3, 4, 3] } },
    RangeError,
    "options.out.shape ([1, 3, 4, 3]) must equal the output shape [1, 2, 2, 3]",
  ],
];

describe("imageToTensor refuses bad arguments by name, allocating nothing", () => {
  for (const backend of ALL_BACKENDS) {
    it(`${backend}: ${CASES.length} refusals`, async () => {
      await init({ backend });
      const heap = activeRuntime("test")?.heap;
      const used = heap?.usedBytes;
      const memory = heap?.byteLength;
      for (const [name, source, options, kind, message] of CASES) {
        const e = caught(() => imageToTensor(source as ImageSource, options as ImageToTensorOptions));
        expect(e, name).toBeInstanceOf(kind);
        expect(e.message, name).toBe(P + message);
      }
      expect(heap?.usedBytes).toBe(used);
      expect(heap?.byteLength).toBe(memory);
    });
  }

  it("out.data of another length than its shape, a disposed out, out sharing the pixels' memory", async () => {
    for (const backend of ALL_BACKENDS) {
      await init({ backend });
      let e = caught(() => imageToTensor(ok, { out: { data: new Float32Array(35), shape: [1, 3, 4, 3] } }));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toMatch(/^imageToTensor: options\.out\.data\.length \(35\) must .*36/);
      if (backend !== "js") {
        const t = createTensor([1, 3, 4, 3]);
        t.dispose();
        e = caught(() => imageToTensor(ok, { out: t }));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toMatch(
          /^imageToTensor: options\.out \(.*\) must be a live tensor \(this one was disposed\)$/,
        );
      }
      const floats = new Float32Array(36);
      e = caught(() =>
        imageToTensor(
          { data: floats, width: 4, height: 3, channels: 3 },
          { out: { data: floats, shape: [1, 3, 4, 3] } },
        ),
      );
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe(`${P}options.out.data and source.data share memory; out must be another buffer`);
    }
  });
});
