// Errors that tell the fix: a channel mismatch whose shapes look like an NCHW input or a
// filter in PyTorch's order says so and names the shape to transpose to, from every op as a
// one-shot call, a prepared layer and the reference, on every backend; an ordinary mismatch
// gets no such hint.

import { beforeAll, describe, expect, it } from "vitest";
import {
  conv2d,
  createConv2d,
  createDepthwiseConv2d,
  createPointwiseConv2d,
  createSeparableConv2d,
  depthwiseConv2d,
  init,
  pointwiseConv2d,
  reference,
  separableConv2d,
  type Tensor,
} from "../src/index.js";
import { ALL_BACKENDS } from "./helpers.js";

const zeros = (shape: number[]): Tensor => ({ data: new Float32Array(shape.reduce((a, b) => a * b)), shape });

type Family = "depthwise" | "pointwise" | "conv" | "separable";

interface Call {
  op: string;
  create: string;
  oneShot: () => unknown;
  prepared: () => unknown;
  reference: () => unknown;
}

/** The three ways to call `family` on x with these filters (separable: [depthwise, pointwise]). */
function calls(family: Family, x: number[], filters: number[][]): Call {
  const xt = zeros(x);
  const [f, pw] = filters.map(zeros);
  const run = (make: () => { run(x: Tensor): Tensor; dispose(): void }) => () => {
    const layer = make();
    try {
      return layer.run(xt);
    } finally {
      layer.dispose();
    }
  };
  switch (family) {
    case "depthwise":
      return {
        op: "depthwiseConv2d",
        create: "createDepthwiseConv2d",
        oneShot: () => depthwiseConv2d(xt, f),
        prepared: run(() => createDepthwiseConv2d(f)),
        reference: () => reference.depthwiseConv2d(xt, f),
      };
    case "pointwise":
      return {
        op: "pointwiseConv2d",
        create: "createPointwiseConv2d",
        oneShot: () => pointwiseConv2d(xt, f),
        prepared: run(() => createPointwiseConv2d(f)),
        reference: () => reference.pointwiseConv2d(xt, f),
      };
    case "conv":
      return {
        op: "conv2d",
        create: "createConv2d",
        oneShot: () => conv2d(xt, f),
        prepared: run(() => createConv2d(f)),
        reference: () => reference.conv2d(xt, f),
      };
    case "separable":
      return {
        op: "separableConv2d",
        create: "createSeparableConv2d",
        oneShot: () => separableConv2d(xt, f, pw),
        prepared: run(() => createSeparableConv2d(f, pw)),
        reference: () => reference.separableConv2d(xt, f, pw),
      };
  }
}

function messageOf(fn: () => unknown, op: string): string {
  try {
    fn();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(RangeError);
    const message = (error as Error).message;
    expect(message.startsWith(`${op}: `), message).toBe(true);
    return message.slice(op.length + 2);
  }
  return expect.fail(`${op}: expected a RangeError`);
}

/** The message after "op: ", the same from all three calls. */
function messages(family: Family, x: number[], filters: number[][]): string {
  const c = calls(family, x, filters);
  const oneShot = messageOf(c.oneShot, c.op);
  expect(messageOf(c.prepared, c.create), "prepared").toBe(oneShot);
  expect(messageOf(c.reference, c.op), "reference").toBe(oneShot);
  return oneShot;
}

interface HintCase {
  name: string;
  family: Family;
  x: number[];
  filters: number[][];
  message: string;
}

const NCHW_224 =
  "x may be NCHW [1, 3, 224, 224]; sepconv takes NHWC [N, H, W, C]: if so, transpose to [1, 224, 224, 3]";

