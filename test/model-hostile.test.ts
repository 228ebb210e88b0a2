// Model files from strangers: loadLayersModel on hand-written hostile model JSON. Names are
// looked up as own properties only (every Object.prototype name in every name-bearing field is
// refused by name, a polluted Object.prototype changes nothing), load time is linear in the
// number of layers, graph walks and error messages do not recurse, the 4 GiB limit holds on
// every backend before anything is allocated, and malformed weights and misuse get messages
// that say what is wrong and what to do.

import { beforeAll, describe, expect, it } from "vitest";
import { cost, depthwiseConv2d, init, loadLayersModel, type ModelArtifacts, type Tensor } from "../src/index.js";
import { assignOffsets, type Lifetime } from "../src/model/arena.js";
import { ALL_BACKENDS, caught, randomInt, randomTensor, rng } from "./helpers.js";

type Json = Record<string, unknown>;
type ErrorClass = typeof TypeError | typeof RangeError;

/** Every name Object.prototype has (V8 lists "__proto__" among them; added in case an engine does not). */
const PROTO_NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), "__proto__"])];

const C = 4;

interface WeightValue {
  name: string;
  shape: number[];
  values: Float32Array;
}

function artifactsOf(modelTopology: Json | string, weights: WeightValue[] = []): ModelArtifacts {
  const data = new Float32Array(weights.reduce((n, w) => n + w.values.length, 0));
  let at = 0;
  for (const w of weights) {
    data.set(w.values, at);
    at += w.values.length;
  }
  const weightSpecs = weights.map(({ name, shape }) => ({ name, shape, dtype: "float32" }));
  return { modelTopology: modelTopology as object, weightSpecs, weightData: data.buffer };
}

/** A Keras 2 functional layer; `inputs` undefined for the input layer. */
function layer(className: string, name: string, config: Json = {}, inputs?: string[]): Json {
  return {
    class_name: className,
    name,
    config: { name, ...config },
    inbound_nodes: inputs ? [inputs.map((i) => [i, 0, 0, {}])] : [],
  };
}

function functional(layers: Json[], input: string, output: string): Json {
  return {
    class_name: "Model",
    config: { name: "m", layers, input_layers: [[input, 0, 0]], output_layers: [[output, 0, 0]] },
  };
}

function sequential(layers: Json[]): Json {
  return { class_name: "Sequential", config: { name: "s", layers } };
}

function inputLayer(name = "input", shape: (number | null)[] = [null, 2, 2, C]): Json {
  return layer("InputLayer", name, { batch_input_shape: shape });
}

