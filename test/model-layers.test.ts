// loadLayersModel on small models built with tfjs-layers (seeded weights), every backend,
// against tfjs-layers' own predict on the CPU backend: every supported layer and option,
// branches merged by Add, inverted residual blocks spanning several bands, quantized weights of
// each dtype, Keras ReLU options tfjs lacks, input sizes given at predict time, and the errors.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { init, loadLayersModel, type ModelArtifacts, type Tensor } from "../src/index.js";
import { activeRuntime } from "../src/init.js";
import { halfToFloat } from "../src/model/float16.js";
import { decodeWeights } from "../src/model/weights.js";
import { ALL_BACKENDS, randomTensor, rng } from "./helpers.js";
import { artifactsOf, cloneArtifacts, expectNear, seedWeights, tfLayerMacs, tfPredict } from "./model-helpers.js";

const L = tfl.layers;

/**
 * Every layer type and option in one Sequential model (15x13x4 input). Dilation appears in
 * Conv2D and SeparableConv2D only: tfjs-layers ignores a DepthwiseConv2D's dilation_rate (see
 * the dilation tests below).
 */
function everyLayer(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      L.zeroPadding2d({
        inputShape: [15, 13, 4],
        padding: [
          [1, 2],
          [0, 1],
        ],
      }),
      L.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: "valid" }),
      L.batchNormalization({ epsilon: 0.01 }),
      L.reLU({ maxValue: 6 }),
      L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: "same" }),
      L.batchNormalization(),
      L.activation({ activation: "relu" }),
      L.conv2d({ filters: 12, kernelSize: 1, useBias: false }),
      L.separableConv2d({ filters: 6, kernelSize: 3, padding: "same", dilationRate: 2 }),
      L.conv2d({ filters: 12, kernelSize: [3, 2], padding: "same", dilationRate: [2, 1] }),
      L.separableConv2d({
        filters: 10,
        kernelSize: [3, 2],
        strides: [1, 2],
        padding: "same",
        depthMultiplier: 2,
        activation: "sigmoid",
      }),
      L.maxPooling2d({ poolSize: 2, strides: 1, padding: "same" }),
      L.averagePooling2d({ poolSize: 3, strides: 2, padding: "same" }),
      L.conv2d({ filters: 6, kernelSize: 1, activation: "softmax" }),
      L.activation({ activation: "relu6" }),
      L.batchNormalization({ center: false }),
      L.dropout({ rate: 0.3 }),
      L.globalAveragePooling2d({}),
      L.dense({ units: 9, activation: "relu" }),
      L.batchNormalization({ scale: false }),
      L.dense({ units: 4, activation: "softmax" }),
    ],
  });
}

/** Valid pooling, Flatten, Reshape and Dense on a rank-3 tensor (9x8x3 input). */
function flattenAndReshape(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [9, 8, 3], filters: 4, kernelSize: 2, activation: "relu" }),
      L.averagePooling2d({ poolSize: 2, padding: "valid" }),
      L.maxPooling2d({ poolSize: [2, 1], strides: 1, padding: "valid" }),
      L.flatten(),
      L.dense({ units: 12, useBias: false }),
      L.reshape({ targetShape: [3, 4] }),
      L.dense({ units: 5 }),
      L.flatten(),
      L.dense({ units: 3, activation: "sigmoid" }),
    ],
  });
}

/** conv 1x1 expand -> [pad] -> depthwise -> conv 1x1 project, each with batch norm. */
function invertedResidual(
  x: tfl.SymbolicTensor,
  expand: number,
  out: number,
  dw: { kernelSize: number; strides?: number; dilationRate?: number; padded?: boolean },
): tfl.SymbolicTensor {
  let y = L.conv2d({ filters: expand, kernelSize: 1, useBias: false }).apply(x) as tfl.SymbolicTensor;
  y = L.batchNormalization().apply(y) as tfl.SymbolicTensor;
  y = L.reLU({ maxValue: 6 }).apply(y) as tfl.SymbolicTensor;
  if (dw.padded)
    y = L.zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
    }).apply(y) as tfl.SymbolicTensor;
  y = L.depthwiseConv2d({
    kernelSize: dw.kernelSize,
    strides: dw.strides ?? 1,
    dilationRate: dw.dilationRate ?? 1,
    padding: dw.padded ? "valid" : "same",
    useBias: false,
  }).apply(y) as tfl.SymbolicTensor;
  y = L.batchNormalization().apply(y) as tfl.SymbolicTensor;
  y = L.reLU({ maxValue: 6 }).apply(y) as tfl.SymbolicTensor;
  y = L.conv2d({ filters: out, kernelSize: 1, useBias: false }).apply(y) as tfl.SymbolicTensor;
  return L.batchNormalization().apply(y) as tfl.SymbolicTensor;
}

/**
 * A functional model that branches and merges: residual blocks large enough to run in several
 * bands (40x36 with 64 expanded channels; a padded stride-2 block; a 5x5 block), a
 * three-way Add, and a batch norm that has no conv to fold into.
 */
