// Float32 arithmetic where float64 would differ: a partial sum past 3.4e38 overflows to
// Infinity even when later terms bring it back in range, hardswish(1e38) = 1e38 * 6 / 6
// overflows, and products below float32's smallest subnormal are 0 however many are summed.
// Every wasm build, the 'js' backend, the reference and TensorFlow.js's CPU backend give the
// same Infinity / zero / finite pattern (the old float64 reference gave 2e38, 1e38 and 1e-45).

import { beforeAll, describe, expect, it } from "vitest";
import { init, type Tensor } from "../src/index.js";
import { type OpCase, oneShot, prepare, referenceOf } from "./cases.js";
import { ALL_BACKENDS } from "./helpers.js";
import { tfOracle, useTfCpu } from "./tf-oracle.js";

const tensor = (shape: number[], values: number[]): Tensor => ({ data: Float32Array.from(values), shape });
const fill = (shape: number[], value: number) => tensor(shape, new Array(shape.reduce((a, b) => a * b)).fill(value));

interface Case {
  name: string;
  c: OpCase;
  x: Tensor;
  /** Per output: Infinity, 0 (either sign) or the finite value expected to float32 precision. */
  want: number[];
}

const BIG = 2e38;
const TINY = 1e-23; // TINY * TINY = 1e-46 rounds to 0 in float32 (its smallest subnormal is 1.4e-45)
// hardswish of 1e38 overflows (1e38 * 6); of -1e38 is 0; of 3e37 is 3e37 (3e37 * 6 = 1.8e38 fits).
const SWISH_IN = [1e38, -1e38, 3e37];
const SWISH_OUT = [Number.POSITIVE_INFINITY, 0, 3e37];
const INF = Number.POSITIVE_INFINITY;