function eye(n: number): Float32Array {
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

const zeros = (n: number) => new Float32Array(n);
const ones = (n: number) => new Float32Array(n).fill(1);

/** Input -> one layer of `className` named `name` (1x1 windows, identity weights) with `config` on top. */
function oneLayer(className: string, config: Json = {}, name = "l"): ModelArtifacts {
  const w = (suffix: string, shape: number[], values: Float32Array) => ({ name: `${name}/${suffix}`, shape, values });
  const image = [null, 2, 2, C];
  const table: Record<string, [Json, WeightValue[], (number | null)[]]> = {
    Conv2D: [{ filters: C, kernel_size: [1, 1] }, [w("kernel", [1, 1, C, C], eye(C)), w("bias", [C], zeros(C))], image],
    DepthwiseConv2D: [
      { kernel_size: [1, 1] },
      [w("depthwise_kernel", [1, 1, C, 1], ones(C)), w("bias", [C], zeros(C))],
      image,
    ],
    SeparableConv2D: [
      { filters: C, kernel_size: [1, 1] },
      [
        w("depthwise_kernel", [1, 1, C, 1], ones(C)),
        w("pointwise_kernel", [1, 1, C, C], eye(C)),
        w("bias", [C], zeros(C)),
      ],
      image,
    ],
    Dense: [{ units: C }, [w("kernel", [C, C], eye(C)), w("bias", [C], zeros(C))], [null, C]],
    Activation: [{ activation: "relu" }, [], image],
    MaxPooling2D: [{ pool_size: [1, 1] }, [], image],
  };
  const [defaults, weights, shape] = table[className];
  const topology = functional(
    [inputLayer("input", shape), layer(className, name, { ...defaults, ...config }, ["input"])],
    "input",
    name,
  );
  return artifactsOf(topology, weights);
}

/** What the engine says when sepconv let it fail instead of checking first. */
const ENGINE_MESSAGES = ["Maximum call stack", "Invalid typed array length", "is not a function", "Cannot "];

/** Exactly `type`, from `op`, containing every part, and none of the engine's own messages. */
function expectError(
  error: Error,
  type: ErrorClass,
  op: string,
  parts: string[],
  label: string,
  absent: string[] = [],
): void {
  expect(error.constructor.name, `${label}: class of "${error.message}"`).toBe(type.name);
  expect(error.message.startsWith(`${op}: `), `${label}: "${error.message}" starts with "${op}: "`).toBe(true);
  for (const part of parts) expect(error.message, label).toContain(part);
  for (const internal of [...ENGINE_MESSAGES, ...absent]) expect(error.message, label).not.toContain(internal);
}

function relu(x: Tensor): Float32Array {
  return x.data.map((v) => Math.max(v, 0));
}

/** Runs `load` and reports how long it took (ms). */
function timed<T>(label: string, load: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = load();
  const ms = performance.now() - start;
  console.log(`${label}: ${ms.toFixed(0)} ms`);
  return { value, ms };
}

/** Generous: a linear load takes tens of milliseconds; the quadratic one took 10-60 s. */
const LOAD_BOUND_MS = 3000;

describe("names are looked up as own properties only", () => {
  beforeAll(() => init({ backend: "simd" }));

  it("the models used below load and run with ordinary names (so each refusal is the name's doing)", () => {
    const x = randomTensor(rng(1), [1, 2, 2, C]);
    for (const className of ["Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Activation", "MaxPooling2D"]) {
      const model = loadLayersModel(oneLayer(className, className === "Activation" ? {} : { padding: "same" }));
      const want = className === "Activation" ? relu(x) : x.data;
      expect(model.predict(x).data, className).toEqual(want);
      model.dispose();
    }
    const dense = loadLayersModel(oneLayer("Dense", { activation: "relu" }));
    const v = randomTensor(rng(2), [1, C]);
    expect(dense.predict(v).data).toEqual(relu(v));
  });

  it("every Object.prototype name as an activation, padding or data_format is refused, naming the field", () => {
    const fields: [string, string][] = [
      ["Conv2D", "activation"],
      ["DepthwiseConv2D", "activation"],
      ["SeparableConv2D", "activation"],
      ["Dense", "activation"],
      ["Activation", "activation"],
      ["Conv2D", "padding"],
      ["DepthwiseConv2D", "padding"],
      ["SeparableConv2D", "padding"],
      ["MaxPooling2D", "padding"],
      ["Conv2D", "data_format"],
      ["MaxPooling2D", "data_format"],
    ];
    for (const name of PROTO_NAMES) {
      for (const [className, field] of fields) {
        const label = `${className} ${field} ${name}`;
        const error = caught(() => loadLayersModel(oneLayer(className, { [field]: name })));
        expectError(
          error,
          RangeError,
          "loadLayersModel",
          [`layer 'l' (${className}): ${field} (${JSON.stringify(name)}) is not supported`],
          label,
        );
      }
    }
  });

  it("every Object.prototype name as a layer or model class_name is refused, naming the field", () => {
    for (const name of PROTO_NAMES) {
      const topology = functional([inputLayer(), layer(name, "l", {}, ["input"])], "input", "l");
      expectError(
        caught(() => loadLayersModel(artifactsOf(topology))),
        RangeError,
        "loadLayersModel",
        [`layer 'l': class_name (${JSON.stringify(name)}) is not supported`, "Conv2D"],
        `layer class_name ${name}`,
      );
      const model = { ...functional([inputLayer()], "input", "input"), class_name: name };
      expectError(
        caught(() => loadLayersModel(artifactsOf(model))),
        RangeError,
        "loadLayersModel",
        [`artifacts.modelTopology: class_name (${JSON.stringify(name)}) is not supported`, "Sequential"],
        `model class_name ${name}`,
      );
      // A Keras 3 input tensor marked with another class is no input.
      const keras3 = functional([inputLayer(), layer("ReLU", "l")], "input", "l");
      const layers = (keras3.config as { layers: Json[] }).layers;
      layers[1].inbound_nodes = [{ args: [{ class_name: name, config: { keras_history: ["input", 0, 0] } }] }];
      expectError(
        caught(() => loadLayersModel(artifactsOf(keras3))),
        TypeError,
        "loadLayersModel",
        ["layer 'l': inbound_nodes", "name no input"],
        `keras tensor class_name ${name}`,
      );
    }
  });

  it("every Object.prototype name as a weight dtype, quantization dtype or fusion is refused, naming the field", () => {
    const base = oneLayer("Conv2D");
    for (const name of PROTO_NAMES) {
      const dtype = { ...base, weightSpecs: base.weightSpecs.map((s) => ({ ...s, dtype: name })) };
      expectError(
        caught(() => loadLayersModel(dtype)),
        RangeError,
        "loadLayersModel",
        [`artifacts.weightSpecs[0].dtype (${JSON.stringify(name)}) of 'l/kernel' must be`],
        `dtype ${name}`,
      );
      const quantized = {
        ...base,
        weightSpecs: base.weightSpecs.map((s) => ({ ...s, quantization: { dtype: name, min: 0, scale: 1 } })),
      };
      expectError(
        caught(() => loadLayersModel(quantized)),
        RangeError,
        "loadLayersModel",
        [`artifacts.weightSpecs[0].quantization.dtype (${JSON.stringify(name)}) of 'l/kernel' must be`],
        `quantization dtype ${name}`,
      );
      expectError(
        caught(() => loadLayersModel(base, { fusion: name as never })),
        RangeError,
        "loadLayersModel",
        [`options.fusion (${JSON.stringify(name)}) must be one of`],
        `fusion ${name}`,
      );
    }
  });

  it("every Object.prototype name as init's options.backend is refused, and the active build stays", async () => {
    for (const name of PROTO_NAMES) {
      let error: Error | undefined;
      try {
        await init({ backend: name as never });
      } catch (e) {
        error = e as Error;
      }
      expect(error, name).toBeDefined();
      expectError(error as Error, RangeError, "init", [`options.backend (${JSON.stringify(name)})`], `backend ${name}`);
    }
    expect(loadLayersModel(oneLayer("Conv2D")).backend).toBe("simd");
  });

  it("layers and weights named after Object.prototype names load and run", () => {
    const layers = [inputLayer(PROTO_NAMES[0])];
    const weights: WeightValue[] = [];
    for (let i = 1; i < PROTO_NAMES.length; i++) {
      const name = PROTO_NAMES[i];
      const previous = PROTO_NAMES[i - 1];
      if (i % 2) {
        layers.push(layer("Conv2D", name, { filters: C, kernel_size: 1, use_bias: false }, [previous]));
        weights.push({ name: `${name}/kernel`, shape: [1, 1, C, C], values: eye(C) });
      } else {
        layers.push(layer("ReLU", name, {}, [previous]));
      }
    }
    const last = PROTO_NAMES[PROTO_NAMES.length - 1];
    const model = loadLayersModel(artifactsOf(functional(layers, PROTO_NAMES[0], last), weights));
    const x = randomTensor(rng(3), [1, 2, 2, C]);
    expect(model.predict(x).data).toEqual(relu(x));
    expect(model.cost().layers.map((l) => l.name)).toEqual(PROTO_NAMES);
  });

  it('"__proto__" keys of a JSON model change nothing and pollute nothing', () => {
    // The same model twice: plain, and with "__proto__" keys (which JSON.parse makes own
    // properties) everywhere a field is read, carrying values that would change the model.
    const clean = oneLayer("Conv2D", { activation: "linear" });
    const poison = {
      activation: "relu",
      padding: "same",
      kernel_size: 3,
      use_bias: false,
      class_name: "Dense",
      config: {},
      layers: [],
      model_config: {},
      quantization: { dtype: "uint8", min: 0, scale: 1 },
      dtype: "int32",
    };
    const poisoned = (json: string) =>
      json.replace(/\{(\}?)/g, (_, empty) => `{"__proto__":${JSON.stringify(poison)}${empty ? "}" : ","}`);
    const text = poisoned(JSON.stringify(clean.modelTopology));
    const specs = poisoned(JSON.stringify(clean.weightSpecs));
    const hostile = { ...clean, modelTopology: JSON.parse(text), weightSpecs: JSON.parse(specs) };
    expect(Object.hasOwn(hostile.modelTopology, "__proto__")).toBe(true);
    const x = randomTensor(rng(4), [1, 2, 2, C]);
    const want = loadLayersModel(clean).predict(x).data;
    expect(loadLayersModel(hostile).predict(x).data).toEqual(want);
    expect(loadLayersModel({ ...hostile, modelTopology: text }).predict(x).data).toEqual(want);
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Json).activation).toBeUndefined();
  });

  it("a polluted Object.prototype changes nothing a model file means", () => {
    const clean = oneLayer("Conv2D");
    const x = randomTensor(rng(5), [1, 2, 2, C]);
    const want = loadLayersModel(clean).predict(x).data;
    const pollution: Json = {
      activation: "relu",
      padding: "same",
      strides: 2,
      use_bias: false,
      data_format: "channels_first",
      model_config: { class_name: "Graph" },
      quantization: { dtype: "uint8", min: 0, scale: 1 },
      fusion: "bogus",
      batch_shape: [null, 3, 3, C],
    };
    const proto = Object.prototype as Json;
    let got: Float32Array;
    try {
      Object.assign(proto, pollution);
      got = loadLayersModel(clean).predict(x).data;
    } finally {
      for (const key of Object.keys(pollution)) delete proto[key];
    }
    expect(got).toEqual(want);
  });
});

