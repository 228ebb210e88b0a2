// Tester of the elementwise microkernels (add_c4, mul_c4, bilinear_c4) on every build, through
// one-op graph models, against the plain-JS passes the 'js' backend runs: sizes around the
// 4-lane tile (the scalar tail), gates of 1 to 9 channels over a batch, resizes of channel
// counts around the tile in each of TensorFlow's coordinate modes, up and down.

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

async function check(kernel: string, artifacts: ModelArtifacts, x: Tensor): Promise<void> {
  const want = (await run("js", artifacts, x)).y;
  for (const build of WASM_BUILDS) {
    const { y, ran } = await run(build, artifacts, x);
    expect(ran, build).toContain(kernelIn(kernel, build));
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

describe("bilinear_c4: TensorFlow's ResizeBilinear", () => {
  for (const c of [1, 3, 4, 5, 8]) {
    for (const [alignCorners, halfPixelCenters] of [
      [false, false],
      [true, false],
      [false, true],
    ]) {
      it(`c_${tile(c)} (C=${c}), align_corners ${alignCorners}, half_pixel_centers ${halfPixelCenters}, up then down`, async () => {
        const g = new GraphBuilder(c);
        const attrs = { align_corners: attr.bool(alignCorners), half_pixel_centers: attr.bool(halfPixelCenters) };
        const up = g.op("ResizeBilinear", [g.input([-1, 5, 4, c]), g.intConst([2], [11, 9])], attrs);
        g.op("ResizeBilinear", [up, g.intConst([2], [3, 1])], attrs);
        await check("bilinear_c4", g.artifacts(), randomTensor(rng(c * 7), [2, 5, 4, c]));
      });
    }
  }
});
