// Model files from strangers: loadLayersModel on hand-written model JSON. Load time is linear
// in the number of layers, the arena planner places tensors as the plain greedy rule does, and
// malformed input gets messages that say what is wrong.

import { beforeAll, describe, expect, it } from "vitest";
import { cost, depthwiseConv2d, init, loadLayersModel, type ModelArtifacts, type Tensor } from "../src/index.js";
import { assignOffsets, type Lifetime } from "../src/model/arena.js";
import { randomInt, randomTensor, rng } from "./helpers.js";

type Json = Record<string, unknown>;
type ErrorClass = typeof TypeError | typeof RangeError;

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

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  return expect.fail("expected a throw, but the call returned");
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
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 3);
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

describe("messages", () => {
  beforeAll(() => init({ backend: "simd" }));

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
});
