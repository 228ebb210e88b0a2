// loadTFLiteModel per operator: small .tflite files written with the generated builders
// (test/tflite-builder.ts), each run by LiteRT.js (the oracle) and by every build. Covers the
// ops and options the two MediaPipe models do not: fused activations on convs, dilation,
// FULLY_CONNECTED, SOFTMAX, MEAN, SUB/DIV by constants, CONCATENATION on the channels,
// TRANSPOSE_CONV with overlapping windows, the resizes, the pass activations, PADV2, pools
// with a fused activation, and float16 weights behind DEQUANTIZE.

import type { Builder } from "flatbuffers";
import { describe, expect, it } from "vitest";
import { init, loadTFLiteModel } from "../src/index.js";
import {
  ActivationFunctionType as A,
  type ActivationFunctionType,
} from "../src/model/tflite/schema/tflite/activation-function-type.js";
import { AddOptions } from "../src/model/tflite/schema/tflite/add-options.js";
import { ConcatenationOptions } from "../src/model/tflite/schema/tflite/concatenation-options.js";
import { Conv2DOptions } from "../src/model/tflite/schema/tflite/conv2-doptions.js";
import { DepthwiseConv2DOptions } from "../src/model/tflite/schema/tflite/depthwise-conv2-doptions.js";
import { DivOptions } from "../src/model/tflite/schema/tflite/div-options.js";
import { FullyConnectedOptions } from "../src/model/tflite/schema/tflite/fully-connected-options.js";
import { LeakyReluOptions } from "../src/model/tflite/schema/tflite/leaky-relu-options.js";
import { Padding } from "../src/model/tflite/schema/tflite/padding.js";
import { Pool2DOptions } from "../src/model/tflite/schema/tflite/pool2-doptions.js";
import { ReducerOptions } from "../src/model/tflite/schema/tflite/reducer-options.js";
import { ResizeBilinearOptions } from "../src/model/tflite/schema/tflite/resize-bilinear-options.js";
import { ResizeNearestNeighborOptions } from "../src/model/tflite/schema/tflite/resize-nearest-neighbor-options.js";
import { SoftmaxOptions } from "../src/model/tflite/schema/tflite/softmax-options.js";
import { SubOptions } from "../src/model/tflite/schema/tflite/sub-options.js";
import { TensorType } from "../src/model/tflite/schema/tflite/tensor-type.js";
import { TransposeConvOptions } from "../src/model/tflite/schema/tflite/transpose-conv-options.js";
import { ALL_BACKENDS, rng } from "./helpers.js";
import { litertModel } from "./oracles/litert-node.js";
import { BuiltinOperator as Op, BuiltinOptions as Opt, TfliteBuilder } from "./tflite-builder.js";

interface Case {
  name: string;
  input: number[];
  build(t: TfliteBuilder, x: number): number[];
}

const conv =
  (p: Padding, s: number, act: ActivationFunctionType, d = 1) =>
  (b: Builder) =>
    Conv2DOptions.createConv2DOptions(b, p, s, s, act, d, d, TensorType.FLOAT32);

