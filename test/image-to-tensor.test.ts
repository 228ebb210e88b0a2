// imageToTensor beyond test/image.test.ts: a real 1920x1080 frame to 224x224 in each mode on
// every build against the reference (only the rows the resize reads are copied: the packed rows
// and the row table must agree), one-row and one-column images, RGB and RGBA sources as Uint8,
// Uint8Clamped and Float32 data, BGR as the reversed RGB, and the alignCorners + halfPixelCenters
// pair that tf.image.resizeBilinear refuses.

import { describe, expect, it } from "vitest";
import { type ImageSource, imageToTensor, init, type Tensor } from "../src/index.js";
import { activeRuntime } from "../src/init.js";
import { createTensor } from "../src/tensor.js";
import { caught, rng, WASM_BUILDS } from "./helpers.js";
import { kernelIn, kernelsRun } from "./testers/tester.js";

function pixels(width: number, height: number, channels: 3 | 4, seed: number): Uint8Array {
  const random = rng(seed);
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256);
  return data;
}

function close(got: Tensor, want: Tensor, tolerance: number, label: string): void {
  expect(got.shape, label).toEqual(want.shape);
  for (let i = 0; i < want.data.length; i++) {
    if (!(Math.abs(got.data[i] - want.data[i]) <= tolerance)) {
      expect.fail(`${label}: value ${i} is ${got.data[i]}, expected ${want.data[i]}`);
    }
  }
}

/** imageToTensor on the 'js' backend (the reference), then on every build, compared. */
async function everyBuild(source: ImageSource, options: object, label: string): Promise<void> {
  await init({ backend: "js" });
  const want = imageToTensor(source, options);
  let scale = 1;
  for (const v of want.data) scale = Math.max(scale, 1 + Math.abs(v));
  for (const build of WASM_BUILDS) {
    await init({ backend: build });
    let got: Tensor | undefined;
    const ran = kernelsRun(() => {
      got = imageToTensor(source, options);
    });
    expect(ran, label).toEqual([kernelIn("image_bilinear_u8", build)]);
    close(got as Tensor, want, 1e-4 * scale, `${build}: ${label}`);
  }
}

describe("a 1920x1080 RGBA frame to 224x224", () => {
  const frame = { data: new Uint8ClampedArray(pixels(1920, 1080, 4, 1)), width: 1920, height: 1080 };
  for (const [name, flags] of [
    ["asymmetric", {}],
    ["alignCorners", { alignCorners: true }],
    ["halfPixelCenters", { halfPixelCenters: true }],
  ] as const) {
    it(`${name}, to [-1, 1]: every build against the reference`, async () => {
      await everyBuild(frame, { size: [224, 224], scale: 1 / 127.5, mean: 1, ...flags }, name);
    });
  }

  it("copies only the source rows the resize reads (440 of 1080: two per output row, one where it lands on a row)", async () => {
    await init({ backend: "simd" });
    const heap = activeRuntime("test")?.heap;
    if (!heap) throw new Error("no runtime");
    const requests: number[][] = [];
    const real = heap.allocAll.bind(heap);
    heap.allocAll = (bytes, who) => {
      requests.push([...bytes]);
      return real(bytes, who);
    };
    try {
      imageToTensor(frame, { size: [224, 224] });
    } finally {
      heap.allocAll = real;
    }
    // The pixels of the rows read, the column and row tables, the floats.
    // 1080 / 224 = 4.82...: output rows 0, 28, 56, ... (8 of them) land on source rows 0, 135, 270, ...
    expect(requests[requests.length - 1][0]).toBe((2 * 224 - 8) * 1920 * 4);
    expect(requests[requests.length - 1][1]).toBe(224 * 12 + 1080 * 4);
  });
});