describe("load time is linear in the number of layers", () => {
  beforeAll(() => init({ backend: "simd" }));

  const x = randomTensor(rng(6), [1, 2, 2, C]);

  it("a Sequential model of 8,000 layers (conv, batch norm, ReLU, dropout)", () => {
    const layers: Json[] = [
      { class_name: "InputLayer", config: { name: "input", batch_input_shape: [null, 2, 2, C] } },
    ];
    const weights: WeightValue[] = [];
    for (let i = 0; i < 2000; i++) {
      const conv = `conv${i}`;
      const bn = `bn${i}`;
      layers.push({ class_name: "Conv2D", config: { name: conv, filters: C, kernel_size: 1 } });
      layers.push({ class_name: "BatchNormalization", config: { name: bn, epsilon: 0 } });
      layers.push({ class_name: "ReLU", config: { name: `relu${i}` } });
      layers.push({ class_name: "Dropout", config: { name: `drop${i}`, rate: 0.5 } });
      weights.push({ name: `${conv}/kernel`, shape: [1, 1, C, C], values: eye(C) });
      weights.push({ name: `${conv}/bias`, shape: [C], values: zeros(C) });
      weights.push({ name: `${bn}/gamma`, shape: [C], values: ones(C) });
      weights.push({ name: `${bn}/beta`, shape: [C], values: zeros(C) });
      weights.push({ name: `${bn}/moving_mean`, shape: [C], values: zeros(C) });
      weights.push({ name: `${bn}/moving_variance`, shape: [C], values: ones(C) });
    }
    const artifacts = artifactsOf(sequential(layers), weights);
    const { value: model, ms } = timed("Sequential of 8,000 layers", () => loadLayersModel(artifacts));
    expect(ms).toBeLessThan(LOAD_BOUND_MS);
    expect(model.describe()).toHaveLength(2000);
    expect(model.predict(x).data).toEqual(relu(x));
    model.dispose();
  });

  it("a fan-out of 8,000 branches (conv, ReLU) into one Add", () => {
    const layers = [inputLayer()];
    const weights: WeightValue[] = [];
    const branches: string[] = [];
    for (let i = 0; i < 8000; i++) {
      layers.push(layer("Conv2D", `conv${i}`, { filters: C, kernel_size: 1, use_bias: false }, ["input"]));
      layers.push(layer("ReLU", `relu${i}`, {}, [`conv${i}`]));
      weights.push({ name: `conv${i}/kernel`, shape: [1, 1, C, C], values: eye(C) });
      branches.push(`relu${i}`);
    }
    layers.push(layer("Add", "add", {}, branches));
    const artifacts = artifactsOf(functional(layers, "input", "add"), weights);
    const { value: model, ms } = timed("fan-out of 8,000 branches", () => loadLayersModel(artifacts));
    expect(ms).toBeLessThan(LOAD_BOUND_MS);
    expect(model.describe()).toHaveLength(8001);
    const got = model.predict(x).data;
    const want = relu(x).map((v) => v * 8000);
    // 8,000 additions, each rounded to float32 as TensorFlow.js's Add does.
    for (let i = 0; i < want.length; i++)
      expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-4 * Math.abs(want[i]) + 1e-3);
    model.dispose();
  });

  it("10,000 ReLU layers", () => {
    const layers: Json[] = [
      { class_name: "InputLayer", config: { name: "input", batch_input_shape: [null, 2, 2, C] } },
    ];
    for (let i = 0; i < 10_000; i++) layers.push({ class_name: "ReLU", config: { name: `relu${i}` } });
    const text = JSON.stringify(sequential(layers));
    const { value: model, ms } = timed("10,000 ReLU layers", () => loadLayersModel(artifactsOf(text)));
    expect(ms).toBeLessThan(LOAD_BOUND_MS);
    expect(model.predict(x).data).toEqual(relu(x));
    model.dispose();
  });

  it("weights written with an extra scope (layer/cell/name) are found without a scan per layer", () => {
    const layers: Json[] = [
      { class_name: "InputLayer", config: { name: "input", batch_input_shape: [null, 2, 2, C] } },
    ];
    const weights: WeightValue[] = [];
    for (let i = 0; i < 8000; i++) {
      layers.push({ class_name: "Conv2D", config: { name: `conv${i}`, filters: C, kernel_size: 1 } });
      weights.push({ name: `conv${i}/cell/kernel`, shape: [1, 1, C, C], values: eye(C) });
      weights.push({ name: `conv${i}/cell/bias`, shape: [C], values: zeros(C) });
    }
    const artifacts = artifactsOf(sequential(layers), weights);
    const { value: model, ms } = timed("8,000 convs with scoped weights", () => loadLayersModel(artifacts));
    expect(ms).toBeLessThan(LOAD_BOUND_MS);
    expect(model.predict(x).data).toEqual(x.data);
  });
});