const CASES: Case[] = [
  {
    name: "CONV_2D 3x3 stride 2 SAME, fused RELU6, bias",
    input: [1, 9, 8, 3],
    build: (t, x) => {
      const y = t.tensor([1, 5, 4, 6]);
      t.op(
        Op.CONV_2D,
        [x, t.weights([6, 3, 3, 3], undefined, -1, 1), t.weights([6])],
        [y],
        Opt.Conv2DOptions,
        conv(Padding.SAME, 2, A.RELU6),
      );
      return [y];
    },
  },
  {
    name: "CONV_2D dilation 2 VALID, fused RELU, float16 weights behind DEQUANTIZE",
    input: [1, 8, 9, 4],
    build: (t, x) => {
      const y = t.tensor([1, 4, 5, 5]);
      t.op(
        Op.CONV_2D,
        [x, t.halfWeights([5, 3, 3, 4]), t.weights([5])],
        [y],
        Opt.Conv2DOptions,
        conv(Padding.VALID, 1, A.RELU, 2),
      );
      return [y];
    },
  },
  {
    name: "DEPTHWISE_CONV_2D multiplier 2 with fused RELU6, then a 1x1 CONV_2D (a chain)",
    input: [1, 7, 6, 4],
    build: (t, x) => {
      const d = t.tensor([1, 7, 6, 8]);
      t.op(Op.DEPTHWISE_CONV_2D, [x, t.weights([1, 3, 3, 8]), t.weights([8])], [d], Opt.DepthwiseConv2DOptions, (b) =>
        DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, Padding.SAME, 1, 1, 2, A.RELU6, 1, 1),
      );
      const y = t.tensor([1, 7, 6, 5]);
      t.op(
        Op.CONV_2D,
        [d, t.weights([5, 1, 1, 8]), t.weights([5])],
        [y],
        Opt.Conv2DOptions,
        conv(Padding.SAME, 1, A.NONE),
      );
      return [y];
    },
  },
  {
    name: "MEAN over height and width, FULLY_CONNECTED with fused RELU, SOFTMAX",
    input: [1, 5, 4, 6],
    build: (t, x) => {
      const m = t.tensor([1, 6]);
      t.op(Op.MEAN, [x, t.ints([2], [1, 2])], [m], Opt.ReducerOptions, (b) =>
        ReducerOptions.createReducerOptions(b, false),
      );
      const h = t.tensor([1, 7]);
      const fc = (act: ActivationFunctionType) => (b: Builder) =>
        FullyConnectedOptions.createFullyConnectedOptions(b, act, 0, false, false, TensorType.FLOAT32);
      t.op(
        Op.FULLY_CONNECTED,
        [m, t.weights([7, 6], undefined, -1, 1), t.weights([7])],
        [h],
        Opt.FullyConnectedOptions,
        fc(A.RELU),
      );
      const l = t.tensor([1, 3]);
      t.op(
        Op.FULLY_CONNECTED,
        [h, t.weights([3, 7], undefined, -1, 1), t.weights([3])],
        [l],
        Opt.FullyConnectedOptions,
        fc(A.NONE),
      );
      const y = t.tensor([1, 3]);
      t.op(Op.SOFTMAX, [l], [y], Opt.SoftmaxOptions, (b) => SoftmaxOptions.createSoftmaxOptions(b, 1));
      return [y];
    },
  },
  {
    name: "SUB and DIV by per-channel constants, ADD of two tensors with fused RELU, MUL by a scalar",
    input: [1, 4, 4, 3],
    build: (t, x) => {
      const s = t.tensor([1, 4, 4, 3]);
      t.op(Op.SUB, [x, t.weights([3], [0.1, -0.2, 0.3])], [s], Opt.SubOptions, (b) =>
        SubOptions.createSubOptions(b, A.NONE, false),
      );
      const d = t.tensor([1, 4, 4, 3]);
      t.op(Op.DIV, [s, t.weights([1, 1, 1, 3], [0.5, 2, 4])], [d], Opt.DivOptions, (b) =>
        DivOptions.createDivOptions(b, A.NONE),
      );
      const a = t.tensor([1, 4, 4, 3]);
      t.op(Op.ADD, [d, x], [a], Opt.AddOptions, (b) => AddOptions.createAddOptions(b, A.RELU, false));
      const y = t.tensor([1, 4, 4, 3]);
      t.op(Op.MUL, [a, t.weights([], [1.5])], [y]);
      return [y];
    },
  },
  {
    name: "CONCATENATION on the channels of three branches",
    input: [1, 5, 6, 2],
    build: (t, x) => {
      const a = t.tensor([1, 5, 6, 3]);
      t.op(
        Op.CONV_2D,
        [x, t.weights([3, 1, 1, 2]), t.weights([3])],
        [a],
        Opt.Conv2DOptions,
        conv(Padding.SAME, 1, A.NONE),
      );
      const b2 = t.tensor([1, 5, 6, 1]);
      t.op(
        Op.CONV_2D,
        [x, t.weights([1, 3, 3, 2]), t.weights([1])],
        [b2],
        Opt.Conv2DOptions,
        conv(Padding.SAME, 1, A.NONE),
      );
      const y = t.tensor([1, 5, 6, 6]);
      t.op(Op.CONCATENATION, [a, b2, x], [y], Opt.ConcatenationOptions, (b) =>
        ConcatenationOptions.createConcatenationOptions(b, 3, A.NONE),
      );
      return [y];
    },
  },
  {
    name: "TRANSPOSE_CONV 3x3 stride 2 SAME (overlapping windows) with a bias, then stride 2 VALID 2x2",
    input: [1, 5, 4, 3],
    build: (t, x) => {
      const up = t.tensor([1, 10, 8, 4]);
      t.op(
        Op.TRANSPOSE_CONV,
        [t.ints([4], [1, 10, 8, 4]), t.weights([4, 3, 3, 3]), x, t.weights([4])],
        [up],
        Opt.TransposeConvOptions,
        (b) => TransposeConvOptions.createTransposeConvOptions(b, Padding.SAME, 2, 2, A.NONE, TensorType.FLOAT32),
      );
      const y = t.tensor([1, 20, 16, 2]);
      t.op(
        Op.TRANSPOSE_CONV,
        [t.ints([4], [1, 20, 16, 2]), t.weights([2, 2, 2, 4]), up],
        [y],
        Opt.TransposeConvOptions,
        (b) => TransposeConvOptions.createTransposeConvOptions(b, Padding.VALID, 2, 2, A.NONE, TensorType.FLOAT32),
      );
      return [y];
    },
  },
  {
    name: "RESIZE_BILINEAR half-pixel up, RESIZE_NEAREST_NEIGHBOR align-corners down",
    input: [1, 5, 7, 5],
    build: (t, x) => {
      const up = t.tensor([1, 11, 13, 5]);
      t.op(Op.RESIZE_BILINEAR, [x, t.ints([2], [11, 13])], [up], Opt.ResizeBilinearOptions, (b) =>
        ResizeBilinearOptions.createResizeBilinearOptions(b, false, true),
      );
      const y = t.tensor([1, 4, 6, 5]);
      t.op(Op.RESIZE_NEAREST_NEIGHBOR, [up, t.ints([2], [4, 6])], [y], Opt.ResizeNearestNeighborOptions, (b) =>
        ResizeNearestNeighborOptions.createResizeNearestNeighborOptions(b, true, false),
      );
      return [y];
    },
  },
  {
    name: "LOGISTIC, TANH, ELU, LEAKY_RELU, HARD_SWISH, RELU as ops",
    input: [1, 3, 4, 5],
    build: (t, x) => {
      let y = x;
      for (const op of [Op.LOGISTIC, Op.TANH, Op.ELU, Op.LEAKY_RELU, Op.HARD_SWISH, Op.RELU]) {
        const next = t.tensor([1, 3, 4, 5]);
        if (op === Op.LEAKY_RELU)
          t.op(op, [y], [next], Opt.LeakyReluOptions, (b) => LeakyReluOptions.createLeakyReluOptions(b, 0.15));
        else t.op(op, [y], [next]);
        y = next;
      }
      return [y];
    },
  },
  {
    name: "PADV2 with zeros, AVERAGE_POOL_2D VALID with fused RELU6, MAX_POOL_2D SAME, two outputs",
    input: [1, 6, 7, 4],
    build: (t, x) => {
      const p = t.tensor([1, 8, 10, 4]);
      t.op(Op.PADV2, [x, t.ints([4, 2], [0, 0, 1, 1, 2, 1, 0, 0]), t.weights([], [0])], [p]);
      const pool = (f: number, s: number, padding: Padding, act: ActivationFunctionType) => (b: Builder) =>
        Pool2DOptions.createPool2DOptions(b, padding, s, s, f, f, act);
      const avg = t.tensor([1, 4, 5, 4]);
      t.op(Op.AVERAGE_POOL_2D, [p], [avg], Opt.Pool2DOptions, pool(2, 2, Padding.VALID, A.RELU6));
      const max = t.tensor([1, 3, 4, 4]);
      t.op(Op.MAX_POOL_2D, [x], [max], Opt.Pool2DOptions, pool(3, 2, Padding.SAME, A.NONE));
      return [avg, max];
    },
  },
];