const HINTS: readonly HintCase[] = [
  {
    name: "depthwise: NCHW x",
    family: "depthwise",
    x: [1, 3, 224, 224],
    filters: [[3, 3, 3, 1]],
    message: `x.shape[3] (224) must equal the filter's input channels (3); ${NCHW_224}`,
  },
  {
    name: "depthwise: PyTorch's [C, 1, kH, kW] filter",
    family: "depthwise",
    x: [1, 8, 8, 32],
    filters: [[32, 1, 3, 3]],
    message:
      "x.shape[3] (32) must equal the filter's input channels (3); filter may be PyTorch's [C*M, 1, kH, kW] " +
      "[32, 1, 3, 3]; sepconv takes [kH, kW, C, M]: if so, transpose to [3, 3, 32, 1]",
  },
  {
    name: "depthwise: PyTorch's [C*M, 1, kH, kW] filter with multiplier 2",
    family: "depthwise",
    x: [1, 8, 8, 16],
    filters: [[32, 1, 5, 5]],
    message:
      "x.shape[3] (16) must equal the filter's input channels (5); filter may be PyTorch's [C*M, 1, kH, kW] " +
      "[32, 1, 5, 5]; sepconv takes [kH, kW, C, M]: if so, transpose to [5, 5, 16, 2]",
  },
  {
    name: "depthwise: NCHW x and a PyTorch filter",
    family: "depthwise",
    x: [1, 32, 14, 14],
    filters: [[32, 1, 3, 3]],
    message:
      "x.shape[3] (14) must equal the filter's input channels (3); x may be NCHW [1, 32, 14, 14]; sepconv takes " +
      "NHWC [N, H, W, C]: if so, transpose to [1, 14, 14, 32]; filter may be PyTorch's [C*M, 1, kH, kW] [32, 1, 3, 3]; " +
      "sepconv takes [kH, kW, C, M]: if so, transpose to [3, 3, 32, 1]",
  },
  {
    name: "conv: NCHW x",
    family: "conv",
    x: [1, 3, 224, 224],
    filters: [[3, 3, 3, 16]],
    message: `x.shape[3] (224) must equal the filter's input channels (3); ${NCHW_224}`,
  },
  {
    name: "conv: PyTorch's [Cout, Cin, kH, kW] filter",
    family: "conv",
    x: [1, 10, 10, 8],
    filters: [[16, 8, 3, 3]],
    message:
      "x.shape[3] (8) must equal the filter's input channels (3); filter may be PyTorch's [Cout, Cin, kH, kW] " +
      "[16, 8, 3, 3]; sepconv takes [kH, kW, Cin, Cout]: if so, transpose to [3, 3, 8, 16]",
  },
  {
    name: "conv: PyTorch's filter with as many outputs as inputs",
    family: "conv",
    x: [1, 10, 10, 32],
    filters: [[32, 32, 3, 3]],
    message:
      "x.shape[3] (32) must equal the filter's input channels (3); filter may be PyTorch's [Cout, Cin, kH, kW] " +
      "[32, 32, 3, 3]; sepconv takes [kH, kW, Cin, Cout]: if so, transpose to [3, 3, 32, 32]",
  },
  {
    name: "conv: a PyTorch model's first layer (NCHW x, [Cout, Cin, kH, kW] filter)",
    family: "conv",
    x: [1, 3, 224, 224],
    filters: [[64, 3, 7, 7]],
    message:
      `x.shape[3] (224) must equal the filter's input channels (7); ${NCHW_224}; filter may be PyTorch's ` +
      "[Cout, Cin, kH, kW] [64, 3, 7, 7]; sepconv takes [kH, kW, Cin, Cout]: if so, transpose to [7, 7, 3, 64]",
  },
  {
    name: "pointwise: NCHW x",
    family: "pointwise",
    x: [1, 8, 5, 6],
    filters: [[8, 16]],
    message:
      "x.shape[3] (6) must equal the filter's input channels (8); x may be NCHW [1, 8, 5, 6]; sepconv takes " +
      "NHWC [N, H, W, C]: if so, transpose to [1, 5, 6, 8]",
  },
  {
    name: "pointwise: a [Cout, Cin] filter",
    family: "pointwise",
    x: [1, 5, 5, 8],
    filters: [[16, 8]],
    message:
      "x.shape[3] (8) must equal the filter's input channels (16); filter [16, 8] may be [Cout, Cin] " +
      "(PyTorch's order); sepconv takes [Cin, Cout]: if so, transpose to [8, 16]",
  },
  {
    name: "pointwise: PyTorch's [Cout, Cin, 1, 1] filter",
    family: "pointwise",
    x: [1, 5, 5, 8],
    filters: [[16, 8, 1, 1]],
    message:
      "filter.shape ([16, 8, 1, 1]) must be [Cin, Cout] or [1, 1, Cin, Cout]; it may be PyTorch's " +
      "[Cout, Cin, 1, 1]: if so, transpose to [1, 1, 8, 16]",
  },
  {
    name: "separable: NCHW x",
    family: "separable",
    x: [1, 3, 224, 224],
    filters: [
      [3, 3, 3, 1],
      [3, 8],
    ],
    message: `x.shape[3] (224) must equal the filter's input channels (3); ${NCHW_224}`,
  },
  {
    name: "separable: PyTorch's depthwise filter",
    family: "separable",
    x: [1, 8, 8, 16],
    filters: [
      [16, 1, 3, 3],
      [16, 8],
    ],
    message:
      "pointwiseFilter input channels (16) must equal depthwise output channels C*M (9); depthwiseFilter may " +
      "be PyTorch's [C*M, 1, kH, kW] [16, 1, 3, 3]; sepconv takes [kH, kW, C, M]: if so, transpose to [3, 3, 16, 1] " +
      "for multiplier 1",
  },
  {
    name: "separable: PyTorch's [Cout, Cin, 1, 1] pointwise filter",
    family: "separable",
    x: [1, 8, 8, 16],
    filters: [
      [3, 3, 16, 1],
      [8, 16, 1, 1],
    ],
    message:
      "pointwiseFilter.shape ([8, 16, 1, 1]) must be [Cin, Cout] or [1, 1, Cin, Cout]; it may be PyTorch's " +
      "[Cout, Cin, 1, 1]: if so, transpose to [1, 1, 16, 8]",
  },
];

