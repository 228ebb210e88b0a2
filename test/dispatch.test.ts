// Which microkernel each geometry selects, on every backend: layer.kernels for the prepared
// layers and model.describe() per step. Turning a tile off (or sending a window to the wrong
// one) fails here even when the results stay correct.

import { beforeAll, describe, expect, it } from "vitest";
import { detectEngine, type Engine, tableGemmTile } from "../src/dispatch.js";
import {
  type Backend,
  createConv2d,
  createDepthwiseConv2d,
  createPointwiseConv2d,
  createSeparableConv2d,
  init,
  initSync,
  loadLayersModel,
  type Tensor,
} from "../src/index.js";
import { ALL_BACKENDS } from "./helpers.js";
import { kernelIn, kernelsRun } from "./testers/tester.js";

const zeros = (shape: number[]): Tensor => ({
  data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
  shape,
});

/** The base names each backend should pick, by case. */
function expected(build: Backend) {
  const simd = build === "simd" || build === "relaxed-simd";
  // The scalar build: blocks of 4 channels for multiplier 1, one channel at a time otherwise.
  const dw = (tile: string) => (build === "js" ? "dwconv_reference" : simd ? tile : "dwconv_generic_c4");
  const generic = build === "js" ? "dwconv_reference" : "dwconv_generic_c4";
  const perChannel = build === "js" ? "dwconv_reference" : simd ? "dwconv_generic_c4" : "dwconv_generic_c1";
  const gemm = build === "js" ? "gemm_reference" : simd ? "gemm_4x8" : "gemm_2x4";
  const conv = build === "js" ? "conv_reference" : simd ? "conv_igemm_4x8" : "conv_gather4_2x4";
  return { dw, generic, perChannel, gemm, conv };
}

for (const build of ALL_BACKENDS) {
  describe(`kernel dispatch on ${build}`, () => {
    // The GEMM tile is pinned: which one the engine table picks is tested below.
    beforeAll(() => init({ backend: build, tiles: { gemm: "4x8" } }));
    const e = expected(build);
    const name = (base: string) => kernelIn(base, build);

    const depthwise: [string, number[], object, string][] = [
      ["3x3 stride 1", [3, 3, 8, 1], { padding: "same" }, e.dw("dwconv_3x3s1_c4x4")],
      ["3x3 stride 2", [3, 3, 8, 1], { strides: 2, padding: "same" }, e.dw("dwconv_3x3s2_c4x4")],
      ["5x5 stride 1", [5, 5, 8, 1], { padding: "same" }, e.dw("dwconv_5x5s1_c4x4")],
      ["5x5 stride 2", [5, 5, 8, 1], { strides: 2 }, e.dw("dwconv_5x5s2_c4x4")],
      ["3x3 dilated", [3, 3, 8, 1], { dilations: 2 }, e.generic],
      ["3x3 multiplier 2", [3, 3, 8, 2], {}, e.perChannel],
      ["7x7 stride 1", [7, 7, 8, 1], { padding: "same" }, e.dw("dwconv_7x7s1_c4x4")],
      ["7x7 stride 2", [7, 7, 8, 1], { strides: 2, padding: "same" }, e.generic],
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
      // ...and the wasm's band loop reports running exactly those.
      const ran = kernelsRun(() => layer.run(zeros([1, 9, 9, 8])));
      if (build !== "js") expect(ran.sort()).toEqual([...layer.kernels].sort());
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
      // What the wasm reports running, chain (expand, depthwise, project) and conv alike.
      const ran = kernelsRun(() => model.predict(zeros([1, 8, 8, 4])));
      if (build !== "js")
        expect(ran.sort()).toEqual([...new Set([name(e.gemm), name(e.dw("dwconv_3x3s1_c4x4")), name(e.conv)])].sort());
      model.dispose();
    });
  });
}

describe("GEMM tile per engine (the dispatch table)", () => {
  const v8 = (major: number): Engine => ({ name: "v8", major });

  it("the table: V8 before 13 2x16; V8 13+ 6x8 with FMA, 2x16 without; JSC 2x16; others 4x8", () => {
    expect(tableGemmTile(v8(11), "relaxed-simd")).toBe("2x16");
    expect(tableGemmTile(v8(11), "simd")).toBe("2x16");
    expect(tableGemmTile(v8(12), "relaxed-simd")).toBe("2x16");
    expect(tableGemmTile(v8(12), "simd")).toBe("2x16");
    expect(tableGemmTile(v8(15), "relaxed-simd")).toBe("6x8");
    expect(tableGemmTile(v8(13), "relaxed-simd")).toBe("6x8");
    expect(tableGemmTile(v8(13), "simd")).toBe("2x16");
    expect(tableGemmTile({ name: "jsc", major: 0 }, "relaxed-simd")).toBe("2x16");
    expect(tableGemmTile({ name: "spidermonkey", major: 0 }, "simd")).toBe("4x8");
    expect(tableGemmTile({ name: "unknown", major: 0 }, "simd")).toBe("4x8");
  });

  it("detects this engine from the host's version strings", () => {
    expect(detectEngine()).toEqual({ name: "v8", major: Number.parseInt(process.versions.v8, 10) });
  });

  for (const build of ["simd", "relaxed-simd"] as const) {
    it(`${build}: init() takes the table's tile; tiles.gemm pins one; a layer keeps the tile it was made with`, async () => {
      const filter = zeros([8, 8]);
      await init({ backend: build });
      const tile = tableGemmTile(detectEngine(), build);
      const fromTable = createPointwiseConv2d(filter);
      expect(fromTable.kernels).toEqual([kernelIn(`gemm_${tile}`, build)]);
      for (const pin of ["2x16", "4x8", "6x8"] as const) {
        await init({ backend: build, tiles: { gemm: pin } });
        const layer = createPointwiseConv2d(filter);
        expect(layer.kernels).toEqual([kernelIn(`gemm_${pin}`, build)]);
        layer.dispose();
      }
      expect(fromTable.kernels).toEqual([kernelIn(`gemm_${tile}`, build)]);
      fromTable.dispose();
    });
  }

  it("the scalar build has one GEMM tile whatever is pinned", async () => {
    await init({ backend: "scalar", tiles: { gemm: "6x8" } });
    const layer = createPointwiseConv2d(zeros([3, 5]));
    expect(layer.kernels).toEqual(["gemm_2x4__scalar"]);
    layer.dispose();
  });

  it("refuses bad tiles options by name", async () => {
    await expect(init({ tiles: { gemm: "3x3" as never } })).rejects.toThrow(
      new RangeError('init: options.tiles.gemm ("3x3") must be one of "4x8", "2x16", "6x8"'),
    );
    await expect(init({ tiles: { gemm: 6 as never } })).rejects.toThrow(TypeError);
    await expect(init({ tiles: { conv: "4x8" } as never })).rejects.toThrow(
      new TypeError("init: options.tiles.conv is not a tile option (expected gemm)"),
    );
    await expect(init({ tiles: "6x8" as never })).rejects.toThrow(
      new TypeError('init: options.tiles ("6x8") must be an object such as { gemm: "2x16" }'),
    );
    expect(() => initSync({ tiles: null as never })).toThrow(TypeError);
  });
});