/**
 * The greedy-by-size rule written plainly (every placed tensor checked per placement,
 * quadratic): largest first, each at the lowest offset clear of the tensors alive with it.
 */
function greedyOffsets(items: Lifetime[]): number[] {
  const size = (i: number) => Math.ceil(items[i].size / 4) * 4;
  const offsets: number[] = new Array(items.length).fill(0);
  const placed: number[] = [];
  const order = items.map((_, i) => i).sort((a, b) => items[b].size - items[a].size || items[a].first - items[b].first);
  for (const i of order) {
    const busy = placed
      .filter((j) => items[j].first <= items[i].last && items[i].first <= items[j].last)
      .sort((a, b) => offsets[a] - offsets[b]);
    let offset = 0;
    for (const j of busy) {
      if (offset + size(i) <= offsets[j]) break;
      offset = Math.max(offset, offsets[j] + size(j));
    }
    offsets[i] = offset;
    placed.push(i);
  }
  return offsets;
}

describe("the arena planner", () => {
  it("places tensors as the plain greedy rule does, and never overlaps two alive at once", () => {
    const random = rng(12);
    for (let run = 0; run < 300; run++) {
      const ops = randomInt(random, 1, 40);
      const items = Array.from({ length: randomInt(random, 1, 60) }, () => {
        const first = randomInt(random, -1, ops);
        // Few distinct sizes, as a network has, so ties in size and offset are common.
        return {
          size: 4 * randomInt(random, 1, 6) - randomInt(random, 0, 3),
          first,
          last: randomInt(random, first, ops),
        };
      });
      const { offsets, total } = assignOffsets(items);
      expect(offsets, `run ${run}`).toEqual(greedyOffsets(items));
      items.forEach((a, i) => {
        expect(offsets[i] + a.size).toBeLessThanOrEqual(total);
        items.forEach((b, j) => {
          const together = i !== j && a.first <= b.last && b.first <= a.last;
          if (together) expect(offsets[i] + a.size <= offsets[j] || offsets[j] + b.size <= offsets[i]).toBe(true);
        });
      });
    }
  });
});

