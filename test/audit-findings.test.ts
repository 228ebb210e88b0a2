// Regressions from an independent audit of the hardening work (hostile files and options, a
// new user's mistakes): each case failed before its fix.

import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  conv2d,
  createDepthwiseConv2d,
  depthwiseConv2d,
  init,
  loadLayersModel,
  type ModelArtifacts,
  reference,
  separableConv2d,
  type Tensor,
} from "../src/index.js";
import { ALL_BACKENDS, caught } from "./helpers.js";

type Json = Record<string, unknown>;

const tensor = (shape: number[], values?: number[]): Tensor => ({
  data: values ? Float32Array.from(values) : new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1),
  shape,
});

function layer(className: string, name: string, config: Json, inputs?: string[]): Json {
  return {
    class_name: className,
    name,
    config: { name, ...config },
    inbound_nodes: inputs ? [inputs.map((i) => [i, 0, 0, {}])] : [],
  };
}

function functional(layers: Json[], input: string, output: string, extra: Json = {}): Json {
  return {
    class_name: "Model",
    config: { name: "m", layers, input_layers: [[input, 0, 0]], output_layers: [[output, 0, 0]], ...extra },
  };
}

function artifacts(modelTopology: Json, weights: { name: string; shape: number[]; values: number[] }[] = []) {
  const values = weights.flatMap((w) => w.values);
  return {
    modelTopology,
    weightSpecs: weights.map(({ name, shape }) => ({ name, shape, dtype: "float32" })),
    weightData: Float32Array.from(values).buffer,
  } as ModelArtifacts;
}

const input = (shape: (number | null)[]) => layer("InputLayer", "in", { batch_input_shape: shape });

