// Graph-model files from strangers: loadGraphModel on hand-written hostile GraphDef JSON.
// Names are own-property lookups (Object.prototype names as node names, ops and attrs), a
// polluted Object.prototype changes nothing, load time is linear in the number of nodes (deep
// chains, wide fan-ins, files in reverse order), nothing recurses, sizes are refused before
// anything is allocated, and malformed attributes and shapes get messages naming the node.

import { beforeAll, describe, expect, it } from "vitest";
import { init, loadGraphModel, type ModelArtifacts } from "../src/index.js";
import { attr, convAttrs, GraphBuilder } from "./graph-model-builder.js";
import { caught, randomTensor, rng } from "./helpers.js";

const PROTO_NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), "__proto__"])];
const SAME = convAttrs(1, "SAME");

beforeAll(() => init());

function expectRefusal(fn: () => unknown, kind: typeof TypeError | typeof RangeError, pattern: RegExp): void {
  const e = caught(fn);
  expect(e, String(pattern)).toBeInstanceOf(kind);
  expect(e.message).toMatch(/^loadGraphModel: /);
  expect(e.message).toMatch(pattern);
}

describe("names are own properties", () => {
  it("nodes named after every Object.prototype name load and run", () => {
    const g = new GraphBuilder(1);
    let y = g.input([-1, 3, 3, 2], "in");
    for (const name of PROTO_NAMES) y = g.op("Relu", [y], {}, name);
    const model = loadGraphModel(g.artifacts());
    expect(model.outputNames).toEqual([PROTO_NAMES[PROTO_NAMES.length - 1]]);
    const x = randomTensor(rng(1), [1, 3, 3, 2]);
    expect(model.predict(x).data).toEqual(x.data.map((v) => Math.max(v, 0)));
  });

  it("every Object.prototype name as an op is refused as an unknown op", () => {
    for (const op of PROTO_NAMES) {
      const g = new GraphBuilder(1);
      g.op(op, [g.input([-1, 2, 2, 1])], {}, "n");
      expectRefusal(() => loadGraphModel(g.artifacts()), RangeError, /node 'n': op \(.*\) is not supported/);
    }
  });

  it("a polluted Object.prototype (attr, input, strides, padding, fused_ops) changes nothing", () => {
    const g = new GraphBuilder(2);
    const x = g.input([-1, 5, 5, 2]);
    g.op("Conv2D", [x, g.const([3, 3, 2, 3])], { padding: attr.string("VALID") });
    const artifacts = g.artifacts();
    const input = randomTensor(rng(2), [1, 5, 5, 2]);
    const want = loadGraphModel(artifacts).predict(input);
    const keys = ["attr", "input", "strides", "padding", "fused_ops", "dilations", "explicit_paddings"];
    try {
      for (const key of keys) (Object.prototype as Record<string, unknown>)[key] = attr.ints([1, 2, 2, 1]);
      const model = loadGraphModel(artifacts);
      expect(model.predict(input)).toEqual(want);
      expect(want.shape).toEqual([1, 3, 3, 3]);
    } finally {
      for (const key of keys) delete (Object.prototype as Record<string, unknown>)[key];
    }
  });
});

describe("load time is linear and nothing recurses", () => {
  it("a chain of 20,000 nodes in reverse file order loads and runs", () => {
    const g = new GraphBuilder(3);
    let y = g.input([-1, 2, 2, 2]);
    for (let i = 0; i < 20_000; i++) y = g.op(i % 2 ? "Relu" : "Identity", [y], {}, `n${i}`);
    const artifacts = g.artifacts();
    (artifacts.modelTopology as { node: unknown[] }).node.reverse();
    const start = performance.now();
    const model = loadGraphModel(artifacts);
    expect(performance.now() - start).toBeLessThan(5000);
    expect(model.predict(randomTensor(rng(3), [1, 2, 2, 2])).shape).toEqual([1, 2, 2, 2]);
  });

  it("a ConcatV2 of 4,000 inputs and an AddV2 fan-out of 4,000 branches", () => {
    const g = new GraphBuilder(4);
    const x = g.input([-1, 2, 2, 1]);
    const branches = Array.from({ length: 4000 }, (_, i) => g.op("Relu", [x], {}, `b${i}`));
    const joined = g.op("ConcatV2", [...branches, g.intConst([], [3])], {}, "joined");
    let sum = g.op("Relu", [joined]);
    for (let i = 0; i < 4000; i++) sum = g.op("AddV2", [sum, g.op("Relu", [joined])]);
    const start = performance.now();
    const model = loadGraphModel(g.artifacts());
    expect(performance.now() - start).toBeLessThan(10_000);
    expect(model.predict(randomTensor(rng(4), [1, 2, 2, 1])).shape).toEqual([1, 2, 2, 4000]);
  });
});