function branches(): tfl.LayersModel {
  const input = tfl.input({ shape: [40, 36, 8] });
  let stem = L.conv2d({ filters: 8, kernelSize: 3, padding: "same" }).apply(input) as tfl.SymbolicTensor;
  stem = L.reLU({ maxValue: 6 }).apply(stem) as tfl.SymbolicTensor;
  const a = L.add().apply([stem, invertedResidual(stem, 64, 8, { kernelSize: 3 })]) as tfl.SymbolicTensor;
  const b = invertedResidual(a, 48, 16, { kernelSize: 3, strides: 2, padded: true });
  const c = L.add().apply([invertedResidual(b, 32, 16, { kernelSize: 5 }), b]) as tfl.SymbolicTensor;
  const side = L.conv2d({ filters: 16, kernelSize: 1 }).apply(b) as tfl.SymbolicTensor;
  let y = L.add().apply([c, b, side]) as tfl.SymbolicTensor;
  y = L.batchNormalization().apply(y) as tfl.SymbolicTensor;
  y = L.activation({ activation: "sigmoid" }).apply(y) as tfl.SymbolicTensor;
  y = L.globalAveragePooling2d({}).apply(y) as tfl.SymbolicTensor;
  y = L.dense({ units: 3 }).apply(y) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: y });
}

/** Input height and width left open: planned at the first predict, re-planned per shape. */
function anySize(): tfl.LayersModel {
  const input = tfl.input({ shape: [null, null, 3] });
  let y = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: "same", activation: "relu" }).apply(
    input,
  ) as tfl.SymbolicTensor;
  y = L.separableConv2d({ filters: 6, kernelSize: 3, padding: "same" }).apply(y) as tfl.SymbolicTensor;
  y = L.globalAveragePooling2d({}).apply(y) as tfl.SymbolicTensor;
  y = L.dense({ units: 2 }).apply(y) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: y });
}

/**
 * Inception-style branches joined by Concatenate (two of them, one with a 1-channel branch),
 * a squeeze-excite gate (GlobalAveragePooling2D, Reshape to 1x1 -> 1x1 convs -> Multiply), the
 * activations run as passes, and UpSampling2D both ways.
 */
function concatAndGates(): tfl.LayersModel {
  const input = tfl.input({ shape: [12, 10, 6] });
  const branch = (filters: number, kernelSize: number, activation: string) =>
    L.conv2d({ filters, kernelSize, padding: "same", activation: activation as "relu" }).apply(
      input,
    ) as tfl.SymbolicTensor;
  const pooled = L.maxPooling2d({ poolSize: 3, strides: 1, padding: "same" }).apply(input) as tfl.SymbolicTensor;
  let y = L.concatenate().apply([
    branch(4, 1, "relu"),
    branch(1, 3, "tanh"),
    branch(5, 3, "elu"),
    pooled,
  ]) as tfl.SymbolicTensor;
  const pooledAll = L.globalAveragePooling2d({}).apply(y) as tfl.SymbolicTensor;
  const squeeze = L.reshape({ targetShape: [1, 1, 16] }).apply(pooledAll) as tfl.SymbolicTensor;
  let gate = L.conv2d({ filters: 4, kernelSize: 1, activation: "relu" }).apply(squeeze) as tfl.SymbolicTensor;
  gate = L.conv2d({ filters: 16, kernelSize: 1, activation: "hardSigmoid" }).apply(gate) as tfl.SymbolicTensor;
  y = L.multiply().apply([y, gate]) as tfl.SymbolicTensor;
  y = L.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: "same", activation: "swish" }).apply(
    y,
  ) as tfl.SymbolicTensor;
  const near = L.upSampling2d({ size: [2, 3] }).apply(y) as tfl.SymbolicTensor;
  const smooth = L.upSampling2d({ size: [2, 3], interpolation: "bilinear" }).apply(y) as tfl.SymbolicTensor;
  y = L.concatenate({ axis: 3 }).apply([
    near,
    smooth,
    L.multiply().apply([near, smooth]) as tfl.SymbolicTensor,
  ]) as tfl.SymbolicTensor;
  y = L.activation({ activation: "sigmoid" }).apply(y) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: y });
}

interface Case {
  name: string;
  build: () => tfl.LayersModel;
  inputs: number[][];
}

const CASES: Case[] = [
  {
    name: "every layer type and option (Sequential)",
    build: everyLayer,
    inputs: [
      [1, 15, 13, 4],
      [3, 15, 13, 4],
    ],
  },
  { name: "valid pooling, Flatten, Reshape, Dense on rank 3", build: flattenAndReshape, inputs: [[2, 9, 8, 3]] },
  {
    name: "branches, residual Adds, a 3-way Add, a lone batch norm",
    build: branches,
    inputs: [
      [1, 40, 36, 8],
      [2, 40, 36, 8],
    ],
  },
  {
    name: "Concatenate, Multiply (a squeeze-excite gate and two tensors), UpSampling2D, tanh/elu/swish/hard_sigmoid",
    build: concatAndGates,
    inputs: [
      [1, 12, 10, 6],
      [2, 12, 10, 6],
    ],
  },
  {
    name: "input size given at predict time",
    build: anySize,
    inputs: [
      [1, 17, 23, 3],
      [2, 9, 6, 3],
      [1, 17, 23, 3],
    ],
  },
];

/** tfjs models, their artifacts and reference outputs, made once on the CPU backend. */
const prepared = new Map<
  string,
  { artifacts: ModelArtifacts; xs: Tensor[]; want: Tensor[]; tfModel: tfl.LayersModel }
>();

beforeAll(async () => {
  await tf.setBackend("cpu");
  CASES.forEach((c, i) => {
    const model = c.build();
    seedWeights(model, 100 + i);
    const random = rng(200 + i);
    const xs = c.inputs.map((shape) => randomTensor(random, shape));
    prepared.set(c.name, {
      artifacts: undefined as unknown as ModelArtifacts,
      xs,
      want: xs.map((x) => tfPredict(model, x)),
      tfModel: model,
    });
  });
  for (const c of CASES) {
    const p = prepared.get(c.name);
    if (p) p.artifacts = await artifactsOf(p.tfModel);
  }
});