describe("thin images and every source form", () => {
  it("one row and one column, up and down", async () => {
    await everyBuild({ data: pixels(9, 1, 3, 2), width: 9, height: 1, channels: 3 }, { size: [4, 5] }, "9x1 RGB");
    await everyBuild({ data: pixels(1, 7, 4, 3), width: 1, height: 7, channels: 4 }, { size: [3, 6] }, "1x7 RGBA");
    await everyBuild({ data: pixels(1, 1, 4, 4), width: 1, height: 1 }, { size: [2, 3] }, "1x1 RGBA");
  });

  it("RGB and RGBA, Uint8, Uint8Clamped and Float32 data: the same tensor", async () => {
    await init();
    const rgba = pixels(12, 8, 4, 5);
    const rgb = rgba.filter((_, i) => i % 4 !== 3);
    const options = { size: [5, 7] as [number, number], mean: [120, 110, 100] as [number, number, number], std: 58 };
    const want = imageToTensor({ data: new Uint8ClampedArray(rgba), width: 12, height: 8 }, options);
    for (const [label, source] of [
      ["RGBA Uint8Array", { data: rgba, width: 12, height: 8, channels: 4 }],
      ["RGB Uint8Array", { data: rgb, width: 12, height: 8, channels: 3 }],
      ["RGB Uint8ClampedArray", { data: new Uint8ClampedArray(rgb), width: 12, height: 8, channels: 3 }],
      ["RGB Float32Array", { data: Float32Array.from(rgb), width: 12, height: 8, channels: 3 }],
      ["RGBA Float32Array", { data: Float32Array.from(rgba), width: 12, height: 8, channels: 4 }],
    ] as [string, ImageSource][]) {
      close(imageToTensor(source, options), want, 1e-5, label);
    }
  });

  it("BGR is the RGB result with its channels reversed, normalised per output channel", async () => {
    for (const build of WASM_BUILDS) {
      await init({ backend: build });
      const source = { data: pixels(10, 6, 3, 6), width: 10, height: 6, channels: 3 as const };
      const rgb = imageToTensor(source, { size: [4, 4], mean: [1, 2, 3], std: [4, 5, 6] });
      const bgr = imageToTensor(source, { size: [4, 4], channelOrder: "bgr", mean: [3, 2, 1], std: [6, 5, 4] });
      for (let p = 0; p < 16; p++) {
        for (let k = 0; k < 3; k++) {
          expect(bgr.data[p * 3 + k], `${build} pixel ${p}`).toBeCloseTo(rgb.data[p * 3 + 2 - k], 5);
        }
      }
    }
  });

  it("refuses alignCorners with halfPixelCenters, as tf.image.resizeBilinear", async () => {
    await init();
    const e = caught(() =>
      imageToTensor({ data: pixels(2, 2, 4, 7), width: 2, height: 2 }, { alignCorners: true, halfPixelCenters: true }),
    );
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe("imageToTensor: options.alignCorners and options.halfPixelCenters cannot both be true");
  });
});

describe("no write past the output", () => {
  it("the 12 bytes after an out tensor (its slack) stay unwritten on every build", async () => {
    for (const build of WASM_BUILDS) {
      await init({ backend: build });
      const heap = activeRuntime("test")?.heap;
      if (!heap) throw new Error("no runtime");
      // 1x1, a row of 5 (the last pixel ends 4 bytes before a 16-byte boundary) and 3x4.
      for (const [outH, outW] of [
        [1, 1],
        [1, 5],
        [3, 4],
      ]) {
        const size = outH * outW * 3;
        const out = createTensor([1, outH, outW, 3]);
        const end = out.pointerFor("test", "out", size) + size * 4;
        const bytes = () => new Uint8Array(heap.memory.buffer, end, 12);
        bytes().fill(0xa5);
        imageToTensor({ data: pixels(7, 5, 4, 8), width: 7, height: 5 }, { size: [outH, outW], mean: 9, out });
        expect(Array.from(bytes()), `${build} ${outH}x${outW}`).toEqual(new Array(12).fill(0xa5));
        out.dispose();
      }
    }
  });
});
