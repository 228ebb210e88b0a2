// Counterexamples the fuzz (fuzz.test.ts) found, shrunk by fast-check and kept verbatim, each
// replayed on every build through the fuzz property and checked against the value worked out
// by hand. All four are the same bug: a non-finite weight on a tap that falls in the padding.
// Some kernels read a zero row or pixel there (0 * Infinity = NaN), others and the reference
// skipped the tap (a finite result), so builds disagreed. Now padding is zeros under IEEE
// arithmetic everywhere (src/reference/kernels.ts, src/ops/padded-taps.ts): the output is NaN.

import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../src/index.js";
import { oneShot } from "./cases.js";
import { type Config, caseOf, checkConfig, inputsOf } from "./fuzz-config.js";
import { ALL_BACKENDS } from "./helpers.js";

const BASE: Config = {
  op: "depthwise",
  batch: 1,
  h: 1,
  w: 1,
  batch2: 1,
  h2: 1,
  w2: 1,
  channels: 1,
  multiplier: 1,
  outChannels: 1,
  kH: 1,
  kW: 1,
  strides: 1,
  dilations: 1,
  padding: "valid",
  bias: false,
  activation: "linear",
  depthwiseBias: false,
  depthwiseActivation: "linear",
  tile: 0,
  filter4d: false,
  prepared: false,
  seed: 0,
  poison: Number.POSITIVE_INFINITY,
  poisonAt: 0,
  poisonInput: false,
};

const REGRESSIONS: { name: string; config: Config; nan: (i: number) => boolean }[] = [
  {
    name: "pointwise, padding 1, +Infinity weight: outputs that read only padding are NaN (wasm builds said NaN, the reference 0)",
    config: { ...BASE, op: "pointwise", padding: 1 },
    nan: (i) => i !== 4, // 3x3 output; the centre reads the one real pixel: x * Infinity
  },
  {
    name: "conv 1x2 'same' on a 1x1 image, +Infinity on the padded tap: NaN (wasm builds said NaN, the reference finite)",
    config: { ...BASE, op: "conv", kW: 2, dilations: [1, 1], padding: "same", poisonAt: 192892389 },
    nan: () => true,
  },
  {
    name: "depthwise 3x3 tile, padding 1, +Infinity on a tap in the row above: NaN (SIMD tiles read the zero row; scalar and the reference skipped it)",
    config: { ...BASE, op: "depthwise", kH: 3, kW: 3, padding: 1, tile: 3, poisonAt: 10 },
    nan: () => true,
  },
  {
    name: "separable 3x3 tile, padding 1, +Infinity depthwise weight on a tap in the row below: NaN in every channel (as above, fused)",
    config: { ...BASE, op: "separable", kH: 3, kW: 3, padding: 1, tile: 3, poisonAt: 537405712 },
    nan: () => true,
  },
];

for (const build of ALL_BACKENDS) {
  describe(`fuzz regressions on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    for (const { name, config, nan } of REGRESSIONS) {
      it(name, () => {
        checkConfig(config);
        checkConfig({ ...config, prepared: true });
        const got = oneShot(caseOf(config), inputsOf(config)[0]).data;
        for (let i = 0; i < got.length; i++) {
          if (nan(i)) expect(got[i], `element ${i}`).toBeNaN();
          else expect(Math.abs(got[i]), `element ${i}`).toBe(Number.POSITIVE_INFINITY);
        }
      });
    }
  });
}