describe("sizes are refused before anything is allocated", () => {
  it("an input or a resize too large for 4 GiB is refused in milliseconds", () => {
    for (const edit of [
      (g: GraphBuilder) => g.op("Relu", [g.input([-1, 100_000, 100_000, 3])]),
      (g: GraphBuilder) => g.op("ResizeBilinear", [g.input([-1, 4, 4, 3]), g.intConst([2], [100_000, 100_000])]),
      (g: GraphBuilder) =>
        g.op("Pad", [g.input([-1, 4, 4, 3]), g.intConst([4, 2], [0, 0, 60_000, 0, 60_000, 0, 0, 0])]),
    ]) {
      const g = new GraphBuilder(5);
      edit(g);
      const start = performance.now();
      expectRefusal(() => loadGraphModel(g.artifacts()), RangeError, /4 GiB/);
      expect(performance.now() - start).toBeLessThan(1000);
    }
  });

  it("a weight whose shape disagrees with the bytes, or with its use, is refused by name", () => {
    const g = new GraphBuilder(6);
    const x = g.input([-1, 4, 4, 2]);
    g.op("Conv2D", [x, g.const([3, 3, 5, 2])], SAME, "conv");
    expectRefusal(
      () => loadGraphModel(g.artifacts()),
      RangeError,
      /'conv' \(Conv2D\): input has 2 channels but the kernel expects 5/,
    );
    const short = g.artifacts();
    short.weightData = (short.weightData as ArrayBuffer).slice(0, 16);
    expectRefusal(() => loadGraphModel(short), RangeError, /artifacts\.weightData \(16 bytes\) ends before weight/);
    const flat = new GraphBuilder(6);
    flat.op("Conv2D", [flat.input([-1, 4, 4, 2]), flat.const([18])], SAME, "conv");
    expectRefusal(
      () => loadGraphModel(flat.artifacts()),
      RangeError,
      /filter shape \[18\] must be \[kH, kW, inChannels, outChannels\]/,
    );
  });

  it("shapes that disagree between two inputs are refused naming the node", () => {
    const cases: [(g: GraphBuilder, x: string) => void, RegExp][] = [
      [
        (g, x) =>
          g.op("AddV2", [
            x,
            g.op("MaxPool", [x], {
              ksize: attr.ints([1, 2, 2, 1]),
              strides: attr.ints([1, 2, 2, 1]),
              padding: attr.string("VALID"),
            }),
          ]),
        /inputs have different shapes/,
      ],
      [(g, x) => g.op("Mul", [x, g.op("Conv2D", [x, g.const([1, 1, 2, 3])], SAME)]), /cannot multiply/],
      [
        (g, x) =>
          g.op("ConcatV2", [
            x,
            g.op("AvgPool", [x], {
              ksize: attr.ints([1, 2, 2, 1]),
              strides: attr.ints([1, 2, 2, 1]),
              padding: attr.string("VALID"),
            }),
            g.intConst([], [3]),
          ]),
        /differ in more than the joined axis/,
      ],
      [(g, x) => g.op("Squeeze", [x], { squeeze_dims: attr.ints([1]) }), /cannot squeeze axis 1/],
      [(g, x) => g.op("Reshape", [x, g.intConst([2], [-1, 7])]), /cannot reshape/],
    ];
    for (const [edit, pattern] of cases) {
      const g = new GraphBuilder(7);
      edit(g, g.input([-1, 4, 4, 2]));
      expectRefusal(() => loadGraphModel(g.artifacts()), RangeError, pattern);
    }
  });
});

