// The plain-JS reference checked on its own, so it can serve as the oracle for the wasm builds:
// first small cases worked out by hand, then hundreds of seeded random configurations against
// TensorFlow.js (CPU backend), covering every option of every op.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import type { Activation, ConvOptions, ExplicitPadding, Padding, SeparableOptions, Tensor } from "../src/index.js";
import * as reference from "../src/reference/index.js";
import { expectClose, pick, randomArray, randomInt, randomTensor, rng } from "./helpers.js";

// ---------------------------------------------------------------------------------------------
// Hand-computed cases
// ---------------------------------------------------------------------------------------------

function tensor(shape: number[], values: number[]): Tensor {
  return { data: Float32Array.from(values), shape };
}

/** Asserts the exact shape and every value to 1e-6 (relative above 1). */
function expectTensor(got: Tensor, shape: number[], values: number[], label = ""): void {
  expect(got.shape, `${label} shape`).toEqual(shape);
  expect(got.data.length, `${label} length`).toBe(values.length);
  for (let i = 0; i < values.length; i++) {
    const tolerance = 1e-6 * Math.max(1, Math.abs(values[i]));
    if (!(Math.abs(got.data[i] - values[i]) <= tolerance)) {
      expect.fail(`${label} element ${i} is ${got.data[i]}, expected ${values[i]}`);
    }
  }
}