describe("loadLayersModel before init", () => {
  it("throws, saying to call init()", () => {
    expect(() => loadLayersModel({} as never)).toThrow(
      /loadLayersModel: sepconv is not initialised; call `await init\(\)` first/,
    );
  });
});

for (const build of ALL_BACKENDS) {
  describe(`small tfjs-layers models on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    for (const c of CASES) {
      it(`${c.name}: matches tfjs-layers`, () => {
        const { artifacts, xs, want } = prepared.get(c.name) as NonNullable<ReturnType<typeof prepared.get>>;
        for (const fusion of ["full", "separable", "none"] as const) {
          const model = loadLayersModel(artifacts, { fusion });
          expect(model.backend).toBe(build);
          for (const [i, x] of xs.entries()) {
            expectNear(model.predict(x), want[i], 2e-5, `${c.name} ${fusion} input ${x.shape}`);
          }
          model.dispose();
        }
      });
    }
  });
}

function find(name: string) {
  return prepared.get(name) as { artifacts: ModelArtifacts; xs: Tensor[]; want: Tensor[]; tfModel: tfl.LayersModel };
}

describe("fusion", () => {
  beforeAll(() => init({ backend: "simd" }));

  it("runs each inverted residual block as one chain, the residual Add included", () => {
    const model = loadLayersModel(find(CASES[2].name).artifacts);
    const chains = model.describe().filter((op) => op.kind === "chain");
    const classes = (layers: string[]) => layers.map((l) => l.replace(/_[A-Za-z0-9]+$/, ""));
    expect(chains.map((op) => classes(op.layers))).toEqual([
      ["conv2d", "depthwise_conv2d", "conv2d", "add"],
      ["conv2d", "depthwise_conv2d", "conv2d"],
      ["conv2d", "depthwise_conv2d", "conv2d", "add"],
    ]);
    // Batch norms, ReLUs and the ZeroPadding2D were folded away; the 3-way Add, the lone batch
    // norm and the sigmoid remain as passes.
    expect(model.describe().map((op) => op.kind)).toEqual([
      "conv",
      "chain",
      "chain",
      "chain",
      "conv",
      "pass",
      "pass",
      "pass",
      "pass",
      "dense",
    ]);
    model.dispose();
  });

  for (const build of ["scalar", "simd", "relaxed-simd"] as const) {
    it(`fused and unfused runs give identical bits (${build})`, async () => {
      await init({ backend: build });
      for (const c of [CASES[0], CASES[2]]) {
        const { artifacts, xs } = find(c.name);
        const [full, separable, none] = (["full", "separable", "none"] as const).map((fusion) =>
          loadLayersModel(artifacts, { fusion }),
        );
        for (const x of xs) {
          const want = none.predict(x).data;
          expect(full.predict(x).data).toEqual(want);
          expect(separable.predict(x).data).toEqual(want);
        }
        for (const m of [full, separable, none]) m.dispose();
      }
    });
  }
});

/** A tfjs model's output for x with `extra` applied elementwise in double precision. */
function mapped(t: Tensor, f: (v: number) => number): Tensor {
  return { data: Float32Array.from(t.data, f), shape: t.shape };
}

describe("layers tfjs-layers does not run as Keras does", () => {
  let base: tfl.LayersModel;
  let artifacts: ModelArtifacts & tf.io.ModelArtifacts;
  let x: Tensor;
  let linear: Tensor;

  beforeAll(async () => {
    await tf.setBackend("cpu");
    base = tfl.sequential({
      layers: [L.conv2d({ inputShape: [7, 6, 3], filters: 5, kernelSize: 3, padding: "same", name: "conv" })],
    });
    seedWeights(base, 7, 1.5);
    artifacts = await artifactsOf(base);
    x = randomTensor(rng(8), [2, 7, 6, 3], 2);
    linear = tfPredict(base, x);
  });

  /** The base conv followed by `layer` (a Keras layer config tfjs-layers cannot build). */
  function withLayer(layer: object): ModelArtifacts {
    const copy = cloneArtifacts(artifacts);
    (copy.modelTopology as { config: { layers: object[] } }).config.layers.push(layer);
    return copy;
  }

  for (const build of ALL_BACKENDS) {
    it(`ReLU max_value, negative_slope and threshold; Activation hard_swish (${build})`, async () => {
      await init({ backend: build });
      const kerasRelu = (max: number, slope: number, threshold: number) => (v: number) =>
        v >= max ? max : v >= threshold ? v : slope * (v - threshold);
      const cases: [object, (v: number) => number][] = [
        [{ max_value: 3, negative_slope: 0.1, threshold: 0.5 }, kerasRelu(3, 0.1, 0.5)],
        [{ max_value: null, negative_slope: 0.2, threshold: 0 }, kerasRelu(Infinity, 0.2, 0)],
        [{ max_value: 2.5, negative_slope: 0, threshold: 0 }, kerasRelu(2.5, 0, 0)],
        [{ max_value: 6, negative_slope: 0, threshold: 0 }, kerasRelu(6, 0, 0)],
        [{ max_value: null, negative_slope: 0, threshold: -1 }, (v) => (v > -1 ? v : 0)],
      ];
      for (const [config, f] of cases) {
        const model = loadLayersModel(withLayer({ class_name: "ReLU", config: { name: "relu", ...config } }));
        expectNear(model.predict(x), mapped(linear, f), 1e-6, `ReLU ${JSON.stringify(config)}`);
      }
      const hardSwish = (v: number) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6;
      for (const name of ["hard_swish", "hard_silu"]) {
        const model = loadLayersModel(
          withLayer({ class_name: "Activation", config: { name: "hs", activation: name } }),
        );
        // Folded into the conv (the kernels apply it) unless it follows something else.
        expect(model.describe().map((op) => op.kind)).toEqual(["conv"]);
        expectNear(model.predict(x), mapped(linear, hardSwish), 1e-6, name);
      }
    });

    it(`a standalone hard_swish pass computes in float32 as the kernels do (${build})`, async () => {
      await init({ backend: build });
      // conv 1x1 (weight 1) -> leaky ReLU (a pass) -> hard_swish, which has no conv to fold into:
      // hardswish(1e38) overflows in float32 (1e38 * 6) as in TensorFlow.js; float64 gave 1e38.
      const topology = {
        class_name: "Sequential",
        config: {
          name: "swish",
          layers: [
            {
              class_name: "Conv2D",
              config: { name: "c", batch_input_shape: [null, 1, 3, 1], filters: 1, kernel_size: 1, use_bias: false },
            },
            { class_name: "ReLU", config: { name: "leaky", negative_slope: 0.5 } },
            { class_name: "Activation", config: { name: "hs", activation: "hard_swish" } },
          ],
        },
      };
      const model = loadLayersModel({
        modelTopology: topology,
        weightSpecs: [{ name: "c/kernel", shape: [1, 1, 1, 1], dtype: "float32" }],
        weightData: Float32Array.of(1).buffer,
      });
      expect(model.describe().map((op) => op.kind)).toEqual(["conv", "pass", "pass"]);
      const y = model.predict({ data: Float32Array.of(1e38, -1e38, 3e37), shape: [1, 1, 3, 1] });
      expect(y.data[0]).toBe(Number.POSITIVE_INFINITY);
      expect(y.data[1] === 0, `hardswish(-5e37) is ${y.data[1]}`).toBe(true);
      expect(Math.abs(y.data[2] - 3e37) / 3e37).toBeLessThan(1e-6);
    });

    it(`DepthwiseConv2D dilation_rate is honoured, as in Keras (${build})`, async () => {
      await init({ backend: build });
      // tfjs-layers drops a DepthwiseConv2D's dilation (it passes null to tf.depthwiseConv2d), so
      // the oracle is the tfjs-core op with the same weights.
      const model = tfl.sequential({
        layers: [
          L.depthwiseConv2d({
            inputShape: [11, 9, 4],
            kernelSize: 3,
            dilationRate: 2,
            padding: "same",
            depthMultiplier: 2,
          }),
        ],
      });
      seedWeights(model, 9);
      const saved = await artifactsOf(model);
      const input = randomTensor(rng(10), [2, 11, 9, 4]);
      const [kernel, bias] = model.getWeights();
      const want = tf.tidy(() => {
        const y = tf.depthwiseConv2d(
          tf.tensor4d(input.data, input.shape as [number, number, number, number]),
          kernel as tf.Tensor4D,
          1,
          "same",
          "NHWC",
          [2, 2],
        );
        const out = tf.add(y, bias);
        return { data: out.dataSync() as Float32Array, shape: out.shape };
      });
      expectNear(loadLayersModel(saved).predict(input), want, 2e-6, "dilated depthwise");
    });
  }
});

/** float32 -> IEEE half bits, rounding to nearest (test data only: no NaN, in range). */
function toHalf(v: number): number {
  const bits = new Uint32Array(Float32Array.of(v).buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign | Math.round((mantissa | 0x800000) / 2 ** (14 - exponent));
  return sign | ((exponent << 10) + Math.round(mantissa / 2 ** 13));
}

type Stored = "uint8" | "uint16" | "float16";

/** The artifacts with weight i stored as dtypes[i % dtypes.length], as tfjs-converter writes them. */
function quantized(
  artifacts: ModelArtifacts & tf.io.ModelArtifacts,
  dtypes: Stored[],
): ModelArtifacts & tf.io.ModelArtifacts {
  const floats = new Float32Array(artifacts.weightData as ArrayBuffer);
  const parts: Uint8Array[] = [];
  let offset = 0;
  const weightSpecs = artifacts.weightSpecs.map((spec, i) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = floats.subarray(offset, offset + size);
    offset += size;
    const dtype = dtypes[i % dtypes.length];
    if (dtype === "float16") {
      parts.push(new Uint8Array(Uint16Array.from(values, toHalf).buffer));
      return { ...spec, quantization: { dtype } };
    }
    const min = values.reduce((a, b) => Math.min(a, b), Infinity);
    const max = values.reduce((a, b) => Math.max(a, b), -Infinity);
    const scale = (max - min) / (dtype === "uint8" ? 255 : 65535) || 1;
    const q = Array.from(values, (v) => Math.round((v - min) / scale));
    parts.push(dtype === "uint8" ? Uint8Array.from(q) : new Uint8Array(Uint16Array.from(q).buffer));
    return { ...spec, quantization: { dtype, min, scale } };
  });
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { ...artifacts, weightSpecs: weightSpecs as tf.io.WeightsManifestEntry[], weightData: bytes.buffer };
}

describe("quantized weights", () => {
  it("decode bit for bit as tf.io.decodeWeights does (uint8, uint16 with min/scale; float16 incl. specials)", async () => {
    const halves = Uint16Array.of(
      0x0000,
      0x8000,
      0x0001,
      0x03ff,
      0x0400,
      0x3c00,
      0xc000,
      0x7bff,
      0x7c00,
      0xfc00,
      0x7e00,
      0x3555,
    );
    const bytes = Uint8Array.of(
      0,
      1,
      127,
      255,
      ...new Uint8Array(Uint16Array.of(0, 1, 40000, 65535).buffer),
      ...new Uint8Array(halves.buffer),
    );
    const specs = [
      {
        name: "a",
        shape: [2, 2],
        dtype: "float32" as const,
        quantization: { dtype: "uint8" as const, min: -1.25, scale: 0.0123 },
      },
      {
        name: "b",
        shape: [4],
        dtype: "float32" as const,
        quantization: { dtype: "uint16" as const, min: 3.5, scale: 1.7e-4 },
      },
      { name: "c", shape: [12], dtype: "float32" as const, quantization: { dtype: "float16" as const } },
    ];
    const ours = decodeWeights(specs, bytes);
    const theirs = tf.io.decodeWeights(bytes.buffer, specs);
    for (const { name, shape } of specs) {
      const got = ours.get(name);
      expect(got?.shape).toEqual(shape);
      const want = theirs[name].dataSync();
      for (let i = 0; i < want.length; i++)
        expect(Object.is(got?.data[i], want[i]), `${name}[${i}]: ${got?.data[i]} vs ${want[i]}`).toBe(true);
    }
    expect(ours.get("c")?.data[2]).toBe(2 ** -24);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  for (const build of ALL_BACKENDS) {
    it(`models stored as uint8, uint16 and float16 match tfjs loading the same artifacts (${build})`, async () => {
      await init({ backend: build });
      await tf.setBackend("cpu");
      for (const c of [CASES[1], CASES[2]]) {
        const { artifacts, xs } = find(c.name);
        for (const dtypes of [["uint8"], ["uint16"], ["float16"], ["uint8", "uint16", "float16"]] as Stored[][]) {
          const stored = quantized(artifacts as ModelArtifacts & tf.io.ModelArtifacts, dtypes);
          const reference = await tfl.loadLayersModel(tf.io.fromMemory(stored));
          const model = loadLayersModel(stored);
          expectNear(model.predict(xs[0]), tfPredict(reference, xs[0]), 2e-5, `${c.name} as ${dtypes}`);
          model.dispose();
          reference.dispose();
        }
      }
    });
  }
});

describe("topology formats", () => {
  beforeAll(() => init({ backend: "simd" }));

  it("Keras 3 functional JSON (class Functional, batch_shape, inbound_nodes as args) runs like the Keras 2 form", () => {
    const { artifacts, xs, want } = find(CASES[2].name);
    const keras3 = cloneArtifacts(artifacts);
    const root = keras3.modelTopology as { class_name: string; config: { layers: Record<string, unknown>[] } };
    root.class_name = "Functional";
    const tensor = (history: unknown[]) => ({
      class_name: "__keras_tensor__",
      config: { keras_history: history.slice(0, 3) },
    });
    for (const layer of root.config.layers) {
      const config = layer.config as Record<string, unknown>;
      if (layer.class_name === "InputLayer") {
        config.batch_shape = config.batch_input_shape;
        delete config.batch_input_shape;
      }
      const nodes = layer.inbound_nodes as unknown[][][];
      if (nodes.length === 0) continue;
      const inputs = nodes[0].map(tensor);
      layer.inbound_nodes = [{ args: inputs.length === 1 ? inputs : [inputs], kwargs: {} }];
    }
    expectNear(loadLayersModel(keras3).predict(xs[0]), want[0], 2e-5, "Keras 3 form");
  });

  it("GlobalAveragePooling2D with keepdims keeps the 1x1 pixel", () => {
    const { artifacts, xs, want } = find(CASES[0].name);
    const kept = cloneArtifacts(artifacts);
    const layers = (
      kept.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }
    ).config.layers;
    const index = layers.findIndex((l) => l.class_name === "GlobalAveragePooling2D");
    layers[index].config.keepdims = true;
    // The layers after it (Dense on the last axis, batch norm, Dense) keep the extra axes.
    const got = loadLayersModel(kept).predict(xs[0]);
    expect(got.shape).toEqual([1, 1, 1, 4]);
    expectNear({ data: got.data, shape: [1, 4] }, want[0], 2e-5, "keepdims");
  });

  it("Reshape with a -1 dimension", () => {
    const { artifacts, xs, want } = find(CASES[1].name);
    const open = cloneArtifacts(artifacts);
    const layers = (
      open.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }
    ).config.layers;
    const reshape = layers.find((l) => l.class_name === "Reshape");
    expect(reshape?.config.target_shape).toEqual([3, 4]);
    if (reshape) reshape.config.target_shape = [-1, 4];
    expectNear(loadLayersModel(open).predict(xs[0]), want[0], 2e-5, "target_shape [-1, 4]");
  });

  it("a model whose output is its input, reshaped (nothing to run but copies)", async () => {
    await tf.setBackend("cpu");
    const model = tfl.sequential({ layers: [L.dropout({ inputShape: [3, 4, 2], rate: 0.5 }), L.flatten()] });
    const x = randomTensor(rng(3), [2, 3, 4, 2]);
    const got = loadLayersModel(await artifactsOf(model)).predict(x);
    expect(got.shape).toEqual([2, 24]);
    expect(got.data).toEqual(x.data);
  });
});

describe("costs", () => {
  beforeAll(() => init({ backend: "simd" }));

  it("params per layer as tfjs counts them; multiply-adds from the layers' shapes", () => {
    // Every kind of weighted layer is counted (Conv2D, DepthwiseConv2D, SeparableConv2D, Dense).
    for (const c of CASES.slice(0, 3)) {
      const { artifacts, tfModel } = find(c.name);
      const cost = loadLayersModel(artifacts).cost();
      expect(cost.params).toBe(tfModel.countParams());
      let macs = 0;
      for (const layer of tfModel.layers) {
        const entry = cost.layers.find((l) => l.name === layer.name);
        expect(entry?.params, layer.name).toBe(layer.countParams());
        expect(entry?.outputShape.slice(1), layer.name).toEqual((layer.outputShape as number[]).slice(1));
        const expected = tfLayerMacs(layer);
        expect(entry?.macs, layer.name).toBe(expected);
        macs += expected;
      }
      expect(cost.macs).toBe(macs);
      expect(macs).toBeGreaterThan(0);
    }
  });

  it("needs an input shape when the model leaves sizes open", () => {
    const model = loadLayersModel(find("input size given at predict time").artifacts);
    expect(() => model.cost()).toThrow(
      /cost: the model's input shape \[null, null, null, 3\] has unknown sizes; pass inputShape/,
    );
    expect(model.cost([1, 16, 16, 3]).layers.at(-1)?.outputShape).toEqual([1, 2]);
    expect(model.cost([1, 16, 16, 3]).layers[1].outputShape).toEqual([1, 8, 8, 8]);
    expect(() => model.cost([1, 16, 16, 4])).toThrow(
      /cost: inputShape \(\[1, 16, 16, 4\]\) must fit the model's input shape \[null, null, null, 3\]/,
    );
    expect(() => model.cost([16, 16, 3])).toThrow(RangeError);
  });
});

describe("predict: memory", () => {
  beforeAll(() => init({ backend: "simd" }));

  it("plans at load; predict(x, out) fills out, grows no memory and returns the same values", () => {
    const { artifacts, xs, want } = find(CASES[2].name);
    const model = loadLayersModel(artifacts);
    const heap = activeRuntime("test")?.heap;
    const out = { data: new Float32Array(want[0].data.length), shape: want[0].shape.slice() };
    const before = heap?.byteLength;
    for (let i = 0; i < 3; i++) expect(model.predict(xs[0], out)).toBe(out);
    expect(heap?.byteLength).toBe(before);
    expect(out.data).toEqual(model.predict(xs[0]).data);
    expectNear(out, want[0], 2e-5, "out");
    model.dispose();
  });

  it("dispose returns every block: loading and disposing again needs no new memory", () => {
    const { artifacts } = find(CASES[2].name);
    loadLayersModel(artifacts).dispose();
    const heap = activeRuntime("test")?.heap;
    const before = heap?.byteLength;
    for (let i = 0; i < 3; i++) loadLayersModel(artifacts).dispose();
    expect(heap?.byteLength).toBe(before);
  });
});

describe("errors", () => {
  let base: ModelArtifacts & tf.io.ModelArtifacts;

  beforeAll(async () => {
    await init({ backend: "simd" });
    base = find(CASES[0].name).artifacts as ModelArtifacts & tf.io.ModelArtifacts;
  });

  /** The first layer config of class `className` in a copy of `artifacts`, edited by `edit`. */
  function edited(
    className: string,
    edit: (config: Record<string, unknown>) => void,
    artifacts = base,
  ): ModelArtifacts {
    const copy = cloneArtifacts(artifacts);
    const layers = (
      copy.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }
    ).config.layers;
    const layer = layers.find((l) => l.class_name === className);
    if (!layer) throw new Error(`no ${className}`);
    edit(layer.config);
    return copy;
  }

  it("bad artifacts name the argument", () => {
    expect(() => loadLayersModel(null as never)).toThrow(TypeError);
    expect(() => loadLayersModel(null as never)).toThrow(
      /loadLayersModel: artifacts \(null\) must be an object \{ modelTopology, weightSpecs, weightData \}/,
    );
    expect(() => loadLayersModel({ ...base, modelTopology: 3 } as never)).toThrow(
      /artifacts.modelTopology \(3\) must be the Keras model JSON object/,
    );
    expect(() => loadLayersModel({ ...base, modelTopology: "{" })).toThrow(
      /artifacts.modelTopology is a string but not JSON/,
    );
    expect(() => loadLayersModel({ ...base, weightSpecs: "x" } as never)).toThrow(
      /artifacts.weightSpecs \("x"\) must be an array/,
    );
    expect(() => loadLayersModel({ ...base, weightData: [1, 2] } as never)).toThrow(
      /artifacts.weightData \(\[1, 2\]\) must be an ArrayBuffer/,
    );
    const short = (base.weightData as ArrayBuffer).slice(0, 100);
    expect(() => loadLayersModel({ ...base, weightData: short })).toThrow(RangeError);
    expect(() => loadLayersModel({ ...base, weightData: short })).toThrow(
      /artifacts.weightData \(100 bytes\) ends before weight '/,
    );
    const long = new Uint8Array((base.weightData as ArrayBuffer).byteLength + 4);
    expect(() => loadLayersModel({ ...base, weightData: long })).toThrow(
      /weightData has \d+ bytes but artifacts.weightSpecs describe \d+/,
    );
    const badQ = base.weightSpecs.map((s, i) => (i === 1 ? { ...s, quantization: { dtype: "int4" } } : s));
    expect(() => loadLayersModel({ ...base, weightSpecs: badQ })).toThrow(
      /weightSpecs\[1\].quantization.dtype \("int4"\) of '.*' must be "uint8", "uint16", or "float16"/,
    );
    const noScale = base.weightSpecs.map((s, i) => (i === 1 ? { ...s, quantization: { dtype: "uint8", min: 0 } } : s));
    expect(() => loadLayersModel({ ...base, weightSpecs: noScale })).toThrow(/must have numbers min and scale/);
    expect(() => loadLayersModel(base, { fusion: "some" as never })).toThrow(
      /options.fusion \("some"\) must be one of "full", "separable", "none"/,
    );
    expect(() => loadLayersModel(base, { fuse: true } as never)).toThrow(/options.fuse is not an option/);
  });

  it("an unsupported layer names the layer and its class", async () => {
    await tf.setBackend("cpu");
    const model = tfl.sequential({
      layers: [
        L.conv2d({ inputShape: [6, 6, 2], filters: 2, kernelSize: 1 }),
        L.cropping2D({ cropping: 1, name: "crop" }),
      ],
    });
    const artifacts = await artifactsOf(model);
    expect(() => loadLayersModel(artifacts)).toThrow(RangeError);
    expect(() => loadLayersModel(artifacts)).toThrow(
      /layer 'crop': class_name \("Cropping2D"\) is not supported \(supported: InputLayer, Conv2D/,
    );
  });

  it("an unsupported option names the layer, the option and its value", () => {
    const cases: [string, (c: Record<string, unknown>) => void, RegExp][] = [
      [
        "Dense",
        (c) => Object.assign(c, { activation: "softplus" }),
        /layer 'dense_\w+' \(Dense\): activation \("softplus"\) is not supported; expected one of "linear", "relu", "relu6", "sigmoid", "softmax", "tanh", "elu", "swish", "silu", "hard_sigmoid", "hard_swish"/,
      ],
      [
        "Conv2D",
        (c) => Object.assign(c, { data_format: "channels_first" }),
        /\(Conv2D\): data_format \("channels_first"\) is not supported; expected "channels_last"/,
      ],
      ["Conv2D", (c) => Object.assign(c, { groups: 2 }), /\(Conv2D\): groups \(2\) is not supported; expected 1/],
      [
        "Conv2D",
        (c) => Object.assign(c, { padding: "causal" }),
        /\(Conv2D\): padding \("causal"\) is not supported; expected "same" or "valid"/,
      ],
      [
        "BatchNormalization",
        (c) => Object.assign(c, { axis: 1 }),
        /\(BatchNormalization\): axis \(1\) is not supported; expected -1 or 3/,
      ],
      ["ReLU", (c) => Object.assign(c, { max_value: -1 }), /\(ReLU\): max_value \(-1\) must be a number >= 0 or null/],
      [
        "MaxPooling2D",
        (c) => Object.assign(c, { pool_size: [0, 2] }),
        /\(MaxPooling2D\): pool_size \(\[0, 2\]\) must be a positive integer or a pair/,
      ],
      [
        "ZeroPadding2D",
        (c) => Object.assign(c, { padding: [[1, 2, 3]] }),
        /\(ZeroPadding2D\): padding \(\[\[1, 2, 3\]\]\) must be n, \[h, w\] or \[\[top, bottom\], \[left, right\]\]/,
      ],
      [
        "SeparableConv2D",
        (c) => Object.assign(c, { depth_multiplier: 3 }),
        /\(SeparableConv2D\): depth_multiplier \(3\) must be the depthwise kernel's last dimension \(1\)/,
      ],
    ];
    for (const [className, edit, message] of cases) {
      const artifacts = edited(className, edit);
      expect(() => loadLayersModel(artifacts), className).toThrow(message);
    }
  });

  it("weights and shapes that do not fit name the layer", () => {
    const missing = {
      ...base,
      weightSpecs: base.weightSpecs.map((s, i) => (i === 0 ? { ...s, name: "renamed/kernel" } : s)),
    };
    expect(() => loadLayersModel(missing)).toThrow(
      /layer 'conv2d_\w+' \(Conv2D\) needs the weight 'conv2d_\w+\/kernel', which artifacts.weightSpecs lack/,
    );
    const wider = cloneArtifacts(base);
    const layers = (wider.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
    layers[0].config.batch_input_shape = [null, 15, 13, 5];
    expect(() => loadLayersModel(wider)).toThrow(
      /layer 'conv2d_\w+' \(Conv2D\): input has 5 channels but the kernel expects 4/,
    );
    const small = cloneArtifacts(base);
    (
      small.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }
    ).config.layers[0].config.batch_input_shape = [null, 2, 1, 4];
    expect(() => loadLayersModel(small)).toThrow(/layer 'conv2d_\w+' \(Conv2D\): output would be empty/);
  });

  it("graphs sepconv does not run: several inputs, shared layers, unknown model classes", async () => {
    await tf.setBackend("cpu");
    const a = tfl.input({ shape: [4] });
    const b = tfl.input({ shape: [4] });
    const two = tfl.model({ inputs: [a, b], outputs: L.add().apply([a, b]) as tfl.SymbolicTensor });
    expect(() => loadLayersModel({ ...base, modelTopology: two.toJSON(null, false) as object })).toThrow(
      /models with 2 inputs are not supported/,
    );
    const shared = L.dense({ units: 4, name: "shared" });
    const c = tfl.input({ shape: [4] });
    const twice = tfl.model({ inputs: c, outputs: shared.apply(shared.apply(c)) as tfl.SymbolicTensor });
    const saved = await artifactsOf(twice);
    expect(() => loadLayersModel(saved)).toThrow(
      /layer 'shared' is called 2 times \(shared layers are not supported\)/,
    );
    expect(() => loadLayersModel({ ...base, modelTopology: { class_name: "Graph", config: {} } })).toThrow(
      /artifacts.modelTopology: class_name \("Graph"\) is not supported/,
    );
  });

  it("predict checks x and out and the model stays usable after an error", () => {
    const { artifacts, xs } = find(CASES[0].name);
    const model = loadLayersModel(artifacts);
    expect(() => model.predict({ data: new Float32Array(3), shape: [3] })).toThrow(
      /predict: x.shape \(\[3\]\) must have 4 dimensions/,
    );
    expect(() => model.predict(randomTensor(rng(1), [1, 15, 12, 4]))).toThrow(
      /predict: x.shape\[2\] \(12\) must equal the model's input shape \[null, 15, 13, 4\]/,
    );
    expect(() => model.predict(xs[0], { data: new Float32Array(5), shape: [1, 5] })).toThrow(
      /predict: out.shape \(\[1, 5\]\) must equal the output shape \[1, 4\]/,
    );
    expect(() => model.predict({ data: [1] as never, shape: [1, 15, 13, 4] })).toThrow(TypeError);
    expect(model.predict(xs[0]).shape).toEqual([1, 4]);
    model.dispose();
    model.dispose();
    expect(() => model.predict(xs[0])).toThrow(/predict: the model was disposed; load it again/);
  });
});

describe("non-finite weights", () => {
  /** 4-D outputs (nothing to smear the NaNs over every pixel): a conv; an expand -> depthwise -> project chain. */
  async function models(): Promise<[string, ModelArtifacts & tf.io.ModelArtifacts][]> {
    await tf.setBackend("cpu");
    const input = tfl.input({ shape: [9, 8, 4] });
    const conv = L.conv2d({ filters: 4, kernelSize: 3, padding: "same", name: "conv" }).apply(
      input,
    ) as tfl.SymbolicTensor;
    let y = L.conv2d({ filters: 12, kernelSize: 1, name: "expand" }).apply(input) as tfl.SymbolicTensor;
    y = L.depthwiseConv2d({ kernelSize: 3, padding: "same", name: "dw" }).apply(y) as tfl.SymbolicTensor;
    y = L.conv2d({ filters: 5, kernelSize: 1, name: "project" }).apply(y) as tfl.SymbolicTensor;
    const out: [string, ModelArtifacts & tf.io.ModelArtifacts][] = [];
    for (const [name, output] of [
      ["conv/kernel", conv],
      ["dw/depthwise_kernel", y],
    ] as const) {
      const m = tfl.model({ inputs: input, outputs: output });
      seedWeights(m, 11);
      out.push([name, await artifactsOf(m)]);
    }
    return out;
  }

  /** The artifacts with the first value (tap (0, 0), channel 0) of weight `name` set to `value`. */
  function poisoned(artifacts: ModelArtifacts & tf.io.ModelArtifacts, name: string, value: number): ModelArtifacts {
    const floats = new Float32Array((artifacts.weightData as ArrayBuffer).slice(0));
    let offset = 0;
    for (const spec of artifacts.weightSpecs) {
      if (spec.name === name) floats[offset] = value;
      offset += spec.shape.reduce((a, b) => a * b, 1);
    }
    return { ...artifacts, weightData: floats.buffer };
  }

  it("a padded tap with an infinite weight gives NaN on every build and fusion, as the reference computes it", async () => {
    const x = randomTensor(rng(12), [2, 9, 8, 4]);
    for (const [name, artifacts] of await models()) {
      const broken = poisoned(artifacts, name, Infinity);
      await init({ backend: "js" });
      const want = loadLayersModel(broken).predict(x);
      // Padded outputs are NaN, the others infinite: the two rules (0 * Inf, or skipping the tap) differ.
      expect(want.data.some(Number.isNaN), name).toBe(true);
      expect(
        want.data.some((v) => v === Infinity || v === -Infinity),
        name,
      ).toBe(true);
      for (const build of ["scalar", "simd", "relaxed-simd"] as const) {
        await init({ backend: build });
        for (const fusion of ["full", "none"] as const) {
          const got = loadLayersModel(broken, { fusion }).predict(x);
          for (let i = 0; i < want.data.length; i++) {
            const w = want.data[i];
            const g = got.data[i];
            const same = Number.isNaN(w)
              ? Number.isNaN(g)
              : Number.isFinite(w)
                ? Math.abs(g - w) <= 1e-4 * (1 + Math.abs(w))
                : g === w;
            if (!same) expect.fail(`${name} ${build} ${fusion}: element ${i} is ${g}, expected ${w}`);
          }
        }
      }
    }
  });
});

describe("a layers model with several outputs", () => {
  it("predictAll returns them in output_layers order, as tfjs-layers' predict does", async () => {
    await tf.setBackend("cpu");
    const input = tfl.input({ shape: [8, 7, 3] });
    const stem = L.conv2d({ filters: 6, kernelSize: 3, padding: "same", activation: "relu", name: "stem" }).apply(
      input,
    ) as tfl.SymbolicTensor;
    const pooled = L.globalAveragePooling2d({ name: "pooled" }).apply(stem) as tfl.SymbolicTensor;
    const head = L.dense({ units: 4, activation: "softmax", name: "head" }).apply(pooled) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: [head, stem, pooled] });
    seedWeights(model, 31);
    const x = randomTensor(rng(32), [2, 8, 7, 3]);
    const want = tf.tidy(() =>
      (model.predict(tf.tensor(x.data, x.shape)) as tf.Tensor[]).map((t) => ({
        data: t.dataSync() as Float32Array,
        shape: t.shape,
      })),
    );
    const artifacts = await artifactsOf(model);
    for (const backend of ALL_BACKENDS) {
      await init({ backend });
      const loaded = loadLayersModel(artifacts);
      expect(loaded.outputNames).toEqual(["head", "stem", "pooled"]);
      for (const [i, y] of loaded.predictAll(x).entries()) expectNear(y, want[i], 1e-5, `${backend} output ${i}`);
      loaded.dispose();
    }
  });
});
