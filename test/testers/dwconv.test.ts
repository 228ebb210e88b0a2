// Tester of every depthwise microkernel on every build, XNNPACK style: each case is named by
// its relation to the kernel's tile (channels below, equal to, above and a multiple of the
// channel tile; output widths around the 4-pixel tile; padding through the zero row and the
// clipped border columns; one-row images), checks that the layer selected the kernel under
// test, and compares with the plain-JS reference.

import { beforeAll, describe, it } from "vitest";
import {
  type Activation,
  type ConvOptions,
  createDepthwiseConv2d,
  init,
  type Padding,
  reference,
} from "../../src/index.js";
import { randomArray, randomTensor, rng, WASM_BUILDS } from "../helpers.js";
import { checkKernel, kernelIn } from "./tester.js";

interface DwKernel {
  name: string;
  /** The window that selects it. */
  kH: number;
  kW: number;
  strides: [number, number];
  dilations: [number, number];
  multiplier: number;
  /** Channels per vector and output pixels per step. */
  channelTile: number;
  pixelTile: number;
}

const square = (k: number, s: number): DwKernel => ({
  name: `dwconv_${k}x${k}s${s}_c4x4`,
  kH: k,
  kW: k,
  strides: [s, s],
  dilations: [1, 1],
  multiplier: 1,
  channelTile: 4,
  pixelTile: 4,
});

const SIMD_KERNELS: DwKernel[] = [
  square(3, 1),
  square(3, 2),
  square(5, 1),
  square(5, 2),
  square(7, 1),
  // The generic kernel: whatever the tiles do not take (dilation, multiplier, other sizes).
  {
    name: "dwconv_generic_c4",
    kH: 3,
    kW: 3,
    strides: [1, 1],
    dilations: [2, 2],
    multiplier: 1,
    channelTile: 4,
    pixelTile: 1,
  },
  {
    name: "dwconv_generic_c4",
    kH: 3,
    kW: 3,
    strides: [1, 1],
    dilations: [1, 1],
    multiplier: 3,
    channelTile: 4,
    pixelTile: 1,
  },
  // Multiplier 2 (lanes from two channels per block) and 4 (one channel splat across a block).
  ...[2, 4].map((multiplier) => ({
    name: "dwconv_generic_c4",
    kH: 3,
    kW: 3,
    strides: [1, 1] as [number, number],
    dilations: [1, 1] as [number, number],
    multiplier,
    channelTile: 4,
    pixelTile: 1,
  })),
  {
    name: "dwconv_generic_c4",
    kH: 7,
    kW: 7,
    strides: [2, 2],
    dilations: [1, 1],
    multiplier: 1,
    channelTile: 4,
    pixelTile: 1,
  },
  {
    name: "dwconv_generic_c4",
    kH: 3,
    kW: 5,
    strides: [2, 1],
    dilations: [1, 1],
    multiplier: 1,
    channelTile: 4,
    pixelTile: 1,
  },
];
const SCALAR_KERNELS: DwKernel[] = [
  // Multiplier 1: blocks of 4 channels in scalar accumulators, any window (dilated here).
  ...[3, 5, 7].map((k) => ({
    name: "dwconv_generic_c4",
    kH: k,
    kW: k,
    strides: [k === 5 ? 2 : 1, 1] as [number, number],
    dilations: [1, k === 7 ? 2 : 1] as [number, number],
    multiplier: 1,
    channelTile: 4,
    pixelTile: 1,
  })),
  // Multiplier above 1: one channel at a time.
  ...[3, 5, 7].map((k) => ({
    name: "dwconv_generic_c1",
    kH: k,
    kW: k,
    strides: [1, 2] as [number, number],
    dilations: [1, 1] as [number, number],
    multiplier: 2,
    channelTile: 1,
    pixelTile: 1,
  })),
];

/** Channel counts named by their relation to the channel tile t. */
function channelCases(t: number): [string, number][] {
  const cases: [string, number][] = [
    ["c_eq_tile", t],
    ["c_gt_tile", t + 1],
    ["c_div_tile", 3 * t],
    ["c_gt_2tile_not_div", 2 * t + (t > 1 ? t - 1 : 1)],
  ];
  if (t > 1) cases.push(["c_lt_tile", t - 1]);
  return cases;
}

/** Output widths named by their relation to the pixel tile p (4 for the tiles). */
function widthCases(p: number): [string, number][] {
  if (p === 1)
    return [
      ["out_w_1", 1],
      ["out_w_5", 5],
    ];
  return [
    ["out_w_lt_tile", p - 1],
    ["out_w_eq_tile", p],
    ["out_w_gt_tile", p + 1],
    ["out_w_gt_tile_rem_2", p + 2],
    ["out_w_div_tile", 3 * p],
  ];
}

/** Input width giving `outW` outputs for the window under `padding`. */
function inputWidth(k: DwKernel, outW: number, padding: Padding): number {
  const span = (k.kW - 1) * k.dilations[1] + 1;
  if (padding === "same") return outW * k.strides[1];
  const [, , l, r] = padding === "valid" ? [0, 0, 0, 0] : (padding as number[]);
  return Math.max(1, (outW - 1) * k.strides[1] + span - l - r);
}

/** Every activation in turn: the clamp limits (linear, relu, relu6) and hard-swish's own branch. */
const ACTIVATIONS: Activation[] = ["relu6", "linear", "relu", "hardswish"];

const PADDINGS: [string, Padding][] = [
  ["same (zero row, clipped borders)", "same"],
  ["valid", "valid"],
  ["explicit [2, 0, 0, 2]", [2, 0, 0, 2]],
];

for (const build of WASM_BUILDS) {
  describe(`depthwise microkernels on ${build}`, () => {
    beforeAll(() => init({ backend: build }));
    const kernels = build === "scalar" ? SCALAR_KERNELS : SIMD_KERNELS;

    for (const k of kernels) {
      const window = `${k.kH}x${k.kW} s${k.strides.join(",")} d${k.dilations.join(",")} m${k.multiplier}`;
      it(`${kernelIn(k.name, build)} (${window})`, () => {
        const random = rng(k.kH * 100 + k.strides[0] * 10 + k.multiplier);
        const kernel = kernelIn(k.name, build);
        let caseIndex = 0;
        for (const [cName, c] of channelCases(k.channelTile)) {
          for (const [wName, outW] of widthCases(k.pixelTile)) {
            for (const [pName, padding] of PADDINGS) {
              for (const h of [1, 9]) {
                // The smallest height the window has an output on (h 1: one row, most of it padding).
                const spanH = (k.kH - 1) * k.dilations[0] + 1;
                const [top, bottom] = typeof padding === "string" ? [0, 0] : (padding as number[]);
                const inH = Math.max(h, padding === "same" ? 1 : spanH - top - bottom);
                const x = randomTensor(random, [h === 1 ? 1 : 2, inH, inputWidth(k, outW, padding), c]);
                const filter = randomTensor(random, [k.kH, k.kW, c, k.multiplier]);
                const options: ConvOptions = {
                  strides: k.strides,
                  dilations: k.dilations,
                  padding,
                  bias: randomArray(random, c * k.multiplier),
                  activation: ACTIVATIONS[caseIndex++ % ACTIVATIONS.length],
                };
                const label = `${kernel} ${cName} (${c}) ${wName} (${outW}) ${pName} h${inH} ${options.activation}: x ${JSON.stringify(x.shape)}`;
                const want = reference.depthwiseConv2d(x, filter, options);
                checkKernel(createDepthwiseConv2d(filter, options), kernel, x, want, k.kH * k.kW, label);
              }
            }
          }
        }
      });
    }
  });
}
