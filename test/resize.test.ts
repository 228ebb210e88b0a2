// Tester of resize2d (resize_bilinear_c4 / _c1, resize_nearest_c4 / _c1) on every build: the
// same bits as the plain-JS reference (src/reference/resize.ts) on channel counts around the
// 4-lane tile (under it, one tile, one tile and a partial block, two tiles), up and down, 1x1 in
// and out, a batch, each of TensorFlow's coordinate modes; within float32 rounding of
// tfjs-core's CPU backend (tf.image.resizeBilinear / resizeNearestNeighbor); nothing written
// outside the output and the column table; non-finite values; resizeTensor's arguments.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { KERNEL_NAMES } from "../src/abi.generated.js";
import { resizeInto, resizeKernelName, resizeScratchBytes, resizeTensor } from "../src/image/resize.js";
import { createTensor, init, type Tensor } from "../src/index.js";
import { activeRuntime } from "../src/init.js";
import { type ResizeMode, resizeReference } from "../src/reference/resize.js";
import type { Kernels } from "../src/runtime.js";
import { ALL_BACKENDS, caught, randomTensor, rng, WASM_BUILDS } from "./helpers.js";
import { kernelIn } from "./testers/tester.js";

type Method = ResizeMode["method"];

/** The kernels resize2d reported while fn ran (none on the 'js' backend). */
function resizeKernelsRun(fn: () => void): string[] {
  const rt = activeRuntime("test");
  if (rt === null) {
    fn();
    return [];
  }
  const real = rt.kernels;
  const ran = new Set<string>();
  const spied: Kernels = {
    ...real,
    resize2d: (...args) => {
      const id = real.resize2d(...args);
      ran.add(kernelIn(KERNEL_NAMES[id] ?? `unknown_${id}`, rt.backend));
      return id;
    },
  };
  const writable = rt as { kernels: Kernels };
  writable.kernels = spied;
  try {
    fn();
  } finally {
    writable.kernels = real;
  }
  return [...ran];
}

function reference(x: Tensor, size: [number, number], mode: ResizeMode): Tensor {
  const [n, , , c] = x.shape;
  const data = new Float32Array(n * size[0] * size[1] * c);
  resizeReference(x.data, 0, x.shape, data, 0, size, mode);
  return { data, shape: [n, size[0], size[1], c] };
}

/** Bit for bit, NaN equal to NaN. */
function same(got: Tensor, want: Tensor, label: string): void {
  expect(got.shape, label).toEqual(want.shape);
  for (let i = 0; i < want.data.length; i++) {
    if (!Object.is(got.data[i], want.data[i]))
      expect.fail(`${label}: value ${i} is ${got.data[i]}, expected ${want.data[i]}`);
  }
}

const tile = (c: number) => (c < 4 ? "c_lt_tile" : c === 4 ? "c_eq_tile" : c % 4 === 0 ? "c_mult_tile" : "c_gt_tile");
const MODES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
];
const modeName = ([a, h]: [boolean, boolean]) => (a ? "alignCorners" : h ? "halfPixelCenters" : "asymmetric");
/** [input h, w] -> [output h, w]. */
const SIZES: [string, [number, number], [number, number]][] = [
  ["up 5x4 -> 11x9", [5, 4], [11, 9]],
  ["down 11x9 -> 3x4", [11, 9], [3, 4]],
  ["1x1 -> 3x5", [1, 1], [3, 5]],
  ["7x6 -> 1x1", [7, 6], [1, 1]],
  ["3x3 -> 5x5 (align corners lands on halves)", [3, 3], [5, 5]],
];
const CHANNELS = [1, 3, 4, 5, 8];

/** The kernel a build runs for c channels: c4 in the SIMD builds from 4 channels, c1 otherwise. */
function expected(method: Method, build: (typeof WASM_BUILDS)[number], c: number): string {
  return kernelIn(`resize_${method}_${build !== "scalar" && c >= 4 ? "c4" : "c1"}`, build);
}

for (const method of ["bilinear", "nearest"] as const) {
  describe(`resize_${method}: every build against the reference, bit for bit`, () => {
    for (const c of CHANNELS) {
      for (const flags of MODES) {
        it(`${tile(c)} (C=${c}), ${modeName(flags)}, batch 2, ${SIZES.length} sizes`, async () => {
          const mode = { method, alignCorners: flags[0], halfPixelCenters: flags[1] };
          for (const [name, [h, w], size] of SIZES) {
            const x = randomTensor(rng(c * 31 + h), [2, h, w, c]);
            const want = reference(x, size, mode);
            for (const build of WASM_BUILDS) {
              await init({ backend: build });
              let got: Tensor | undefined;
              const ran = resizeKernelsRun(() => {
                got = resizeTensor(x, size, method, { alignCorners: flags[0], halfPixelCenters: flags[1] });
              });
              expect(ran, `${build} ${name}`).toEqual([expected(method, build, c)]);
              expect(resizeKernelName(activeRuntime("test") as never, method, c)).toBe(expected(method, build, c));
              same(got as Tensor, want, `${build} ${name}`);
            }
          }
        });
      }
    }
  });
}