for (const build of ALL_BACKENDS) {
  describe(`audit findings on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    it("long weight names are refused by length, fast, and many-segment names index in linear time", () => {
      const onlyInput = { class_name: "Sequential", config: { layers: [input([null, 2])] } };
      const long = (i: number) => `${i}${"a/".repeat(100_000)}kernel`;
      const started = performance.now();
      const error = caught(() =>
        loadLayersModel({
          modelTopology: onlyInput,
          weightSpecs: [0, 1, 2].map((i) => ({ name: long(i), shape: [0], dtype: "float32" })),
          weightData: new ArrayBuffer(0),
        }),
      );
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toMatch(/weightSpecs\[0\]\.name is \d+ characters long .*at most 1024/);
      // 2,000 names of 500 segments each: one pass over each name (was one map per prefix).
      const deep = (i: number) => `${"s/".repeat(500)}${i}`;
      loadLayersModel({
        modelTopology: onlyInput,
        weightSpecs: Array.from({ length: 2000 }, (_, i) => ({ name: deep(i), shape: [0], dtype: "float32" })),
        weightData: new ArrayBuffer(0),
      }).dispose();
      expect(performance.now() - started).toBeLessThan(3000);
    });

    it("a split activation never takes the name of a layer in the file", () => {
      // Dense 'd' with sigmoid (run as its own step, named 'd/activation' before) beside a file
      // layer named 'd/activation' (relu of the input); tfjs gives sigmoid(2x) + relu(x).
      const topology = functional(
        [
          input([null, 1]),
          layer("Dense", "d", { units: 1, activation: "sigmoid", use_bias: false }, ["in"]),
          layer("Activation", "d/activation", { activation: "relu" }, ["in"]),
          layer("Add", "add", {}, ["d", "d/activation"]),
        ],
        "in",
        "add",
      );
      const model = loadLayersModel(artifacts(topology, [{ name: "d/kernel", shape: [1, 1], values: [2] }]));
      const y = model.predict(tensor([2, 1], [-1, 1]));
      const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
      expect(y.data[0]).toBeCloseTo(sigmoid(-2), 6);
      expect(y.data[1]).toBeCloseTo(sigmoid(2) + 1, 6);
      model.dispose();
    });

    it("an Add of three inputs rounds to float32 at each addition (3e38 + 3e38 - ... is Infinity)", () => {
      const topology = functional(
        [
          input([null, 1]),
          layer("ReLU", "r1", {}, ["in"]),
          layer("Dense", "neg", { units: 1, use_bias: false }, ["in"]),
          layer("Add", "add", {}, ["in", "r1", "neg"]),
        ],
        "in",
        "add",
      );
      const model = loadLayersModel(artifacts(topology, [{ name: "neg/kernel", shape: [1, 1], values: [-1] }]));
      expect(model.predict(tensor([1, 1], [3e38])).data[0]).toBe(Number.POSITIVE_INFINITY);
      model.dispose();
    });

    it("gaps in option arrays are refused by index, never reach the kernels", () => {
      const x = tensor([1, 4, 4, 2]);
      const f = tensor([3, 3, 2, 1]);
      // biome-ignore lint/suspicious/noSparseArray: the gap is the test
      const gaps: unknown[] = [[1, , 1, 1], new Array(4), [, [1, 1], [1, 1], [0, 0]]];
      for (const padding of gaps) {
        for (const run of [
          () => depthwiseConv2d(x, f, { padding: padding as never }),
          () => reference.depthwiseConv2d(x, f, { padding: padding as never }),
          () => createDepthwiseConv2d(f, { padding: padding as never }),
        ]) {
          const error = caught(run);
          expect(error.message, String(padding)).toMatch(/^(depthwiseConv2d|createDepthwiseConv2d): options\.padding/);
        }
      }
      // biome-ignore lint/suspicious/noSparseArray: the gap is the test
      expect(caught(() => conv2d(x, tensor([3, 3, 2, 2]), { strides: [, 2] as never })).message).toMatch(
        /^conv2d: options\.strides/,
      );
    });

    it("gaps in a topology's arrays are refused by name", () => {
      const model = (layers: unknown[]) => ({ class_name: "Sequential", config: { layers } });
      const cases: [unknown[], RegExp][] = [
        // biome-ignore lint/suspicious/noSparseArray: the gap is the test
        [[input([null, 4, 4, 2]), { class_name: "ZeroPadding2D", config: { name: "p", padding: [1, ,] } }], /padding/],
        [
          // biome-ignore lint/suspicious/noSparseArray: the gap is the test
          [input([null, 4, 4, 2]), { class_name: "Reshape", config: { name: "r", target_shape: [16, ,] } }],
          /target_shape/,
        ],
        // biome-ignore lint/suspicious/noSparseArray: the gap is the test
        [[input([null, 4, 4, 2]), , { class_name: "Flatten", config: { name: "f" } }], /Sequential layer 1/],
      ];
      for (const [layers, field] of cases) {
        const error = caught(() => loadLayersModel(artifacts(model(layers))));
        expect(error.message).toMatch(/^loadLayersModel: /);
        expect(error.message).toMatch(field);
      }
    });

    it("options are read once: an array that changes after the checks cannot reach the kernels", () => {
      let reads = 0;
      // [1, 1] on the first read of each entry, [0, 0] (a division by zero in wasm) afterwards.
      const shifting = new Proxy([1, 1], {
        get: (target, key) =>
          typeof key === "string" && /^\d$/.test(key) ? (reads++ < 2 ? 1 : 0) : Reflect.get(target, key),
      });
      const y = separableConv2d(tensor([1, 5, 5, 2]), tensor([3, 3, 2, 1]), tensor([2, 3]), {
        dilations: shifting as never,
      });
      expect(y.shape).toEqual([1, 3, 3, 3]);
    });

    it("a model given NCHW input says so", () => {
      const topology = {
        class_name: "Sequential",
        config: { layers: [input([null, 8, 8, 3]), { class_name: "Flatten", config: { name: "f" } }] },
      };
      const model = loadLayersModel(artifacts(topology));
      const error = caught(() => model.predict(tensor([1, 3, 8, 8])));
      expect(error.message).toMatch(/x may be NCHW \[1, 3, 8, 8\].*if so, transpose to \[1, 8, 8, 3\]/);
      model.dispose();
    });

    it("input_layers entries that are not [name, 0, 0] get a clear TypeError", () => {
      for (const entry of [0, {}, null]) {
        const topology = functional([input([null, 1])], "in", "in", { input_layers: [entry] });
        const error = caught(() => loadLayersModel(artifacts(topology)));
        expect(error).toBeInstanceOf(TypeError);
        expect(error.message).toMatch(/^loadLayersModel: input_layers .* must be \[\[layer name, 0, 0\], \.\.\.\]/);
      }
    });
  });
}

describe("a polluted Object.prototype", () => {
  const keys = ["activation", "padding", "strides", "bias", "depthwiseActivation", "wasm", "backend"];
  afterEach(() => {
    for (const key of keys) delete (Object.prototype as Record<string, unknown>)[key];
  });

  it("changes no op option and no init option", async () => {
    await init({ backend: "simd" });
    const x = tensor(
      [1, 4, 4, 2],
      Array.from({ length: 32 }, (_, i) => i - 16),
    );
    const f = tensor(
      [3, 3, 2, 1],
      Array.from({ length: 18 }, (_, i) => (i % 5) - 2),
    );
    const pw = tensor([2, 3], [1, -1, 0.5, 2, 0, -3]);
    const clean = [depthwiseConv2d(x, f), separableConv2d(x, f, pw)];
    const polluted = Object.prototype as Record<string, unknown>;
    polluted.activation = "relu";
    polluted.depthwiseActivation = "relu";
    polluted.padding = "same";
    polluted.strides = 2;
    polluted.bias = new Float32Array(2).fill(100);
    polluted.wasm = new Uint8Array(8);
    polluted.backend = "scalar";
    const dirty = [depthwiseConv2d(x, f), separableConv2d(x, f, pw)];
    await init();
    for (const key of keys) delete polluted[key];
    for (const [i, t] of dirty.entries()) {
      expect(t.shape).toEqual(clean[i].shape);
      expect(Array.from(t.data)).toEqual(Array.from(clean[i].data));
    }
  });
});

describe("init() with bytes that are not a build", () => {
  it("an HTML page or an empty buffer is named as such, without the relaxed-SIMD advice", async () => {
    const html = new TextEncoder().encode("<!doctype html><html><body>Not found</body></html>");
    await expect(init({ wasm: html })).rejects.toThrow(/these bytes are not a \.wasm file .*check the URL/);
    await expect(init({ wasm: html })).rejects.not.toThrow(/relaxed SIMD/);
    await expect(init({ wasm: new ArrayBuffer(0) })).rejects.toThrow(/options\.wasm is empty \(0 bytes/);
    await init();
  });
});
