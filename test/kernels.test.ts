// Every wasm build against the plain-JS reference on generated shapes chosen around the tiles:
// channels below, equal to, above and not a multiple of the 4/8-wide SIMD tiles; 1-pixel
// images; kernels larger than the input with padding; strides 1-3; dilations 1-3;
// multipliers 1-4; batch 1-3; every activation; with and without bias.

import { beforeAll, describe, it } from "vitest";
import {
  type Activation,
  type ConvOptions,
  conv2d,
  depthwiseConv2d,
  init,
  type Padding,
  pointwiseConv2d,
  reference,
  separableConv2d,
} from "../src/index.js";
import { expectClose, pick, randomArray, randomInt, randomTensor, rng, WASM_BUILDS } from "./helpers.js";

const ACTIVATIONS: Activation[] = ["linear", "relu", "relu6", "hardswish"];
/** Channel counts around the 4-lane and 8-column tiles. */
const CHANNELS = [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 33];

function outputSize(size: number, k: number, stride: number, dilation: number, pad: [number, number]): number {
  return Math.floor((size + pad[0] + pad[1] - ((k - 1) * dilation + 1)) / stride) + 1;
}

/** A random window configuration whose output is not empty. */
function randomWindow(random: () => number, h: number, w: number, kH: number, kW: number, outChannels: number) {
  for (;;) {
    const strides: [number, number] = [randomInt(random, 1, 3), randomInt(random, 1, 3)];
    const dilations: [number, number] = [randomInt(random, 1, 3), randomInt(random, 1, 3)];
    const explicit: [number, number, number, number] = [0, 0, 0, 0].map(() => randomInt(random, 0, 3)) as never;
    const padding: Padding = pick(random, ["same", "valid", explicit] as Padding[]);
    const pads: [number, number, number, number] =
      padding === "valid" ? [0, 0, 0, 0] : padding === "same" ? [9, 9, 9, 9] : explicit;
    if (outputSize(h, kH, strides[0], dilations[0], [pads[0], pads[1]]) < 1) continue;
    if (outputSize(w, kW, strides[1], dilations[1], [pads[2], pads[3]]) < 1) continue;
    const options: ConvOptions = { strides, dilations, padding, activation: pick(random, ACTIVATIONS) };
    if (random() < 0.6) options.bias = randomArray(random, outChannels);
    return options;
  }
}

function describeOptions(o: ConvOptions): string {
  return JSON.stringify({ ...o, bias: o.bias ? o.bias.length : undefined });
}