describe("within float32 rounding of tfjs-core's CPU kernels", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });
  for (const method of ["bilinear", "nearest"] as const) {
    for (const flags of MODES) {
      it(`${method}, ${modeName(flags)}: C = ${CHANNELS.join(", ")}, up, down and 1x1, on every backend`, async () => {
        for (const c of CHANNELS) {
          for (const [name, [h, w], size] of SIZES) {
            const x = randomTensor(rng(c + 7 * h), [2, h, w, c]);
            const want = tf.tidy(() => {
              const t = tf.tensor4d(x.data, [2, h, w, c]);
              const y =
                method === "bilinear"
                  ? tf.image.resizeBilinear(t, size, flags[0], flags[1])
                  : tf.image.resizeNearestNeighbor(t, size, flags[0], flags[1]);
              return y.dataSync() as Float32Array;
            });
            for (const backend of ALL_BACKENDS) {
              await init({ backend });
              const got = resizeTensor(x, size, method, { alignCorners: flags[0], halfPixelCenters: flags[1] });
              expect(got.shape).toEqual([2, ...size, c]);
              for (let i = 0; i < want.length; i++) {
                // Nearest copies values; bilinear blends in float32 where tfjs blends in double.
                const tolerance = method === "nearest" ? 0 : 4e-7;
                if (!(Math.abs(got.data[i] - want[i]) <= tolerance)) {
                  expect.fail(`${backend} C=${c} ${name}: value ${i} is ${got.data[i]}, tfjs ${want[i]}`);
                }
              }
            }
          }
        }
      });
    }
  }
});

describe("on arena pointers (what a model step calls)", () => {
  it("writes the output and the column table only, for every build, method and channel count", async () => {
    for (const build of WASM_BUILDS) {
      await init({ backend: build });
      const rt = activeRuntime("test");
      if (rt === null) throw new Error("no runtime");
      for (const method of ["bilinear", "nearest"] as const) {
        for (const c of [1, 3, 4, 5, 6, 7, 8, 9]) {
          const shape = [2, 4, 3, c];
          const size = [5, 7];
          const x = randomTensor(rng(c), shape);
          const outFloats = 2 * 5 * 7 * c;
          const tableBytes = resizeScratchBytes(method, 7);
          const guard = 16;
          // One block laid out as an arena: x, guard, y, guard, table, guard.
          const xAt = 0;
          const yAt = x.data.length + guard;
          const tAt = yAt + outFloats + guard;
          const total = tAt + tableBytes / 4 + guard;
          const base = rt.heap.alloc(total * 4, "test");
          try {
            const mem = rt.heap.f32();
            const block = mem.subarray(base >>> 2, (base >>> 2) + total);
            block.fill(-12345);
            // The guard after x differs from the others, so a read past x that lands in y's guard shows.
            block.fill(777.25, x.data.length, yAt);
            block.set(x.data, xAt);
            const mode = { method, alignCorners: false, halfPixelCenters: false };
            const id = resizeInto(rt, base + xAt * 4, shape, base + yAt * 4, size, mode, base + tAt * 4);
            expect(kernelIn(KERNEL_NAMES[id], build)).toBe(expected(method, build, c));
            const view = rt.heap.f32().subarray(base >>> 2, (base >>> 2) + total);
            const want = reference(x, [5, 7], { method, alignCorners: false, halfPixelCenters: false });
            same({ data: view.slice(yAt, yAt + outFloats), shape: want.shape }, want, `${build} ${method} C=${c}`);
            const untouched = [...view.subarray(yAt + outFloats, tAt), ...view.subarray(tAt + tableBytes / 4)];
            expect(
              view.subarray(x.data.length, yAt).every((v) => v === 777.25) && untouched.every((v) => v === -12345),
              `${build} ${method} C=${c}: guards`,
            ).toBe(true);
            same({ data: view.slice(0, x.data.length), shape }, x, `${build} ${method} C=${c}: input unchanged`);
          } finally {
            rt.heap.release(base);
          }
        }
      }
    }
  });
});