describe("malformed files get messages naming the node and field", () => {
  const topologyOf = (nodes: unknown): ModelArtifacts => ({
    modelTopology: { node: nodes } as object,
    weightSpecs: [],
    weightData: new ArrayBuffer(0),
  });
  it("nodes that are not objects, names that are not strings, inputs that are not lists, duplicates", () => {
    const cases: [unknown, typeof TypeError | typeof RangeError, RegExp][] = [
      [[1], TypeError, /modelTopology\.node\[0\] \(1\) must be an object/],
      [[{ name: 7, op: "Relu" }], TypeError, /node\[0\]\.name \(7\) must be a non-empty string/],
      [
        [{ name: "a", op: "Relu", input: "x" }],
        TypeError,
        /node\[0\]\.input \("x"\) of 'a' must be a list of node names/,
      ],
      [[{ name: "a", op: 3 }], TypeError, /node\[0\]\.op \(3\) of 'a' must be a string/],
      [[{ name: "a", op: "Relu", attr: 5 }], TypeError, /node\[0\]\.attr \(5\) of 'a' must be an object/],
      [[{ name: "a".repeat(2000), op: "Relu" }], RangeError, /name is 2000 characters long/],
      [
        [
          { name: "a", op: "Placeholder" },
          { name: "a", op: "Relu" },
        ],
        RangeError,
        /two nodes are named 'a'/,
      ],
      [null, TypeError, /modelTopology\.node \(null\) must be the graph's list of nodes/],
    ];
    for (const [nodes, kind, pattern] of cases) expectRefusal(() => loadGraphModel(topologyOf(nodes)), kind, pattern);
  });

  it("attribute values of the wrong type are refused naming the node and the attribute", () => {
    const cases: [Record<string, unknown>, typeof TypeError | typeof RangeError, RegExp][] = [
      [{ strides: { list: { i: ["x", "1", "1", "1"] } } }, TypeError, /attr strides: "x" is not an integer/],
      [{ strides: { list: { i: "1111" } } }, TypeError, /attr strides\.list\.i \("1111"\) must be an array/],
      [{ padding: { s: 5 } }, TypeError, /attr padding \(5\) must be a base64 string/],
      [{ padding: { s: "!!!" } }, TypeError, /attr padding \("!!!"\) is not base64/],
      [{ padding: 3 }, TypeError, /attr padding \(3\) must be an object/],
      [{ padding: { s: btoa("FULL") } }, RangeError, /padding \("FULL"\) must be "SAME", "VALID" or "EXPLICIT"/],
    ];
    for (const [attrs, kind, pattern] of cases) {
      const g = new GraphBuilder(8);
      g.op("Conv2D", [g.input([-1, 4, 4, 2]), g.const([1, 1, 2, 2])], { ...SAME, ...attrs } as never, "c");
      expectRefusal(() => loadGraphModel(g.artifacts()), kind, pattern);
    }
  });

  it("a Placeholder without a usable shape is refused", () => {
    const g = new GraphBuilder(9);
    g.nodes.push({ name: "in", op: "Placeholder", attr: { shape: { shape: { dim: [{ size: "x" }] } } } });
    g.op("Relu", ["in"]);
    expectRefusal(
      () => loadGraphModel(g.artifacts()),
      TypeError,
      /node 'in' \(Placeholder\): attr shape: dimension .* is not a size/,
    );
    const h = new GraphBuilder(9);
    h.nodes.push({ name: "in", op: "Placeholder", attr: {} });
    h.op("Relu", ["in"]);
    expectRefusal(
      () => loadGraphModel(h.artifacts()),
      RangeError,
      /node 'in' \(Placeholder\): input shape undefined must be \[batch, \.\.\.\] with known rank/,
    );
  });
});