describe("no recursion", () => {
  beforeAll(() => init({ backend: "simd" }));

  /** [[[...[1]...]]], `depth` arrays deep, built without recursion. */
  function nested(depth: number): unknown {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = [value];
    return value;
  }

  it("a functional chain of 20,000 layers loads and runs", () => {
    const layers = [inputLayer()];
    let previous = "input";
    for (let i = 0; i < 20_000; i++) {
      layers.push(layer("ReLU", `relu${i}`, {}, [previous]));
      previous = `relu${i}`;
    }
    const artifacts = artifactsOf(functional(layers, "input", previous));
    const { value: model, ms } = timed("functional chain of 20,000 layers", () => loadLayersModel(artifacts));
    expect(ms).toBeLessThan(LOAD_BOUND_MS);
    const x = randomTensor(rng(7), [1, 2, 2, C]);
    expect(model.predict(x).data).toEqual(relu(x));
  });

  it("a config value nested 100,000 deep gets a clear error, as an object or as JSON text", () => {
    const deep = nested(100_000);
    expectError(
      caught(() => loadLayersModel(oneLayer("Conv2D", { kernel_size: deep }))),
      TypeError,
      "loadLayersModel",
      ["layer 'l' (Conv2D): kernel_size ([[[[…]]]]) must be a positive integer or a pair"],
      "nested kernel_size",
    );
    const text = JSON.stringify(oneLayer("Conv2D", { kernel_size: "DEEP" }).modelTopology).replace(
      '"DEEP"',
      `${"[".repeat(100_000)}1${"]".repeat(100_000)}`,
    );
    expectError(
      caught(() => loadLayersModel({ ...oneLayer("Conv2D"), modelTopology: text })),
      TypeError,
      "loadLayersModel",
      ["kernel_size ([[[[…]]]])"],
      "nested kernel_size in JSON text",
    );
    const inbound = functional([inputLayer(), layer("ReLU", "l")], "input", "l");
    (inbound.config as { layers: Json[] }).layers[1].inbound_nodes = [[deep]];
    expectError(
      caught(() => loadLayersModel(artifactsOf(inbound))),
      TypeError,
      "loadLayersModel",
      ["layer 'l': input [[[[…]]]] must be another layer's first output"],
      "nested inbound node",
    );
  });

  it("Keras 3 inbound tensors nested 100,000 lists deep are found", () => {
    const keras3 = functional([inputLayer(), layer("ReLU", "l")], "input", "l");
    let args: unknown = { class_name: "__keras_tensor__", config: { keras_history: ["input", 0, 0] } };
    for (let i = 0; i < 100_000; i++) args = [args];
    (keras3.config as { layers: Json[] }).layers[1].inbound_nodes = [{ args }];
    const x = randomTensor(rng(8), [1, 2, 2, C]);
    expect(loadLayersModel(artifactsOf(keras3)).predict(x).data).toEqual(relu(x));
    // A list that contains itself (an object, not JSON, can) is walked once.
    const cyclic: unknown[] = [{ class_name: "__keras_tensor__", config: { keras_history: ["input", 0, 0] } }];
    cyclic.push(cyclic);
    (keras3.config as { layers: Json[] }).layers[1].inbound_nodes = [{ args: cyclic }];
    expect(loadLayersModel(artifactsOf(keras3)).predict(x).data).toEqual(relu(x));
  });
});

