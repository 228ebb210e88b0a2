// Tester of the pooling microkernels (maxpool_c4 / avgpool_c4, the scalar build's _c1) on every
// build, through a one-op graph model, against the plain-JS pass the 'js' backend runs (the
// reference): channel counts around the 4-lane tile, windows clipped by every border, strides,
// asymmetric windows, a batch, and NaN in a window.

import { describe, expect, it } from "vitest";
import { type Backend, init, loadGraphModel, type Tensor } from "../../src/index.js";
import { attr, GraphBuilder } from "../graph-model-builder.js";
import { expectClose, randomTensor, rng, WASM_BUILDS } from "../helpers.js";
import { kernelIn, kernelsRun } from "./tester.js";

interface PoolCase {
  name: string;
  input: number[];
  k: [number, number];
  s: [number, number];
  padding: "SAME" | "VALID";
}

const CASES: PoolCase[] = [];
for (const c of [1, 3, 4, 5, 8, 11]) {
  const tile = c < 4 ? "c_lt_tile" : c === 4 ? "c_eq_tile" : c % 4 === 0 ? "c_mult_tile" : "c_gt_tile";
  CASES.push({
    name: `${tile} (C=${c}), 3x3 s2 SAME, odd sizes: every border clips`,
    input: [1, 7, 9, c],
    k: [3, 3],
    s: [2, 2],
    padding: "SAME",
  });
}
CASES.push(
  {
    name: "c_gt_tile, 3x3 s1 SAME (Inception's branch pool)",
    input: [2, 6, 5, 6],
    k: [3, 3],
    s: [1, 1],
    padding: "SAME",
  },
  { name: "c_eq_tile, 2x2 s2 VALID, batch 2", input: [2, 8, 6, 4], k: [2, 2], s: [2, 2], padding: "VALID" },
  {
    name: "c_gt_tile, asymmetric 5x2 window, strides [1, 3]",
    input: [1, 9, 10, 7],
    k: [5, 2],
    s: [1, 3],
    padding: "SAME",
  },
  {
    name: "c_mult_tile, window as large as the image (a global pool)",
    input: [1, 5, 4, 8],
    k: [5, 4],
    s: [1, 1],
    padding: "VALID",
  },
  { name: "c_lt_tile, 1x1 window stride 2", input: [1, 5, 5, 2], k: [1, 1], s: [2, 2], padding: "VALID" },
);

function model(c: PoolCase, op: "MaxPool" | "AvgPool") {
  const g = new GraphBuilder(1);
  g.op(op, [g.input([-1, ...c.input.slice(1)])], {
    ksize: attr.ints([1, ...c.k, 1]),
    strides: attr.ints([1, ...c.s, 1]),
    padding: attr.string(c.padding),
  });
  return g.artifacts();
}

async function run(backend: Backend, c: PoolCase, op: "MaxPool" | "AvgPool", x: Tensor) {
  await init({ backend });
  const m = loadGraphModel(model(c, op));
  let y: Tensor | undefined;
  const ran = kernelsRun(() => {
    y = m.predict(x);
  });
  const kernels = m.describe().flatMap((d) => d.kernels);
  m.dispose();
  return { y: y as Tensor, ran, kernels };
}

for (const op of ["MaxPool", "AvgPool"] as const) {
  const base = op === "MaxPool" ? "maxpool" : "avgpool";
  describe(`${base} on every build against the JS pass`, () => {
    for (const c of CASES) {
      it(c.name, async () => {
        const x = randomTensor(rng(c.input.reduce((a, b) => a + b, 0)), c.input);
        const want = (await run("js", c, op, x)).y;
        for (const build of WASM_BUILDS) {
          const kernel = kernelIn(`${base}_c${build === "scalar" ? 1 : 4}`, build);
          const { y, ran, kernels } = await run(build, c, op, x);
          expect(kernels, build).toEqual([kernel]);
          expect(ran, build).toEqual([kernel]);
          expectClose(y, want, c.k[0] * c.k[1], `${build} ${c.name}`);
        }
      });
    }
  });
}

describe("NaN in a window", () => {
  it("is the max and the average of every window that holds it, on every build", async () => {
    const c: PoolCase = { name: "nan", input: [1, 5, 5, 6], k: [3, 3], s: [1, 1], padding: "SAME" };
    const x = randomTensor(rng(5), c.input);
    x.data[(2 * 5 + 2) * 6 + 5] = Number.NaN; // pixel (2, 2), channel 5: a tail lane on SIMD builds
    x.data[(0 * 5 + 0) * 6 + 1] = Number.NaN; // pixel (0, 0), channel 1: a vector lane
    for (const op of ["MaxPool", "AvgPool"] as const) {
      const want = (await run("js", c, op, x)).y;
      for (const build of WASM_BUILDS) {
        const { y } = await run(build, c, op, x);
        for (let i = 0; i < want.data.length; i++) {
          expect(Number.isNaN(y.data[i]), `${build} ${op} value ${i}`).toBe(Number.isNaN(want.data[i]));
        }
        expect(y.data.filter(Number.isNaN).length).toBe(9 + 4); // the centre pixel's 9 windows, the corner's 4
      }
    }
  });
});