const CASES: Case[] = [
  // depthwise: taps in order 2e38 + 2e38 - 2e38
  {
    name: "depthwise: 2e38 + 2e38 - 2e38 is Infinity",
    c: { op: "depthwise", filter: tensor([1, 3, 1, 1], [1, 1, -1]), options: {} },
    x: fill([1, 1, 3, 1], BIG),
    want: [INF],
  },
  {
    name: "depthwise: hardswish(1e38) is Infinity",
    c: { op: "depthwise", filter: tensor([1, 1, 1, 1], [1]), options: { activation: "hardswish" } },
    x: tensor([1, 1, 3, 1], SWISH_IN),
    want: SWISH_OUT,
  },
  {
    name: "depthwise: nine products of 1e-46 are 0",
    c: { op: "depthwise", filter: fill([3, 3, 1, 1], TINY), options: {} },
    x: fill([1, 3, 3, 1], TINY),
    want: [0],
  },
  {
    name: "pointwise: 2e38 + 2e38 - 2e38 over channels is Infinity",
    c: { op: "pointwise", filter: tensor([3, 1], [1, 1, -1]), options: {} },
    x: fill([1, 1, 1, 3], BIG),
    want: [INF],
  },
  {
    name: "pointwise: hardswish(1e38) is Infinity",
    c: { op: "pointwise", filter: tensor([1, 1], [1]), options: { activation: "hardswish" } },
    x: tensor([1, 1, 3, 1], SWISH_IN),
    want: SWISH_OUT,
  },
  {
    name: "pointwise: nine products of 1e-46 are 0",
    c: { op: "pointwise", filter: fill([9, 1], TINY), options: {} },
    x: fill([1, 1, 1, 9], TINY),
    want: [0],
  },
  {
    name: "conv: 2e38 + 2e38 - 2e38 over taps is Infinity",
    c: { op: "conv", filter: tensor([1, 3, 1, 1], [1, 1, -1]), options: {} },
    x: fill([1, 1, 3, 1], BIG),
    want: [INF],
  },
  {
    name: "conv: 2e38 + 2e38 - 2e38 over taps and channels is Infinity",
    c: { op: "conv", filter: tensor([1, 2, 2, 1], [1, 1, -1, 0]), options: {} },
    x: fill([1, 1, 2, 2], BIG),
    want: [INF],
  },
  {
    name: "conv: hardswish(1e38) is Infinity",
    c: { op: "conv", filter: tensor([1, 1, 1, 1], [1]), options: { activation: "hardswish" } },
    x: tensor([1, 1, 3, 1], SWISH_IN),
    want: SWISH_OUT,
  },
  {
    name: "conv: nine products of 1e-46 are 0",
    c: { op: "conv", filter: fill([3, 3, 1, 1], TINY), options: {} },
    x: fill([1, 3, 3, 1], TINY),
    want: [0],
  },
  {
    name: "separable: 2e38 + 2e38 - 2e38 in the pointwise stage is Infinity",
    c: {
      op: "separable",
      filter: fill([1, 1, 3, 1], 1),
      pointwiseFilter: tensor([3, 1], [1, 1, -1]),
      options: {},
    },
    x: fill([1, 1, 1, 3], BIG),
    want: [INF],
  },
  {
    name: "separable: 2e38 + 2e38 - 2e38 in the depthwise stage is Infinity",
    c: {
      op: "separable",
      filter: tensor([1, 3, 1, 1], [1, 1, -1]),
      pointwiseFilter: tensor([1, 1], [1]),
      options: {},
    },
    x: fill([1, 1, 3, 1], BIG),
    want: [INF],
  },
  {
    name: "separable: hardswish(1e38) is Infinity in either stage",
    c: {
      op: "separable",
      filter: tensor([1, 1, 1, 1], [1]),
      pointwiseFilter: tensor([1, 1], [1]),
      options: { depthwiseActivation: "hardswish" },
    },
    x: tensor([1, 1, 3, 1], SWISH_IN),
    want: SWISH_OUT,
  },
  {
    name: "separable: hardswish(1e38) after the pointwise stage is Infinity",
    c: {
      op: "separable",
      filter: tensor([1, 1, 1, 1], [1]),
      pointwiseFilter: tensor([1, 1], [1]),
      options: { activation: "hardswish" },
    },
    x: tensor([1, 1, 3, 1], SWISH_IN),
    want: SWISH_OUT,
  },
  {
    name: "separable: nine products of 1e-46 in the pointwise stage are 0",
    c: {
      op: "separable",
      filter: fill([1, 1, 9, 1], 1),
      pointwiseFilter: fill([9, 1], TINY),
      options: {},
    },
    x: fill([1, 1, 1, 9], TINY),
    want: [0],
  },
];

function expectPattern(got: Tensor, want: number[], label: string): void {
  expect(got.data.length, label).toBe(want.length);
  for (const [i, w] of want.entries()) {
    const g = got.data[i];
    if (w === 0) expect(g === 0, `${label}: element ${i} is ${g}, expected 0`).toBe(true);
    else if (!Number.isFinite(w)) expect(g, `${label}: element ${i}`).toBe(w);
    else expect(Math.abs(g - w) / Math.abs(w), `${label}: element ${i} is ${g}, expected ${w}`).toBeLessThan(1e-6);
  }
}

describe("float32 overflow and underflow: TensorFlow.js's CPU backend agrees with the expected pattern", () => {
  beforeAll(useTfCpu);
  for (const { name, c, x, want } of CASES) it(name, () => expectPattern(tfOracle(c, x), want, `${name} (tfjs-cpu)`));
});

describe("float32 overflow and underflow: the reference", () => {
  for (const { name, c, x, want } of CASES) it(name, () => expectPattern(referenceOf(c, x), want, name));
});

for (const build of ALL_BACKENDS) {
  describe(`float32 overflow and underflow on ${build}`, () => {
    beforeAll(() => init({ backend: build }));
    for (const { name, c, x, want } of CASES) {
      it(name, () => {
        expectPattern(oneShot(c, x), want, `${name} (one-shot)`);
        const layer = prepare(c);
        try {
          expectPattern(layer.run(x), want, `${name} (prepared)`);
        } finally {
          layer.dispose();
        }
      });
    }
  });
}