describe("options TFLite's kernels do not honour are refused by name", () => {
  it("a fused TANH on a conv, a fused activation on CONCATENATION", async () => {
    await init();
    const t = new TfliteBuilder(1);
    const x = t.tensor([1, 4, 4, 2], "input");
    const y = t.tensor([1, 4, 4, 2]);
    t.op(Op.CONV_2D, [x, t.weights([2, 1, 1, 2])], [y], Opt.Conv2DOptions, conv(Padding.SAME, 1, A.TANH));
    expect(() => loadTFLiteModel(t.bytes([x], [y]))).toThrow(
      /^loadTFLiteModel: operator 0 \(CONV_2D\): fused activation TANH is not supported/,
    );
    const u = new TfliteBuilder(1);
    const ux = u.tensor([1, 4, 4, 2], "input");
    const uy = u.tensor([1, 4, 4, 4]);
    u.op(Op.CONCATENATION, [ux, ux], [uy], Opt.ConcatenationOptions, (b) =>
      ConcatenationOptions.createConcatenationOptions(b, 3, A.RELU),
    );
    expect(() => loadTFLiteModel(u.bytes([ux], [uy]))).toThrow(
      /operator 0 \(CONCATENATION\): a fused activation on CONCATENATION is not supported/,
    );
  });
});

describe("TFLite ops against LiteRT.js, every build", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const t = new TfliteBuilder(c.name.length);
      const x = t.tensor(c.input, "input");
      const outputs = c.build(t, x);
      const bytes = t.bytes([x], outputs);
      const random = rng(c.input.length + c.name.length);
      const data = Float32Array.from({ length: c.input.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1);
      const oracle = await litertModel(bytes);
      const want = await oracle.run([data]);
      oracle.delete();
      for (const backend of ALL_BACKENDS) {
        await init({ backend });
        const model = loadTFLiteModel(bytes);
        const got = model.predictAll({ data, shape: c.input });
        for (const [i, w] of want.entries()) {
          expect(got[i].shape, `${backend} output ${i}`).toEqual(w.shape);
          let scale = 1;
          for (const v of w.data) scale = Math.max(scale, Math.abs(v));
          for (let k = 0; k < w.data.length; k++) {
            if (!(Math.abs(got[i].data[k] - w.data[k]) <= 1e-5 * scale)) {
              expect.fail(`${backend} output ${i} value ${k}: ${got[i].data[k]}, LiteRT ${w.data[k]}`);
            }
          }
        }
        model.dispose();
      }
    });
  }
});