describe("non-finite values", () => {
  it("infinities and NaN give the reference's values on every build (inf - inf is NaN, as in tfjs)", async () => {
    for (const method of ["bilinear", "nearest"] as const) {
      for (const c of [3, 4, 6]) {
        const x = randomTensor(rng(c + 99), [1, 4, 4, c]);
        x.data[0] = Number.POSITIVE_INFINITY;
        x.data[c + 1] = Number.NEGATIVE_INFINITY;
        x.data[5 * c] = Number.NaN;
        const mode = { method, alignCorners: false, halfPixelCenters: true };
        const want = reference(x, [7, 9], mode);
        expect(want.data.some(Number.isNaN)).toBe(true);
        for (const build of WASM_BUILDS) {
          await init({ backend: build });
          same(resizeTensor(x, [7, 9], method, { halfPixelCenters: true }), want, `${build} ${method} C=${c}`);
        }
      }
    }
  });
});

describe("resizeTensor: in place, out, and bad arguments", () => {
  it("reads and writes createTensor tensors in place and fills a plain out", async () => {
    await init();
    const x = randomTensor(rng(5), [1, 6, 6, 4]);
    const want = reference(x, [3, 3], { method: "bilinear", alignCorners: false, halfPixelCenters: false });
    const xIn = createTensor(x.shape, x.data);
    const out = createTensor([1, 3, 3, 4]);
    expect(resizeTensor(xIn, [3, 3], "bilinear", { out })).toBe(out);
    same(out, want, "in place");
    const plain = { data: new Float32Array(36), shape: [1, 3, 3, 4] };
    expect(resizeTensor(x, [3, 3], "bilinear", { out: plain })).toBe(plain);
    same(plain, want, "plain out");
    xIn.dispose();
    out.dispose();
  });

  it.each([
    [
      "a 3-D x",
      () => resizeTensor({ data: new Float32Array(4), shape: [2, 2, 1] }, [2, 2]),
      RangeError,
      /x\.shape \(\[2, 2, 1\]\) must have 4 dimensions/,
    ],
    [
      "a fractional size",
      () => resizeTensor(randomTensor(rng(1), [1, 2, 2, 1]), [2.5, 2]),
      RangeError,
      /size\[0\] \(2\.5\) must be an integer from 1 to 16384/,
    ],
    [
      "a huge size",
      () => resizeTensor(randomTensor(rng(1), [1, 2, 2, 1]), [2, 20000]),
      RangeError,
      /size\[1\] \(20000\) must be an integer from 1 to 16384/,
    ],
    [
      "a size of 3",
      () => resizeTensor(randomTensor(rng(1), [1, 2, 2, 1]), [2, 2, 2] as never),
      TypeError,
      /size \(\[2, 2, 2\]\) must be \[height, width\]/,
    ],
    [
      "an unknown method",
      () => resizeTensor(randomTensor(rng(1), [1, 2, 2, 1]), [2, 2], "bicubic" as never),
      RangeError,
      /method \("bicubic"\) must be "bilinear" or "nearest"/,
    ],
    [
      "an unknown option",
      () => resizeTensor(randomTensor(rng(1), [1, 2, 2, 1]), [2, 2], "bilinear", { antialias: true } as never),
      TypeError,
      /options\.antialias is not an option/,
    ],
    [
      "a non-boolean flag",
      () => resizeTensor(randomTensor(rng(1), [1, 2, 2, 1]), [2, 2], "nearest", { alignCorners: 1 } as never),
      TypeError,
      /options\.alignCorners \(1\) must be true or false/,
    ],
    [
      "both flags",
      () =>
        resizeTensor(randomTensor(rng(1), [1, 2, 2, 1]), [2, 2], "bilinear", {
          alignCorners: true,
          halfPixelCenters: true,
        }),
      RangeError,
      /cannot both be true/,
    ],
    [
      "an out of another shape",
      () =>
        resizeTensor(randomTensor(rng(1), [1, 2, 2, 1]), [3, 3], "bilinear", {
          out: { data: new Float32Array(4), shape: [1, 2, 2, 1] },
        }),
      RangeError,
      /options\.out\.shape \(\[1, 2, 2, 1\]\) must be \[1, 3, 3, 1\]/,
    ],
    [
      "out = x",
      () => {
        const x = randomTensor(rng(1), [1, 2, 2, 1]);
        return resizeTensor(x, [2, 2], "bilinear", { out: x });
      },
      RangeError,
      /options\.out .* must not share memory with x/,
    ],
  ])("%s", async (_, call, kind, message) => {
    await init();
    const e = caught(call);
    expect(e).toBeInstanceOf(kind);
    expect(e.message).toMatch(/^resize: /);
    expect(e.message).toMatch(message);
  });
});
