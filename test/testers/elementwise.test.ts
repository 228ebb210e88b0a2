// Tester of the elementwise microkernels (add_c4, mul_c4, sigmoid_c4) and of resize2d as a
// model's resize step, on every build, through one-op graph models, against the plain-JS passes
// the 'js' backend runs: sizes around the 4-lane tile (the scalar tail), gates of 1 to 9 channels
// over a batch, resizes of channel counts around the tile in each of TensorFlow's coordinate
// modes, up and down, over a batch of 2. (test/resize.test.ts tests resize2d itself.)

import { describe, expect, it } from "vitest";
import { type Backend, init, loadGraphModel, type ModelArtifacts, type Tensor } from "../../src/index.js";
import { attr, GraphBuilder } from "../graph-model-builder.js";
import { expectClose, randomTensor, rng, WASM_BUILDS } from "../helpers.js";
import { kernelIn, kernelsRun } from "./tester.js";

async function run(backend: Backend, artifacts: ModelArtifacts, x: Tensor) {
  await init({ backend });
  const model = loadGraphModel(artifacts);
  let y: Tensor | undefined;
  const ran = kernelsRun(() => {
    y = model.predict(x);
  });
  model.dispose();
  return { y: y as Tensor, ran };
}

/** kernel: its base name, or its full name per build. */
async function check(kernel: string | ((build: Backend) => string), artifacts: ModelArtifacts, x: Tensor) {
  const want = (await run("js", artifacts, x)).y;
  for (const build of WASM_BUILDS) {
    const { y, ran } = await run(build, artifacts, x);
    expect(ran, build).toContain(typeof kernel === "string" ? kernelIn(kernel, build) : kernel(build));
    expectClose(y, want, 4, build);
  }
}

const tile = (n: number) => (n < 4 ? "lt_tile" : n === 4 ? "eq_tile" : n % 4 === 0 ? "mult_tile" : "gt_tile");

describe("add_c4: the sum of two computed tensors", () => {
  for (const c of [1, 3, 4, 5, 9]) {
    it(`n_${tile(c * 3)} (2 x 1 x 3 x ${c} values)`, async () => {
      const g = new GraphBuilder(c);
      const x = g.input([-1, 1, 3, c]);
      g.op("AddV2", [g.op("Relu", [x]), g.op("Sigmoid", [x])]);
      await check("add_c4", g.artifacts(), randomTensor(rng(c), [2, 1, 3, c]));
    });
  }
});

describe("mul_c4: a per-image gate over the pixels, and two tensors of one shape", () => {
  for (const c of [1, 3, 4, 6, 9]) {
    it(`gate c_${tile(c)} (C=${c}), batch 2, gate first in the file`, async () => {
      const g = new GraphBuilder(c);
      const x = g.input([-1, 3, 2, c]);
      const gate = g.op("Sigmoid", [g.op("Mean", [x, g.intConst([2], [1, 2])], { keep_dims: attr.bool(true) })]);
      g.op("Mul", [gate, x]);
      await check("mul_c4", g.artifacts(), randomTensor(rng(c + 10), [2, 3, 2, c]));
    });
  }
  it("same shape, n_gt_tile", async () => {
    const g = new GraphBuilder(3);
    const x = g.input([-1, 3, 3, 5]);
    g.op("Mul", [x, g.op("Tanh", [x])]);
    await check("mul_c4", g.artifacts(), randomTensor(rng(3), [1, 3, 3, 5]));
  });
});

const resizeKernel = (method: string, c: number) => (build: Backend) =>
  kernelIn(`resize_${method}_${build !== "scalar" && c >= 4 ? "c4" : "c1"}`, build);

for (const [op, method] of [
  ["ResizeBilinear", "bilinear"],
  ["ResizeNearestNeighbor", "nearest"],
] as const) {
  describe(`${op}: resize_${method}_c4 / _c1 as a model step`, () => {
    for (const c of [1, 3, 4, 5, 8]) {
      for (const [alignCorners, halfPixelCenters] of [
        [false, false],
        [true, false],
        [false, true],
      ]) {
        it(`c_${tile(c)} (C=${c}), align_corners ${alignCorners}, half_pixel_centers ${halfPixelCenters}, up then down`, async () => {
          const g = new GraphBuilder(c);
          const attrs = { align_corners: attr.bool(alignCorners), half_pixel_centers: attr.bool(halfPixelCenters) };
          const up = g.op(op, [g.input([-1, 5, 4, c]), g.intConst([2], [11, 9])], attrs);
          g.op(op, [up, g.intConst([2], [3, 1])], attrs);
          await check(resizeKernel(method, c), g.artifacts(), randomTensor(rng(c * 7), [2, 5, 4, c]));
        });
      }
    }
  });
}

describe("sigmoid_c4: a polynomial exp, within 1e-6 of 1 / (1 + exp(-x))", () => {
  for (const n of [1, 3, 4, 5, 9]) {
    it(`n_${tile(n * 4)} (2 x 2 x ${n} values) across [-100, 100], with NaN and infinities`, async () => {
      const g = new GraphBuilder(n);
      g.op("Sigmoid", [g.input([-1, 2, 2, n])]);
      const x = randomTensor(rng(n + 40), [1, 2, 2, n]);
      for (let i = 0; i < x.data.length; i++) x.data[i] *= 100;
      x.data[0] = Number.NaN;
      if (x.data.length > 2) x.data[1] = Number.POSITIVE_INFINITY;
      if (x.data.length > 3) x.data[2] = Number.NEGATIVE_INFINITY;
      const want = (await run("js", g.artifacts(), x)).y;
      for (const build of WASM_BUILDS) {
        const { y, ran } = await run(build, g.artifacts(), x);
        expect(ran, build).toContain(kernelIn("sigmoid_c4", build));
        expect(Number.isNaN(y.data[0]), `${build} NaN`).toBe(true);
        for (let i = 1; i < want.data.length; i++) {
          expect(Math.abs(y.data[i] - want.data[i]), `${build} value ${i} (x = ${x.data[i]})`).toBeLessThanOrEqual(
            1e-6,
          );
        }
      }
    });
  }
  it("dense values in [-8, 8] (where the curve bends) within 2e-7 relative", async () => {
    const g = new GraphBuilder(1);
    g.op("Sigmoid", [g.input([-1, 1, 1, 1601])]);
    const data = Float32Array.from({ length: 1601 }, (_, i) => -8 + i / 100);
    const x = { data, shape: [1, 1, 1, 1601] };
    const want = (await run("js", g.artifacts(), x)).y;
    for (const build of ["simd", "relaxed-simd"] as const) {
      const { y } = await run(build, g.artifacts(), x);
      for (let i = 0; i < data.length; i++) {
        expect(Math.abs(y.data[i] - want.data[i]) / want.data[i], `${build} x = ${data[i]}`).toBeLessThanOrEqual(5e-7);
      }
    }
  });
});