/** Input of any size -> a 1x1 conv from 3 to `filters` channels. */
function wideConv(filters: number, shape: (number | null)[] = [null, null, null, 3]): ModelArtifacts {
  const topology = functional(
    [inputLayer("input", shape), layer("Conv2D", "wide", { filters, kernel_size: 1, use_bias: false }, ["input"])],
    "input",
    "wide",
  );
  return artifactsOf(topology, [{ name: "wide/kernel", shape: [1, 1, 3, filters], values: ones(3 * filters) }]);
}

for (const build of ALL_BACKENDS) {
  describe(`the 4 GiB limit on the ${build} backend`, () => {
    beforeAll(() => init({ backend: build }));

    it("a predict needing 8 GiB is refused in milliseconds, naming predict, and the model stays usable", () => {
      const model = loadLayersModel(wideConv(2048));
      const x = { data: new Float32Array(1024 * 1024 * 3), shape: [1, 1024, 1024, 3] };
      const start = performance.now();
      expectError(
        caught(() => model.predict(x)),
        RangeError,
        "predict",
        ["layer 'wide' (Conv2D)", "[1, 1024, 1024, 2048]", "4 GiB"],
        "8 GiB output",
      );
      expect(performance.now() - start).toBeLessThan(1000);
      const small = randomTensor(rng(9), [1, 2, 2, 3]);
      expect(model.predict(small).shape).toEqual([1, 2, 2, 2048]);
      model.dispose();
    });

    it("a model declaring an input too large for 4 GiB (or beyond safe integers) is refused at load", () => {
      for (const shape of [
        [null, 65536, 65536, 3],
        [null, 2 ** 30, 2 ** 30, 2 ** 30],
      ]) {
        expectError(
          caught(() => loadLayersModel(wideConv(8, shape))),
          RangeError,
          "loadLayersModel",
          ["layer 'input' (InputLayer)", "4 GiB"],
          `input ${shape}`,
        );
      }
    });
  });
}