/** Mismatches with no other framework's layout in sight: the plain message, no hint. */
const ORDINARY: readonly HintCase[] = [
  ...(["depthwise", "conv"] as const).map((family) => ({
    name: `${family}: x with the wrong channel count`,
    family,
    x: [1, 5, 5, 32],
    filters: [[3, 3, 4, family === "conv" ? 6 : 2]],
    message: "x.shape[3] (32) must equal the filter's input channels (4)",
  })),
  {
    name: "pointwise: x with the wrong channel count",
    family: "pointwise",
    x: [1, 5, 5, 32],
    filters: [[4, 6]],
    message: "x.shape[3] (32) must equal the filter's input channels (4)",
  },
  {
    name: "separable: x with the wrong channel count",
    family: "separable",
    x: [1, 5, 5, 32],
    filters: [
      [3, 3, 4, 2],
      [8, 6],
    ],
    message: "x.shape[3] (32) must equal the filter's input channels (4)",
  },
  {
    name: "depthwise: a square image whose side equals the expected channels",
    family: "depthwise",
    x: [1, 4, 4, 32],
    filters: [[3, 3, 4, 1]],
    message: "x.shape[3] (32) must equal the filter's input channels (4)",
  },
  {
    name: "conv: a 3x3 TensorFlow filter for 16 channels on RGB",
    family: "conv",
    x: [1, 8, 8, 3],
    filters: [[3, 3, 16, 16]],
    message: "x.shape[3] (3) must equal the filter's input channels (16)",
  },
  {
    name: "conv: a 3x3 TensorFlow filter for one channel on RGB",
    family: "conv",
    x: [1, 8, 8, 3],
    filters: [[3, 3, 1, 1]],
    message: "x.shape[3] (3) must equal the filter's input channels (1)",
  },
  {
    name: "conv: [3, 3, 16, 32] on RGB",
    family: "conv",
    x: [1, 8, 8, 3],
    filters: [[3, 3, 16, 32]],
    message: "x.shape[3] (3) must equal the filter's input channels (16)",
  },
  {
    name: "depthwise: a 3x3 TensorFlow filter for 16 channels on RGB",
    family: "depthwise",
    x: [1, 8, 8, 3],
    filters: [[3, 3, 16, 1]],
    message: "x.shape[3] (3) must equal the filter's input channels (16)",
  },
  {
    name: "pointwise: a square filter for other channels",
    family: "pointwise",
    x: [1, 5, 5, 32],
    filters: [[16, 16]],
    message: "x.shape[3] (32) must equal the filter's input channels (16)",
  },
  {
    name: "pointwise: a 4-D filter with a 2x1 window",
    family: "pointwise",
    x: [1, 5, 5, 4],
    filters: [[2, 1, 4, 6]],
    message: "filter.shape ([2, 1, 4, 6]) must be [Cin, Cout] or [1, 1, Cin, Cout]",
  },
  {
    name: "separable: pointwise input channels other than C*M",
    family: "separable",
    x: [1, 5, 5, 4],
    filters: [
      [3, 3, 4, 2],
      [4, 6],
    ],
    message: "pointwiseFilter input channels (4) must equal depthwise output channels C*M (8)",
  },
];

for (const build of ALL_BACKENDS) {
  describe(`layout hints on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    for (const c of HINTS) {
      it(c.name, () => expect(messages(c.family, c.x, c.filters)).toBe(c.message));
    }

    for (const c of ORDINARY) {
      it(`no hint: ${c.name}`, () => expect(messages(c.family, c.x, c.filters)).toBe(c.message));
    }
  });
}
