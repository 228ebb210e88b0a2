// Which microkernel each geometry selects, on every backend: layer.kernels for the prepared
// layers and model.describe() per step. Turning a tile off (or sending a window to the wrong
// one) fails here even when the results stay correct.

import { beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  createConv2d,
  createDepthwiseConv2d,
  createPointwiseConv2d,
  createSeparableConv2d,
  init,
  loadLayersModel,
  type Tensor,
} from "../src/index.js";
import { ALL_BACKENDS } from "./helpers.js";
import { kernelIn } from "./testers/tester.js";

const zeros = (shape: number[]): Tensor => ({
  data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
  shape,
});

/** The base names each backend should pick, by case. */
function expected(build: Backend) {
  const simd = build === "simd" || build === "relaxed-simd";
  const dw = (tile: string) => (build === "js" ? "dwconv_reference" : simd ? tile : "dwconv_generic_c1");
  const generic = build === "js" ? "dwconv_reference" : simd ? "dwconv_generic_c4" : "dwconv_generic_c1";
  const gemm = build === "js" ? "gemm_reference" : simd ? "gemm_4x8" : "gemm_1x1";
  const conv = build === "js" ? "conv_reference" : simd ? "conv_gather4_4x8" : "conv_1x1";
  return { dw, generic, gemm, conv };
}

for (const build of ALL_BACKENDS) {
  describe(`kernel dispatch on ${build}`, () => {
    beforeAll(() => init({ backend: build }));
    const e = expected(build);
    const name = (base: string) => kernelIn(base, build);

    const depthwise: [string, number[], object, string][] = [
      ["3x3 stride 1", [3, 3, 8, 1], { padding: "same" }, e.dw("dwconv_3x3s1_c4x4")],
      ["3x3 stride 2", [3, 3, 8, 1], { strides: 2, padding: "same" }, e.dw("dwconv_3x3s2_c4x4")],
      ["5x5 stride 1", [5, 5, 8, 1], { padding: "same" }, e.dw("dwconv_5x5s1_c4x4")],
      ["5x5 stride 2", [5, 5, 8, 1], { strides: 2 }, e.dw("dwconv_5x5s2_c4x4")],
      ["3x3 dilated", [3, 3, 8, 1], { dilations: 2 }, e.generic],
      ["3x3 multiplier 2", [3, 3, 8, 2], {}, e.generic],
      ["7x7", [7, 7, 8, 1], { padding: "same" }, e.generic],
      ["3x5", [3, 5, 8, 1], {}, e.generic],
      ["3x3 strides [1, 2]", [3, 3, 8, 1], { strides: [1, 2] }, e.generic],
      ["3x3 stride 3", [3, 3, 8, 1], { strides: 3 }, e.generic],
    ];
    for (const [label, shape, options, want] of depthwise) {
      it(`depthwise ${label} runs ${name(want)}`, () => {
        const layer = createDepthwiseConv2d(zeros(shape), options);
        expect(layer.kernels).toEqual([name(want)]);
        layer.dispose();
      });
    }

    it("pointwise runs the GEMM; with strides or padding, the conv kernel", () => {
      for (const [options, want] of [
        [{}, e.gemm],
        [{ padding: "same" }, e.gemm],
        [{ padding: [0, 0, 0, 0] }, e.gemm],
        [{ strides: 2 }, e.conv],
        [{ padding: 1 }, e.conv],
      ] as const) {
        const layer = createPointwiseConv2d(zeros([8, 16]), options as object);
        expect(layer.kernels, JSON.stringify(options)).toEqual([name(want)]);
        layer.dispose();
      }
    });

    it("conv2d runs the conv kernel; a 1x1 unpadded stride-1 conv2d the GEMM", () => {
      const conv = createConv2d(zeros([3, 3, 3, 16]), { strides: 2, padding: "same" });
      expect(conv.kernels).toEqual([name(e.conv)]);
      conv.dispose();
      const oneByOne = createConv2d(zeros([1, 1, 8, 16]));
      expect(oneByOne.kernels).toEqual([name(e.gemm)]);
      oneByOne.dispose();
    });

    it("separable runs the depthwise kernel, then the GEMM", () => {
      const layer = createSeparableConv2d(zeros([3, 3, 8, 1]), zeros([8, 16]), { strides: 2, padding: "same" });
      expect(layer.kernels).toEqual([name(e.dw("dwconv_3x3s2_c4x4")), name(e.gemm)]);
      layer.dispose();
    });

    it("model.describe() lists each step's kernels", () => {
      const conv = (name: string, kernel: number[], extra: object) => ({
        class_name: "Conv2D",
        config: { name, filters: kernel[3], kernel_size: [kernel[0], kernel[1]], use_bias: false, ...extra },
      });
      const topology = {
        class_name: "Sequential",
        config: {
          name: "m",
          layers: [
            conv("expand", [1, 1, 4, 8], { batch_input_shape: [null, 8, 8, 4] }),
            { class_name: "DepthwiseConv2D", config: { name: "dw", kernel_size: 3, padding: "same", use_bias: false } },
            conv("project", [1, 1, 8, 4], {}),
            { class_name: "ReLU", config: { name: "leaky", negative_slope: 0.5 } },
            conv("head", [3, 3, 4, 2], { strides: 2 }),
          ],
        },
      };
      const weightSpecs = [
        { name: "expand/kernel", shape: [1, 1, 4, 8], dtype: "float32" },
        { name: "dw/depthwise_kernel", shape: [3, 3, 8, 1], dtype: "float32" },
        { name: "project/kernel", shape: [1, 1, 8, 4], dtype: "float32" },
        { name: "head/kernel", shape: [3, 3, 4, 2], dtype: "float32" },
      ];
      const floats = 4 * 8 + 9 * 8 + 8 * 4 + 9 * 4 * 2;
      const model = loadLayersModel({ modelTopology: topology, weightSpecs, weightData: new ArrayBuffer(4 * floats) });
      expect(model.describe().map((op) => [op.kind, op.kernels])).toEqual([
        ["chain", [name(e.gemm), name(e.dw("dwconv_3x3s1_c4x4")), name(e.gemm)]],
        ["pass", []],
        ["conv", [name(e.conv)]],
      ]);
      model.dispose();
    });
  });
}