/** x[r][c] = 1..9 row-major, one channel:  1 2 3 / 4 5 6 / 7 8 9. */
const X3 = tensor([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
/** A 2x2 kernel  1 2 / 3 4  (one channel, multiplier 1). */
const K2 = tensor([2, 2, 1, 1], [1, 2, 3, 4]);

describe("reference: hand-computed depthwiseConv2d", () => {
  it("3x3 valid on a 3x3x1 input is a single dot product (correlation, not convolution)", () => {
    // filter 1..9 row-major: sum of i*i for i = 1..9 = 285. A flipped kernel would give
    // sum of i*(10-i) = 165.
    const filter = tensor([3, 3, 1, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expectTensor(reference.depthwiseConv2d(X3, filter), [1, 1, 1, 1], [285]);
    expectTensor(reference.depthwiseConv2d(X3, filter, { padding: "valid" }), [1, 1, 1, 1], [285]);
  });

  it("2x2 valid on 3x3 puts each window at its own position", () => {
    // (0,0): 1*1 + 2*2 + 4*3 + 5*4 = 37   (0,1): 2*1 + 3*2 + 5*3 + 6*4 = 47
    // (1,0): 4*1 + 5*2 + 7*3 + 8*4 = 67   (1,1): 5*1 + 6*2 + 8*3 + 9*4 = 77
    expectTensor(reference.depthwiseConv2d(X3, K2), [1, 2, 2, 1], [37, 47, 67, 77]);
  });

  it("multiplier 2 orders output channels c*M + m", () => {
    // One pixel, channels [2, 3]; filter [1,1,C=2,M=2] = f[c][m]: f00=1 f01=10 f10=100 f11=1000.
    // out = [x0*f00, x0*f01, x1*f10, x1*f11] = [2, 20, 300, 3000]
    const x = tensor([1, 1, 1, 2], [2, 3]);
    const filter = tensor([1, 1, 2, 2], [1, 10, 100, 1000]);
    expectTensor(reference.depthwiseConv2d(x, filter), [1, 1, 1, 4], [2, 20, 300, 3000]);
  });

  it("multiplier 2 with a spatial kernel keeps channels apart", () => {
    // x: 1x2 pixels, channels (c0, c1): pixel0 = (1, 5), pixel1 = (2, 7).
    // filter [1,2,C=2,M=2], data order (kx, c, m):
    //   kx0: c0 -> (1, 0), c1 -> (0, 1);  kx1: c0 -> (1, -1), c1 -> (2, 0)
    // out0 (c0,m0) = 1*1 + 2*1 = 3;  out1 (c0,m1) = 1*0 + 2*-1 = -2
    // out2 (c1,m0) = 5*0 + 7*2 = 14; out3 (c1,m1) = 5*1 + 7*0 = 5
    const x = tensor([1, 1, 2, 2], [1, 5, 2, 7]);
    const filter = tensor([1, 2, 2, 2], [1, 0, 0, 1, 1, -1, 2, 0]);
    expectTensor(reference.depthwiseConv2d(x, filter), [1, 1, 1, 4], [3, -2, 14, 5]);
  });

  it("'same' with stride 2 on an even size puts the extra pad at bottom/right", () => {
    // 4x4 input x[r][c] = 4r + c + 1, 3x3 kernel of ones, stride 2:
    // out = ceil(4/2) = 2, total pad = (2-1)*2 + 3 - 4 = 1 -> top/left 0, bottom/right 1.
    // (0,0): rows 0-2, cols 0-2 = (1+2+3) + (5+6+7) + (9+10+11) = 54
    // (0,1): rows 0-2, cols 2-3 (+pad) = (3+4) + (7+8) + (11+12) = 45
    // (1,0): rows 2-3 (+pad), cols 0-2 = (9+10+11) + (13+14+15) = 72
    // (1,1): rows 2-3, cols 2-3 = 11 + 12 + 15 + 16 = 54
    // (Padding at top/left instead would give (0,0) = 1 + 2 + 5 + 6 = 14.)
    const x = tensor(
      [1, 4, 4, 1],
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    const ones = tensor([3, 3, 1, 1], new Array(9).fill(1));
    expectTensor(reference.depthwiseConv2d(x, ones, { strides: 2, padding: "same" }), [1, 2, 2, 1], [54, 45, 72, 54]);
  });

  it("'same' with stride 1 keeps the size and pads evenly", () => {
    // 3x3 input, 3x3 ones: each output is the sum of its 3x3 neighbourhood.
    // corners: 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28
    // edges: 1+2+3+4+5+6 = 21, 1+2+4+5+7+8 = 27, 2+3+5+6+8+9 = 33, 4+5+6+7+8+9 = 39; centre 45
    const ones = tensor([3, 3, 1, 1], new Array(9).fill(1));
    expectTensor(
      reference.depthwiseConv2d(X3, ones, { padding: "same" }),
      [1, 3, 3, 1],
      [12, 21, 16, 27, 45, 33, 24, 39, 28],
    );
  });

  it("explicit padding is [top, bottom, left, right]", () => {
    // 2x2 input 1 2 / 3 4, 1x1 kernel 1, padding [1, 0, 0, 2]: out 3x4
    //   0 0 0 0
    //   1 2 0 0
    //   3 4 0 0
    const x = tensor([1, 2, 2, 1], [1, 2, 3, 4]);
    const one = tensor([1, 1, 1, 1], [1]);
    expectTensor(
      reference.depthwiseConv2d(x, one, { padding: [1, 0, 0, 2] }),
      [1, 3, 4, 1],
      [0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0],
    );
    // [0, 2, 1, 0]: out 4x3
    //   0 1 2
    //   0 3 4
    //   0 0 0
    //   0 0 0
    expectTensor(
      reference.depthwiseConv2d(x, one, { padding: [0, 2, 1, 0] }),
      [1, 4, 3, 1],
      [0, 1, 2, 0, 3, 4, 0, 0, 0, 0, 0, 0],
    );
    // A number pads every side: 3x3 ones with padding 1 on 2x2 -> 2x2, each sees all of x = 10.
    const ones = tensor([3, 3, 1, 1], new Array(9).fill(1));
    expectTensor(reference.depthwiseConv2d(x, ones, { padding: 1 }), [1, 2, 2, 1], [10, 10, 10, 10]);
    // The 2x2 kernel 1 2 / 3 4 with padding [1, 0, 1, 0] on 2x2 -> 2x2:
    // (0,0) sees only x00 at tap (1,1): 1*4 = 4;  (0,1) taps (1,0),(1,1): 1*3 + 2*4 = 11
    // (1,0) taps (0,1),(1,1): 1*2 + 3*4 = 14;     (1,1) all: 1*1 + 2*2 + 3*3 + 4*4 = 30
    expectTensor(reference.depthwiseConv2d(x, K2, { padding: [1, 0, 1, 0] }), [1, 2, 2, 1], [4, 11, 14, 30]);
  });

  it("dilation 2 spreads the taps", () => {
    // 2x2 kernel 1 2 / 3 4, dilation 2 on 3x3 -> span 3, one output:
    // taps x00, x02, x20, x22: 1*1 + 3*2 + 7*3 + 9*4 = 64
    expectTensor(reference.depthwiseConv2d(X3, K2, { dilations: 2 }), [1, 1, 1, 1], [64]);
    // dilations [2, 1] -> span 3x2, out 1x2:
    // (0,0): x00*1 + x01*2 + x20*3 + x21*4 = 1 + 4 + 21 + 32 = 58
    // (0,1): x01*1 + x02*2 + x21*3 + x22*4 = 2 + 6 + 24 + 36 = 68
    expectTensor(reference.depthwiseConv2d(X3, K2, { dilations: [2, 1] }), [1, 1, 2, 1], [58, 68]);
  });

  it("strides per axis", () => {
    // 2x2 kernel on 3x3 with strides [1, 2]: out 2x1 = windows at (0,0) and (1,0): 37, 67.
    expectTensor(reference.depthwiseConv2d(X3, K2, { strides: [1, 2] }), [1, 2, 1, 1], [37, 67]);
  });

  it("bias is per output channel c*M + m, added before the activation", () => {
    // Multiplier-2 case [2, 20, 300, 3000] + bias [0.5, -0.25, 1, -2946] = [2.5, 19.75, 301, 54]
    const x = tensor([1, 1, 1, 2], [2, 3]);
    const filter = tensor([1, 1, 2, 2], [1, 10, 100, 1000]);
    const bias = Float32Array.from([0.5, -0.25, 1, -2946]);
    expectTensor(reference.depthwiseConv2d(x, filter, { bias }), [1, 1, 1, 4], [2.5, 19.75, 301, 54]);
    // relu6 after the bias: [2.5, 6, 6, 6]; bias [-3, ...] makes the first one negative -> 0.
    expectTensor(reference.depthwiseConv2d(x, filter, { bias, activation: "relu6" }), [1, 1, 1, 4], [2.5, 6, 6, 6]);
    const negative = Float32Array.from([-3, 0, 0, 0]);
    expectTensor(
      reference.depthwiseConv2d(x, filter, { bias: negative, activation: "relu" }),
      [1, 1, 1, 4],
      [0, 20, 300, 3000],
    );
  });

  it("batch 2 keeps images apart", () => {
    // image 0 = 1..9, image 1 = 10..18 with filter 1..9:
    // 285 and sum (i+9)*i = 285 + 9*45 = 690
    const x = tensor(
      [2, 3, 3, 1],
      Array.from({ length: 18 }, (_, i) => i + 1),
    );
    const filter = tensor([3, 3, 1, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expectTensor(reference.depthwiseConv2d(x, filter), [2, 1, 1, 1], [285, 690]);
    // 1x3 ones 'same' on 1x2 images [1, 2] and [10, 20]: pads 1 left/right, so each output is
    // the sum of its own image only: [3, 3] and [30, 30].
    const y = tensor([2, 1, 2, 1], [1, 2, 10, 20]);
    const row = tensor([1, 3, 1, 1], [1, 1, 1]);
    expectTensor(reference.depthwiseConv2d(y, row, { padding: "same" }), [2, 1, 2, 1], [3, 3, 30, 30]);
  });

  it("an empty output throws a RangeError", () => {
    const filter = tensor([3, 3, 1, 1], new Array(9).fill(1));
    const x = tensor([1, 2, 2, 1], [1, 2, 3, 4]);
    expect(() => reference.depthwiseConv2d(x, filter)).toThrow(RangeError);
    expect(() => reference.depthwiseConv2d(x, filter, { dilations: 2, padding: [1, 1, 1, 1] })).toThrow(
      /output would be empty/,
    );
    expect(() => reference.conv2d(x, filter, { padding: "valid" })).toThrow(RangeError);
  });
});

describe("reference: hand-computed pointwise, conv2d and separable", () => {
  // Two pixels with channels [1, 2] and [3, 4]; W = [[1, 2, 3], [4, 5, 6]] (row = input channel).
  // pixel0: [1*1 + 2*4, 1*2 + 2*5, 1*3 + 2*6] = [9, 12, 15]
  // pixel1: [3*1 + 4*4, 3*2 + 4*5, 3*3 + 4*6] = [19, 26, 33]
  const px = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
  const w = [1, 2, 3, 4, 5, 6];

  it("pointwise with a [Cin, Cout] filter", () => {
    expectTensor(reference.pointwiseConv2d(px, tensor([2, 3], w)), [1, 1, 2, 3], [9, 12, 15, 19, 26, 33]);
  });

  it("pointwise with a [1, 1, Cin, Cout] filter", () => {
    expectTensor(reference.pointwiseConv2d(px, tensor([1, 1, 2, 3], w)), [1, 1, 2, 3], [9, 12, 15, 19, 26, 33]);
  });

  it("pointwise with bias, stride 2 and explicit padding", () => {
    // bias [1, -1, 0.5]: [10, 11, 15.5, 20, 25, 33.5]
    const bias = Float32Array.from([1, -1, 0.5]);
    expectTensor(
      reference.pointwiseConv2d(px, tensor([2, 3], w), { bias }),
      [1, 1, 2, 3],
      [10, 11, 15.5, 20, 25, 33.5],
    );
    // strides 2 keeps pixel0 only; padding [0, 1, 0, 0] adds a row of zeros whose output is the bias.
    expectTensor(reference.pointwiseConv2d(px, tensor([2, 3], w), { strides: 2 }), [1, 1, 1, 3], [9, 12, 15]);
    expectTensor(
      reference.pointwiseConv2d(px, tensor([2, 3], w), { bias, padding: [0, 1, 0, 0], activation: "relu" }),
      [1, 2, 2, 3],
      [10, 11, 15.5, 20, 25, 33.5, 1, 0, 0.5, 1, 0, 0.5],
    );
  });

  it("conv2d 2x2 with two input and two output channels", () => {
    // channel 0 = 1 2 / 3 4, channel 1 = 5 6 / 7 8 (NHWC data interleaves them).
    // out0 weights: ch0 = 1 0 / 0 1, ch1 = 0 1 / 1 0 -> (1 + 4) + (6 + 7) = 18
    // out1 weights: ch0 all 1, ch1 all -1          -> 10 - 26 = -16
    const x = tensor([1, 2, 2, 2], [1, 5, 2, 6, 3, 7, 4, 8]);
    // data order (ky, kx, ci, co)
    const filter = tensor(
      [2, 2, 2, 2],
      [/* (0,0) */ 1, 1, 0, -1, /* (0,1) */ 0, 1, 1, -1, /* (1,0) */ 0, 1, 1, -1, /* (1,1) */ 1, 1, 0, -1],
    );
    expectTensor(reference.conv2d(x, filter), [1, 1, 1, 2], [18, -16]);
    // bias [2, 20] then relu: [20, 4]
    const bias = Float32Array.from([2, 20]);
    expectTensor(reference.conv2d(x, filter, { bias, activation: "relu" }), [1, 1, 1, 2], [20, 4]);
    // 'same' on 2x2 with a 2x2 kernel: total pad 1 -> bottom/right only.
    // (0,0) as above [18, -16]; (0,1) sees x01 at tap (0,0) and x11 at tap (1,0):
    //   out0 = 2*1 + 6*0 + 4*0 + 8*1 = 10;  out1 = 2 - 6 + 4 - 8 = -8
    // (1,0) sees x10 at (0,0), x11 at (0,1): out0 = 3*1 + 7*0 + 4*0 + 8*1 = 11; out1 = 3 - 7 + 4 - 8 = -8
    // (1,1) sees x11 at (0,0): out0 = 4; out1 = 4 - 8 = -4
    expectTensor(reference.conv2d(x, filter, { padding: "same" }), [1, 2, 2, 2], [18, -16, 10, -8, 11, -8, 4, -4]);
  });

  it("conv2d with one channel equals the depthwise result", () => {
    expectTensor(reference.conv2d(X3, K2), [1, 2, 2, 1], [37, 47, 67, 77]);
    expectTensor(reference.conv2d(X3, K2, { dilations: 2 }), [1, 1, 1, 1], [64]);
  });

  it("conv2d batch 2", () => {
    // 1x1 conv, 1 -> 2 channels with weights [1, -2], images [1] and [5]: [1, -2] and [5, -10]
    const x = tensor([2, 1, 1, 1], [1, 5]);
    expectTensor(reference.conv2d(x, tensor([1, 1, 1, 2], [1, -2])), [2, 1, 1, 2], [1, -2, 5, -10]);
  });

  describe("separable = depthwise then pointwise", () => {
    // x = 1 2 / 3 4 (one channel); depthwise 2x2, M = 2: m0 = 1 0 / 0 1 -> 1 + 4 = 5,
    // m1 = all ones -> 10. Intermediate [5, 10].
    // Pointwise [[1, 2], [3, -1]]: out0 = 5*1 + 10*3 = 35, out1 = 5*2 + 10*-1 = 0.
    const x = tensor([1, 2, 2, 1], [1, 2, 3, 4]);
    const dw = tensor([2, 2, 1, 2], [1, 1, 0, 1, 0, 1, 1, 1]); // order (ky, kx, c, m)
    const pw = tensor([2, 2], [1, 2, 3, -1]);

    it("plain", () => {
      expectTensor(reference.separableConv2d(x, dw, pw), [1, 1, 1, 2], [35, 0]);
      expectTensor(reference.separableConv2d(x, dw, tensor([1, 1, 2, 2], [1, 2, 3, -1])), [1, 1, 1, 2], [35, 0]);
      const composed = reference.pointwiseConv2d(reference.depthwiseConv2d(x, dw), pw);
      expectTensor(composed, [1, 1, 1, 2], [35, 0]);
    });

    it("bias and activation apply to the pointwise stage", () => {
      // [35, 0] + [0.5, -1] = [35.5, -1]; relu -> [35.5, 0]; relu6 -> [6, 0]
      const bias = Float32Array.from([0.5, -1]);
      expectTensor(reference.separableConv2d(x, dw, pw, { bias, activation: "relu" }), [1, 1, 1, 2], [35.5, 0]);
      expectTensor(reference.separableConv2d(x, dw, pw, { bias, activation: "relu6" }), [1, 1, 1, 2], [6, 0]);
    });

    it("depthwiseBias and depthwiseActivation apply to the depthwise stage", () => {
      // intermediate [5, 10] + [1, -20] = [6, -10]; relu -> [6, 0]
      // out = [6*1 + 0*3, 6*2 + 0*-1] = [6, 12]; + bias [0.5, -1] = [6.5, 11]
      const options: SeparableOptions = {
        depthwiseBias: Float32Array.from([1, -20]),
        depthwiseActivation: "relu",
        bias: Float32Array.from([0.5, -1]),
      };
      expectTensor(reference.separableConv2d(x, dw, pw, options), [1, 1, 1, 2], [6.5, 11]);
      // depthwise hardswish: [6, -10] -> [6, 0]; same result
      expectTensor(
        reference.separableConv2d(x, dw, pw, { ...options, depthwiseActivation: "hardswish" }),
        [1, 1, 1, 2],
        [6.5, 11],
      );
      // Without the depthwise activation: [6, -10] -> [6 - 30, 12 + 10] + bias = [-23.5, 21]
      expectTensor(
        reference.separableConv2d(x, dw, pw, { ...options, depthwiseActivation: "linear" }),
        [1, 1, 1, 2],
        [-23.5, 21],
      );
    });

    it("window options apply to the depthwise stage only", () => {
      // padding 'same' on 2x2 with a 2x2 kernel pads bottom/right; intermediate per pixel:
      // (0,0): m0 = 1 + 4 = 5, m1 = 10;  (0,1): m0 = 2, m1 = 2 + 4 = 6
      // (1,0): m0 = 3, m1 = 3 + 4 = 7;   (1,1): m0 = 4, m1 = 4
      // pointwise: [m0 + 3*m1, 2*m0 - m1]:
      // [35, 0], [2 + 18, 4 - 6] = [20, -2], [3 + 21, 6 - 7] = [24, -1], [4 + 12, 8 - 4] = [16, 4]
      expectTensor(
        reference.separableConv2d(x, dw, pw, { padding: "same" }),
        [1, 2, 2, 2],
        [35, 0, 20, -2, 24, -1, 16, 4],
      );
    });
  });
});

describe("reference: hand-computed activations", () => {
  // Values chosen in every region: below -3, in [-3, 0), in [0, 3), in [3, 6], above 6.
  const values = [-4, -1, 0.5, 2, 5, 8];
  const expected: Record<Activation, number[]> = {
    linear: values,
    relu: [0, 0, 0.5, 2, 5, 8],
    relu6: [0, 0, 0.5, 2, 5, 6],
    // x * relu6(x + 3) / 6: -4*0/6 = 0, -1*2/6 = -1/3, 0.5*3.5/6 = 7/24, 2*5/6 = 5/3, 5*6/6 = 5, 8*6/6 = 8
    hardswish: [0, -1 / 3, 7 / 24, 5 / 3, 5, 8],
  };
  const n = values.length;
  const x = tensor([1, 1, n, 1], values);
  const one = tensor([1, 1, 1, 1], [1]);

  for (const activation of ["linear", "relu", "relu6", "hardswish"] as const) {
    it(activation, () => {
      const want = expected[activation];
      const shape = [1, 1, n, 1];
      expectTensor(reference.depthwiseConv2d(x, one, { activation }), shape, want, "depthwise");
      expectTensor(reference.pointwiseConv2d(x, tensor([1, 1], [1]), { activation }), shape, want, "pointwise");
      expectTensor(reference.conv2d(x, one, { activation }), shape, want, "conv2d");
      expectTensor(reference.separableConv2d(x, one, tensor([1, 1], [1]), { activation }), shape, want, "separable");
      expectTensor(
        reference.separableConv2d(x, one, tensor([1, 1], [1]), { depthwiseActivation: activation }),
        shape,
        want,
        "separable depthwise stage",
      );
      // The activation comes after the bias: input 0 with bias = the value.
      const zeros = tensor([1, 1, 1, 1], [0]);
      for (let i = 0; i < n; i++) {
        const bias = Float32Array.of(values[i]);
        expectTensor(reference.conv2d(zeros, one, { bias, activation }), [1, 1, 1, 1], [want[i]], `bias ${values[i]}`);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Random configurations against TensorFlow.js
// ---------------------------------------------------------------------------------------------

const ACTIVATIONS: readonly Activation[] = ["linear", "relu", "relu6", "hardswish"];
type TfPad = "same" | "valid" | [[0, 0], [number, number], [number, number], [0, 0]];
/** The padding forms the random configurations draw (the other forms map to these). */
type FlatPadding = "same" | "valid" | number | [number, number, number, number];

interface Window {
  strides: [number, number];
  dilations: [number, number];
  padding: FlatPadding;
}

/** Strides and dilations 1-3 per axis (never both above 1, which TF refuses), any padding kind. */
function randomWindow(random: () => number): Window {
  const strides: [number, number] = [randomInt(random, 1, 3), randomInt(random, 1, 3)];
  const dilations: [number, number] = [randomInt(random, 1, 3), randomInt(random, 1, 3)];
  if (strides.some((s) => s > 1) && dilations.some((d) => d > 1)) {
    if (random() < 0.5) strides.fill(1);
    else dilations.fill(1);
  }
  const kind = pick(random, ["same", "valid", "explicit", "explicit", "number"] as const);
  let padding: FlatPadding;
  if (kind === "explicit")
    padding = [0, 0, 0, 0].map(() => randomInt(random, 0, 3)) as [number, number, number, number];
  else if (kind === "number") padding = randomInt(random, 0, 3);
  else padding = kind;
  return { strides, dilations, padding };
}

/** Our padding in TF.js's terms. A number is passed as explicit pads: TF.js's numeric padding
 * computes the output width from the kernel height and stride height. */
function tfPad(padding: FlatPadding): TfPad {
  if (padding === "same" || padding === "valid") return padding;
  const [t, b, l, r] = typeof padding === "number" ? [padding, padding, padding, padding] : padding;
  return [
    [0, 0],
    [t, b],
    [l, r],
    [0, 0],
  ];
}

/**
 * Explicit pads as case i passes them to sepconv, in turn: flat [t, b, l, r], the value
 * TF.js is given ([[0, 0], [t, b], [l, r], [0, 0]]), or { top, bottom, left, right }.
 */
function ourPadding(padding: FlatPadding, i: number): Padding {
  if (typeof padding === "string" || i % 3 === 0) return padding;
  const tfForm = tfPad(padding) as ExplicitPadding;
  if (i % 3 === 1) return tfForm;
  const [[top, bottom], [left, right]] = tfForm.slice(1, 3);
  return { top, bottom, left, right };
}

function paddingFormKey(padding: FlatPadding, i: number): string {
  return typeof padding === "string" ? "form:mode" : `form:${["flat", "tfjs", "named"][i % 3]}`;
}

/** Output size by DESIGN.md's rules (independent of src/shapes.ts). */
function outSize(size: number, k: number, stride: number, dilation: number, padding: FlatPadding, axis: 0 | 1): number {
  if (padding === "same") return Math.ceil(size / stride);
  const pads =
    padding === "valid" ? [0, 0, 0, 0] : typeof padding === "number" ? [padding, padding, padding, padding] : padding;
  const before = pads[axis * 2];
  const after = pads[axis * 2 + 1];
  return Math.floor((size + before + after - ((k - 1) * dilation + 1)) / stride) + 1;
}

function isEmpty(h: number, w: number, kH: number, kW: number, win: Window): boolean {
  return (
    outSize(h, kH, win.strides[0], win.dilations[0], win.padding, 0) < 1 ||
    outSize(w, kW, win.strides[1], win.dilations[1], win.padding, 1) < 1
  );
}

/** Tallies what the random configurations covered, so a generator change cannot silently drop a case. */
class Coverage {
  private readonly seen = new Map<string, number>();
  add(...keys: string[]): void {
    for (const k of keys) this.seen.set(k, (this.seen.get(k) ?? 0) + 1);
  }
  expect(keys: string[], min = 10): void {
    for (const k of keys) expect(this.seen.get(k) ?? 0, `coverage of ${k}`).toBeGreaterThanOrEqual(min);
  }
}

function windowKeys(h: number, w: number, kH: number, kW: number, win: Window, i: number): string[] {
  const pad = typeof win.padding === "number" ? "number" : Array.isArray(win.padding) ? "explicit" : win.padding;
  const keys = [`pad:${pad}`, `stride:${win.strides[0]}`, `stride:${win.strides[1]}`, paddingFormKey(win.padding, i)];
  keys.push(`dilation:${win.dilations[0]}`, `dilation:${win.dilations[1]}`);
  if ((kH - 1) * win.dilations[0] + 1 > h || (kW - 1) * win.dilations[1] + 1 > w) keys.push("kernel>input");
  if (win.strides[0] !== win.strides[1]) keys.push("strides:unequal");
  return keys;
}
const WINDOW_KEYS = [
  "pad:same",
  "pad:valid",
  "pad:explicit",
  "pad:number",
  "stride:1",
  "stride:2",
  "stride:3",
  "dilation:1",
  "dilation:2",
  "dilation:3",
  "kernel>input",
  "strides:unequal",
  "form:flat",
  "form:tfjs",
  "form:named",
];
const ACTIVATION_KEYS = ACTIVATIONS.map((a) => `act:${a}`);

/** Runs fn in a tf.tidy scope and copies its result out, leaving no TF tensor behind. */
function runTf(fn: () => tf.Tensor): Tensor {
  const y = tf.tidy(fn);
  const out = { data: (y.dataSync() as Float32Array).slice(), shape: y.shape.slice() };
  y.dispose();
  return out;
}

function hardswish(data: Float32Array): Float32Array {
  return data.map((x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6);
}

/** The TF fused activation for ours; hardswish is applied afterwards on TF's linear output. */
function tfActivation(activation: Activation): "linear" | "relu" | "relu6" {
  return activation === "hardswish" ? "linear" : activation;
}

function finish(out: Tensor, activation: Activation): Tensor {
  return activation === "hardswish" ? { data: hardswish(out.data), shape: out.shape } : out;
}

function tf4d(t: Tensor): tf.Tensor4D {
  return tf.tensor4d(t.data, t.shape as [number, number, number, number]);
}

function describeOptions(o: ConvOptions | SeparableOptions): string {
  const s = o as SeparableOptions;
  return JSON.stringify({ ...o, bias: o.bias?.length, depthwiseBias: s.depthwiseBias?.length });
}

/** TF's depthwise (fused when there is a bias or relu/relu6), with our activation applied. */
function tfDepthwise(x: Tensor, filter: Tensor, win: Window, bias: Float32Array | undefined, act: Activation): Tensor {
  const result = runTf(() => {
    const pad = tfPad(win.padding);
    const fused = bias !== undefined || act === "relu" || act === "relu6";
    return fused
      ? tf.fused.depthwiseConv2d({
          x: tf4d(x),
          filter: tf4d(filter),
          strides: win.strides,
          pad: pad as never, // TF.js accepts explicit pads here; its typing lists only 'valid' | 'same' | number
          dilations: win.dilations,
          bias: bias ? tf.tensor1d(bias) : undefined,
          activation: tfActivation(act),
        })
      : tf.depthwiseConv2d(tf4d(x), tf4d(filter), win.strides, pad, "NHWC", win.dilations);
  });
  return finish(result, act);
}

/** TF's conv2d (fused when there is a bias or relu/relu6), with our activation applied. */
function tfConv(x: Tensor, filter: Tensor, win: Window, bias: Float32Array | undefined, act: Activation): Tensor {
  const result = runTf(() => {
    const pad = tfPad(win.padding);
    const fused = bias !== undefined || act === "relu" || act === "relu6";
    return fused
      ? tf.fused.conv2d({
          x: tf4d(x),
          filter: tf4d(filter),
          strides: win.strides,
          pad,
          dilations: win.dilations,
          bias: bias ? tf.tensor1d(bias) : undefined,
          activation: tfActivation(act),
        })
      : tf.conv2d(tf4d(x), tf4d(filter), win.strides, pad, "NHWC", win.dilations);
  });
  return finish(result, act);
}

describe("reference against TensorFlow.js", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
    await tf.ready();
  });

  it("depthwiseConv2d", () => {
    const random = rng(0x5eed0001);
    const coverage = new Coverage();
    let skipped = 0;
    for (let i = 0; i < 600; ) {
      const n = randomInt(random, 1, 3);
      const h = randomInt(random, 1, 11);
      const w = randomInt(random, 1, 11);
      const c = randomInt(random, 1, 17);
      const m = randomInt(random, 1, 4);
      const kH = randomInt(random, 1, 7);
      const kW = randomInt(random, 1, 7);
      const win = randomWindow(random);
      const activation = pick(random, ACTIVATIONS);
      const bias = random() < 0.5 ? randomArray(random, c * m) : undefined;
      const x = randomTensor(random, [n, h, w, c], pick(random, [1, 4]));
      const filter = randomTensor(random, [kH, kW, c, m]);
      const options: ConvOptions = { ...win, padding: ourPadding(win.padding, i), activation, ...(bias && { bias }) };
      if (isEmpty(h, w, kH, kW, win)) {
        expect(() => reference.depthwiseConv2d(x, filter, options)).toThrow(RangeError);
        skipped++;
        continue;
      }
      const label = `depthwise #${i} x${JSON.stringify(x.shape)} k${kH}x${kW} m${m} ${describeOptions(options)}`;
      const want = tfDepthwise(x, filter, win, bias, activation);
      expectClose(reference.depthwiseConv2d(x, filter, options), want, kH * kW, label);
      coverage.add(
        ...windowKeys(h, w, kH, kW, win, i),
        `act:${activation}`,
        `m:${m}`,
        `n:${n}`,
        bias ? "bias" : "nobias",
      );
      i++;
    }
    coverage.expect([
      ...WINDOW_KEYS,
      ...ACTIVATION_KEYS,
      "m:1",
      "m:2",
      "m:3",
      "m:4",
      "n:1",
      "n:2",
      "n:3",
      "bias",
      "nobias",
    ]);
    expect(skipped).toBeGreaterThan(0);
  });

  it("pointwiseConv2d (TF conv2d with a 1x1 filter)", () => {
    const random = rng(0x5eed0002);
    const coverage = new Coverage();
    for (let i = 0; i < 400; i++) {
      const n = randomInt(random, 1, 3);
      const h = randomInt(random, 1, 9);
      const w = randomInt(random, 1, 9);
      const cin = randomInt(random, 1, 17);
      const cout = randomInt(random, 1, 17);
      const win = randomWindow(random);
      const activation = pick(random, ACTIVATIONS);
      const bias = random() < 0.5 ? randomArray(random, cout) : undefined;
      const x = randomTensor(random, [n, h, w, cin], pick(random, [1, 4]));
      const weights = randomArray(random, cin * cout);
      const flat = random() < 0.5;
      const filter: Tensor = { data: weights, shape: flat ? [cin, cout] : [1, 1, cin, cout] };
      const options: ConvOptions = { ...win, padding: ourPadding(win.padding, i), activation, ...(bias && { bias }) };
      expect(isEmpty(h, w, 1, 1, win)).toBe(false); // a 1x1 window always fits
      const label = `pointwise #${i} x${JSON.stringify(x.shape)} ${JSON.stringify(filter.shape)} ${describeOptions(options)}`;
      const want = tfConv(x, { data: weights, shape: [1, 1, cin, cout] }, win, bias, activation);
      expectClose(reference.pointwiseConv2d(x, filter, options), want, cin, label);
      coverage.add(...windowKeys(h, w, 1, 1, win, i), `act:${activation}`, `n:${n}`, flat ? "flat" : "4d");
    }
    const keys = WINDOW_KEYS.filter((k) => k !== "kernel>input");
    coverage.expect([...keys, ...ACTIVATION_KEYS, "n:1", "n:2", "n:3", "flat", "4d"]);
  });

  it("conv2d", () => {
    const random = rng(0x5eed0003);
    const coverage = new Coverage();
    let skipped = 0;
    for (let i = 0; i < 500; ) {
      const n = randomInt(random, 1, 3);
      const h = randomInt(random, 1, 9);
      const w = randomInt(random, 1, 9);
      const cin = randomInt(random, 1, 17);
      const cout = randomInt(random, 1, 17);
      const kH = randomInt(random, 1, 7);
      const kW = randomInt(random, 1, 7);
      const win = randomWindow(random);
      const activation = pick(random, ACTIVATIONS);
      const bias = random() < 0.5 ? randomArray(random, cout) : undefined;
      const x = randomTensor(random, [n, h, w, cin], pick(random, [1, 4]));
      const filter = randomTensor(random, [kH, kW, cin, cout]);
      const options: ConvOptions = { ...win, padding: ourPadding(win.padding, i), activation, ...(bias && { bias }) };
      if (isEmpty(h, w, kH, kW, win)) {
        expect(() => reference.conv2d(x, filter, options)).toThrow(RangeError);
        skipped++;
        continue;
      }
      const label = `conv2d #${i} x${JSON.stringify(x.shape)} f${JSON.stringify(filter.shape)} ${describeOptions(options)}`;
      const want = tfConv(x, filter, win, bias, activation);
      expectClose(reference.conv2d(x, filter, options), want, kH * kW * cin, label);
      coverage.add(...windowKeys(h, w, kH, kW, win, i), `act:${activation}`, `n:${n}`, bias ? "bias" : "nobias");
      i++;
    }
    coverage.expect([...WINDOW_KEYS, ...ACTIVATION_KEYS, "n:1", "n:2", "n:3", "bias", "nobias"]);
    expect(skipped).toBeGreaterThan(0);
  });

  it("separableConv2d", () => {
    const random = rng(0x5eed0004);
    const coverage = new Coverage();
    let skipped = 0;
    for (let i = 0; i < 500; ) {
      const n = randomInt(random, 1, 3);
      const h = randomInt(random, 1, 10);
      const w = randomInt(random, 1, 10);
      const c = randomInt(random, 1, 17);
      const m = randomInt(random, 1, 4);
      const cout = randomInt(random, 1, 17);
      const kH = randomInt(random, 1, 7);
      const kW = randomInt(random, 1, 7);
      const win = randomWindow(random);
      const activation = pick(random, ACTIVATIONS);
      const bias = random() < 0.5 ? randomArray(random, cout) : undefined;
      // Half the cases also use the depthwise-stage options.
      const staged = random() < 0.5;
      const depthwiseActivation = staged ? pick(random, ACTIVATIONS) : "linear";
      const depthwiseBias = staged && random() < 0.7 ? randomArray(random, c * m) : undefined;
      const x = randomTensor(random, [n, h, w, c], pick(random, [1, 4]));
      const dwFilter = randomTensor(random, [kH, kW, c, m]);
      const pwWeights = randomArray(random, c * m * cout);
      const flat = random() < 0.5;
      const pwFilter: Tensor = { data: pwWeights, shape: flat ? [c * m, cout] : [1, 1, c * m, cout] };
      const options: SeparableOptions = {
        ...win,
        padding: ourPadding(win.padding, i),
        activation,
        ...(bias && { bias }),
        ...(staged && { depthwiseActivation }),
        ...(depthwiseBias && { depthwiseBias }),
      };
      if (isEmpty(h, w, kH, kW, win)) {
        expect(() => reference.separableConv2d(x, dwFilter, pwFilter, options)).toThrow(RangeError);
        skipped++;
        continue;
      }
      const label = `separable #${i} x${JSON.stringify(x.shape)} k${kH}x${kW} m${m} -> ${cout} ${describeOptions(options)}`;
      const pw4d: Tensor = { data: pwWeights, shape: [1, 1, c * m, cout] };
      let want: Tensor;
      if (depthwiseBias === undefined && depthwiseActivation === "linear") {
        // tf.separableConv2d, then the bias and the activation.
        const linear = runTf(() => {
          let y: tf.Tensor = tf.separableConv2d(
            tf4d(x),
            tf4d(dwFilter),
            tf4d(pw4d),
            win.strides,
            tfPad(win.padding) as never, // TF.js accepts explicit pads here; its typing lists only 'valid' | 'same'
            win.dilations,
          );
          if (bias) y = tf.add(y, tf.tensor1d(bias));
          if (activation === "relu") y = tf.relu(y);
          if (activation === "relu6") y = tf.relu6(y);
          return y;
        });
        want = finish(linear, activation);
      } else {
        // The depthwise stage with its own bias and activation, then a 1x1 conv.
        const mid = tfDepthwise(x, dwFilter, win, depthwiseBias, depthwiseActivation);
        const one: Window = { strides: [1, 1], dilations: [1, 1], padding: "valid" };
        want = tfConv(mid, pw4d, one, bias, activation);
      }
      expectClose(reference.separableConv2d(x, dwFilter, pwFilter, options), want, kH * kW * c * m, label);
      coverage.add(...windowKeys(h, w, kH, kW, win, i), `act:${activation}`, `dwact:${depthwiseActivation}`, `m:${m}`);
      coverage.add(`n:${n}`, bias ? "bias" : "nobias", depthwiseBias ? "dwbias" : "nodwbias", flat ? "flat" : "4d");
      i++;
    }
    coverage.expect([...WINDOW_KEYS, ...ACTIVATION_KEYS, ...ACTIVATIONS.map((a) => `dwact:${a}`)]);
    coverage.expect([
      "m:1",
      "m:2",
      "m:3",
      "m:4",
      "n:1",
      "n:2",
      "n:3",
      "bias",
      "nobias",
      "dwbias",
      "nodwbias",
      "flat",
      "4d",
    ]);
    expect(skipped).toBeGreaterThan(0);
  });
});