describe("messages", () => {
  beforeAll(() => init({ backend: "simd" }));

  it("a detached weightData says so, as a buffer, a view or a part", () => {
    const base = oneLayer("Conv2D");
    const detach = <T extends ArrayBuffer | Uint8Array | ArrayBuffer[]>(data: T, buffer: ArrayBuffer): T => {
      structuredClone(buffer, { transfer: [buffer] });
      return data;
    };
    const copy = () => (base.weightData as ArrayBuffer).slice(0);
    const view = new Uint8Array(copy());
    const part = copy();
    const buffer = copy();
    for (const [label, weightData] of [
      ["buffer", detach(buffer, buffer)],
      ["view", detach(view, view.buffer)],
      ["part", detach([part], part)],
    ] as const) {
      expectError(
        caught(() => loadLayersModel({ ...base, weightData })),
        RangeError,
        "loadLayersModel",
        ["artifacts.weightData", "detached"],
        label,
      );
    }
  });

  it("an empty Float32Array is reported as too short, not as detached", () => {
    const model = loadLayersModel(oneLayer("Conv2D"));
    const empty = { data: new Float32Array(0), shape: [1, 2, 2, C] };
    for (const [op, fn] of [
      ["predict", () => model.predict(empty)],
      ["depthwiseConv2d", () => depthwiseConv2d(empty, { data: new Float32Array(9 * C), shape: [3, 3, C, 1] })],
    ] as const) {
      const error = caught(fn);
      expectError(error, RangeError, op, ["x.data.length (0) must equal the product of x.shape [1, 2, 2, 4] (16)"], op);
      expect(error.message).not.toContain("detached");
    }
  });

  it("a value nested 100,000 deep is shown cut short, not by overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expectError(
      caught(() => cost.conv2d([1, 8, 8, 4], [3, 3, 4, 8], { strides: deep as never })),
      RangeError,
      "cost.conv2d",
      ["options.strides ([[[[…]]]])"],
      "nested option",
    );
  });

  it("weights of the wrong rank name the weight and the rank expected", () => {
    const cases: [string, string, number[], string][] = [
      ["Conv2D", "kernel", [1, C], "[kernel height, kernel width, input channels, filters]"],
      ["DepthwiseConv2D", "depthwise_kernel", [1, 1, C], "[kernel height, kernel width, channels, multiplier]"],
      ["SeparableConv2D", "depthwise_kernel", [C], "[kernel height, kernel width, channels, multiplier]"],
      ["Dense", "kernel", [C], "[input units, units]"],
    ];
    for (const [className, weight, shape, expected] of cases) {
      const base = oneLayer(className);
      const index = base.weightSpecs.findIndex((s) => s.name === `l/${weight}`);
      const size = base.weightSpecs[index].shape.reduce((a, b) => a * b, 1);
      const reshaped = shape.slice(0, -1).concat(size / shape.slice(0, -1).reduce((a, b) => a * b, 1));
      const weightSpecs = base.weightSpecs.map((s, i) => (i === index ? { ...s, shape: reshaped } : s));
      expectError(
        caught(() => loadLayersModel({ ...base, weightSpecs })),
        RangeError,
        "loadLayersModel",
        [
          `layer 'l' (${className}): weight 'l/${weight}' has shape ${JSON.stringify(reshaped).replaceAll(",", ", ")}`,
          expected,
        ],
        className,
        ["undefined"],
      );
    }
  });

  it("weight shapes whose product is not a safe integer are refused by name", () => {
    const base = oneLayer("Conv2D");
    for (const shape of [
      [2 ** 40, 2 ** 40, 0],
      [1e308, 1e308],
      [2 ** 53, 2],
    ]) {
      const weightSpecs = base.weightSpecs.map((s, i) => (i === 0 ? { ...s, shape } : s));
      expectError(
        caught(() => loadLayersModel({ ...base, weightSpecs })),
        RangeError,
        "loadLayersModel",
        ["artifacts.weightSpecs[0].shape", "of 'l/kernel'", "safe integer"],
        `shape ${shape}`,
        ["NaN", "Infinity bytes"],
      );
    }
  });

  it("cost.* refuses NaN, fractional, negative and missing dimensions by name", () => {
    const input = [1, 8, 8, 4];
    const cases: [string, () => unknown, ErrorClass, string][] = [
      [
        "cost.depthwiseConv2d",
        () => cost.depthwiseConv2d([1, Number.NaN, 8, 4], [3, 3, 4, 1]),
        RangeError,
        "inputShape[1] (NaN) must be a positive integer",
      ],
      [
        "cost.depthwiseConv2d",
        () => cost.depthwiseConv2d(input, [3, 3.5, 4, 1]),
        RangeError,
        "filterShape[1] (3.5) must be a positive integer",
      ],
      [
        "cost.conv2d",
        () => cost.conv2d(input, [3, 3, 4, -8]),
        RangeError,
        "filterShape[3] (-8) must be a positive integer",
      ],
      [
        "cost.conv2d",
        () => cost.conv2d([1, 8, 8], [3, 3, 4, 8]),
        RangeError,
        "inputShape ([1, 8, 8]) must have 4 dimensions",
      ],
      ["cost.conv2d", () => cost.conv2d("x" as never, [3, 3, 4, 8]), TypeError, 'inputShape ("x") must be an array'],
      [
        "cost.pointwiseConv2d",
        () => cost.pointwiseConv2d(input, [4]),
        RangeError,
        "filterShape ([4]) must be [Cin, Cout] or [1, 1, Cin, Cout]",
      ],
      [
        "cost.pointwiseConv2d",
        () => cost.pointwiseConv2d(input, [4, Number.NaN]),
        RangeError,
        "filterShape[1] (NaN) must be a positive integer",
      ],
      [
        "cost.separableConv2d",
        () => cost.separableConv2d(input, [3, 3, 4, 1], [4, -1]),
        RangeError,
        "pointwiseFilterShape[1] (-1) must be a positive integer",
      ],
      [
        "cost.separableConv2d",
        () => cost.separableConv2d(input, [3, 3, 4], [4, 8]),
        RangeError,
        "depthwiseFilterShape ([3, 3, 4]) must have 4 dimensions",
      ],
      [
        "cost.compareSeparable",
        () => cost.compareSeparable(input, Number.NaN, 8),
        RangeError,
        "kernelSize (NaN) must be a positive integer",
      ],
      [
        "cost.compareSeparable",
        () => cost.compareSeparable(input, 3, 0),
        RangeError,
        "outChannels (0) must be a positive integer",
      ],
    ];
    for (const [op, fn, type, part] of cases) expectError(caught(fn), type, op, [part], `${op} ${part}`);
    expect(cost.conv2d(input, [3, 3, 4, 8], { padding: "same" }).macs).toBe(8 * 8 * 8 * 9 * 4);
  });

  it("errors of a plan made inside predict or cost name predict or cost", () => {
    const topology = functional(
      [inputLayer("input", [null, null, null, C]), layer("Conv2D", "c", { filters: C, kernel_size: 3 }, ["input"])],
      "input",
      "c",
    );
    const model = loadLayersModel(
      artifactsOf(topology, [
        { name: "c/kernel", shape: [3, 3, C, C], values: ones(9 * C * C) },
        { name: "c/bias", shape: [C], values: zeros(C) },
      ]),
    );
    const tiny = randomTensor(rng(10), [1, 1, 1, C]);
    expectError(
      caught(() => model.predict(tiny)),
      RangeError,
      "predict",
      ["layer 'c' (Conv2D): output would be empty"],
      "predict",
    );
    expectError(
      caught(() => model.cost([1, 1, 1, C])),
      RangeError,
      "cost",
      ["layer 'c' (Conv2D): output would be empty"],
      "cost",
    );
    expect(model.predict(randomTensor(rng(11), [1, 3, 3, C])).shape).toEqual([1, 1, 1, C]);
  });

  it("a raw model.json or a Keras config say how to get artifacts (a path or URL is fetched)", async () => {
    const howTo = ["artifacts", "Running a model", "weightData", "URL or path"];
    await expect(loadLayersModel("no/such/dir/model.json")).rejects.toThrow(
      /^loadLayersModel: reading file:.*no\/such\/dir\/model\.json failed/,
    );
    const base = oneLayer("Conv2D");
    const modelJson = {
      format: "layers-model",
      modelTopology: base.modelTopology,
      weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights: base.weightSpecs }],
    };
    expectError(
      caught(() => loadLayersModel(modelJson as never)),
      TypeError,
      "loadLayersModel",
      [...howTo, "weightsManifest", "paths"],
      "model.json",
    );
    for (const [label, keras] of [
      ["model config", base.modelTopology],
      ["Keras model JSON", { keras_version: "2.15.0", model_config: base.modelTopology }],
    ] as const) {
      expectError(
        caught(() => loadLayersModel(keras as never)),
        TypeError,
        "loadLayersModel",
        [...howTo, "modelTopology"],
        label,
      );
    }
  });
});