for (const build of WASM_BUILDS) {
  describe(`${build} build against the reference`, () => {
    beforeAll(() => init({ backend: build }));

    it("depthwise: square 3x3 and 5x5 fast paths at stride 1 and 2, every padding and column border", () => {
      const random = rng(101);
      for (const k of [3, 5]) {
        for (const stride of [1, 2]) {
          for (const c of CHANNELS) {
            for (const padding of ["same", "valid", [1, 0, 2, 1]] as Padding[]) {
              const h = randomInt(random, k, 13);
              const w = randomInt(random, k, 19); // several interior quads plus a remainder
              const x = randomTensor(random, [randomInt(random, 1, 2), h, w, c]);
              const filter = randomTensor(random, [k, k, c, 1]);
              const options: ConvOptions = {
                strides: stride,
                padding,
                bias: randomArray(random, c),
                activation: pick(random, ACTIVATIONS),
              };
              const label = `dw ${k}x${k} s${stride} ${JSON.stringify(x.shape)} ${describeOptions(options)}`;
              expectClose(
                depthwiseConv2d(x, filter, options),
                reference.depthwiseConv2d(x, filter, options),
                k * k,
                label,
              );
            }
          }
        }
      }
    });

    it("depthwise: random kernels, strides, dilations, multipliers, padding and tiny images", () => {
      const random = rng(202);
      for (let i = 0; i < 400; i++) {
        const c = pick(random, CHANNELS);
        const m = randomInt(random, 1, 4);
        const kH = randomInt(random, 1, 7);
        const kW = randomInt(random, 1, 7);
        const h = randomInt(random, 1, 9);
        const w = randomInt(random, 1, 9);
        const options = randomWindow(random, h, w, kH, kW, c * m);
        const x = randomTensor(random, [randomInt(random, 1, 3), h, w, c]);
        const filter = randomTensor(random, [kH, kW, c, m]);
        const label = `dw #${i} ${JSON.stringify(x.shape)} filter ${JSON.stringify(filter.shape)} ${describeOptions(options)}`;
        expectClose(depthwiseConv2d(x, filter, options), reference.depthwiseConv2d(x, filter, options), kH * kW, label);
      }
    });

    it("pointwise: GEMM tile edges in pixels (rows of 4) and output channels (panels of 8)", () => {
      const random = rng(303);
      for (const cin of [1, 3, 4, 8, 17, 64]) {
        for (const cout of [1, 3, 4, 7, 8, 9, 16, 17, 31]) {
          const pixels = randomInt(random, 1, 11);
          const x = randomTensor(random, [randomInt(random, 1, 3), 1, pixels, cin]);
          const filter = randomTensor(random, random() < 0.5 ? [cin, cout] : [1, 1, cin, cout]);
          const options: ConvOptions = { activation: pick(random, ACTIVATIONS) };
          if (random() < 0.6) options.bias = randomArray(random, cout);
          const label = `pw ${JSON.stringify(x.shape)} -> ${cout} ${describeOptions(options)}`;
          expectClose(pointwiseConv2d(x, filter, options), reference.pointwiseConv2d(x, filter, options), cin, label);
        }
      }
    });

    it("pointwise with strides and padding (runs as a 1x1 conv)", () => {
      const random = rng(404);
      for (let i = 0; i < 60; i++) {
        const cin = pick(random, CHANNELS);
        const cout = pick(random, CHANNELS);
        const h = randomInt(random, 1, 8);
        const w = randomInt(random, 1, 8);
        const options = randomWindow(random, h, w, 1, 1, cout);
        const x = randomTensor(random, [randomInt(random, 1, 2), h, w, cin]);
        const filter = randomTensor(random, [cin, cout]);
        const label = `pw #${i} ${JSON.stringify(x.shape)} -> ${cout} ${describeOptions(options)}`;
        expectClose(pointwiseConv2d(x, filter, options), reference.pointwiseConv2d(x, filter, options), cin, label);
      }
    });

    it("conv2d: random kernels, strides, dilations, padding and channel tails", () => {
      const random = rng(505);
      for (let i = 0; i < 250; i++) {
        const cin = pick(random, CHANNELS);
        const cout = pick(random, CHANNELS);
        const kH = randomInt(random, 1, 5);
        const kW = randomInt(random, 1, 5);
        const h = randomInt(random, 1, 9);
        const w = randomInt(random, 1, 9);
        const options = randomWindow(random, h, w, kH, kW, cout);
        const x = randomTensor(random, [randomInt(random, 1, 3), h, w, cin]);
        const filter = randomTensor(random, [kH, kW, cin, cout]);
        const label = `conv #${i} ${JSON.stringify(x.shape)} filter ${JSON.stringify(filter.shape)} ${describeOptions(options)}`;
        expectClose(conv2d(x, filter, options), reference.conv2d(x, filter, options), kH * kW * cin, label);
      }
    });

    it("separable: fused bands against depthwise then pointwise", () => {
      const random = rng(606);
      for (let i = 0; i < 250; i++) {
        const c = pick(random, CHANNELS);
        const m = randomInt(random, 1, 3);
        const cout = pick(random, CHANNELS);
        const k = pick(random, [1, 2, 3, 3, 3, 5, 7]);
        // Some images wide enough that one band holds a single row (BAND_FLOATS / (outW * C * M)).
        const h = randomInt(random, 1, 12);
        const w = random() < 0.1 ? randomInt(random, 300, 700) : randomInt(random, 1, 12);
        const window = randomWindow(random, h, w, k, k, cout);
        const options = {
          ...window,
          depthwiseActivation: pick(random, ACTIVATIONS),
          depthwiseBias: random() < 0.5 ? randomArray(random, c * m) : undefined,
        };
        if (options.depthwiseBias === undefined) delete options.depthwiseBias;
        const x = randomTensor(random, [randomInt(random, 1, 2), h, w, c]);
        const dwFilter = randomTensor(random, [k, k, c, m]);
        const pwFilter = randomTensor(random, [c * m, cout]);
        const label = `sep #${i} ${JSON.stringify(x.shape)} k${k} m${m} -> ${cout} ${describeOptions(options)}`;
        expectClose(
          separableConv2d(x, dwFilter, pwFilter, options),
          reference.separableConv2d(x, dwFilter, pwFilter, options),
          k * k * c * m,
          label,
        );
      }
    });
  });
}
