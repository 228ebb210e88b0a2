// loadGraphModel against TensorFlow.js's own graph executor (tfjs-converter on the CPU
// backend) running the same file: one graph per op or op pattern the converter emits, on every
// build, and the real MobileNetV2 graph model nsfwjs ships.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfc from "@tensorflow/tfjs-converter";
import { beforeAll, describe, expect, it } from "vitest";
import { nsfwjsArtifacts } from "../bench/nsfwjs-model.mjs";
import { init, loadGraphModel, type ModelArtifacts, type Tensor } from "../src/index.js";
import { attr, convAttrs, fused, GraphBuilder } from "./graph-model-builder.js";
import { ALL_BACKENDS, caught, randomTensor, rng } from "./helpers.js";
import { expectNear } from "./model-helpers.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

async function tfGraphPredict(artifacts: ModelArtifacts, x: Tensor): Promise<Tensor> {
  const model = await tfc.loadGraphModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
  const y = tf.tidy(() => model.predict(tf.tensor(x.data, x.shape)) as tf.Tensor);
  const out = { data: (await y.data()) as Float32Array, shape: y.shape };
  y.dispose();
  model.dispose();
  return out;
}

interface Case {
  name: string;
  input: number[];
  build(g: GraphBuilder, x: string): string;
  /** The op kinds describe() must list besides passes (fusion happened), in order, when given. */
  kinds?: string[];
  /** Every op kind describe() must list, passes included. */
  allKinds?: string[];
}

const SAME = convAttrs(1, "SAME");

const CASES: Case[] = [
  {
    name: "_FusedConv2D BiasAdd+Relu6, stride 2 SAME (a stem)",
    input: [2, 9, 10, 3],
    build: (g, x) =>
      g.op("_FusedConv2D", [x, g.const([3, 3, 3, 8]), g.const([8])], {
        ...convAttrs(2, "SAME"),
        ...fused(["BiasAdd", "Relu6"]),
      }),
    kinds: ["conv"],
  },
  {
    name: "Conv2D then BiasAdd then Relu as separate nodes, dilation 2 VALID (folded into one conv)",
    input: [1, 11, 9, 4],
    build: (g, x) => {
      const conv = g.op("Conv2D", [x, g.const([3, 3, 4, 5])], convAttrs(1, "VALID", 2));
      const biased = g.op("BiasAdd", [conv, g.const([5])], { data_format: attr.string("NHWC") });
      return g.op("Relu", [biased]);
    },
    kinds: ["conv"],
  },
  {
    name: "Conv2D EXPLICIT padding",
    input: [1, 7, 8, 2],
    build: (g, x) =>
      g.op("Conv2D", [x, g.const([3, 2, 2, 4])], {
        ...convAttrs(2, "EXPLICIT"),
        explicit_paddings: attr.ints([0, 0, 2, 1, 0, 3, 0, 0]),
      }),
  },
  {
    name: "FusedDepthwiseConv2dNative 5x5 multiplier 2 -> _FusedConv2D 1x1 (a separable chain)",
    input: [1, 12, 11, 6],
    build: (g, x) => {
      const dw = g.op("FusedDepthwiseConv2dNative", [x, g.const([5, 5, 6, 2]), g.const([12])], {
        ...convAttrs(1, "SAME"),
        ...fused(["BiasAdd", "Relu6"]),
      });
      return g.op("_FusedConv2D", [dw, g.const([1, 1, 12, 7]), g.const([7])], { ...SAME, ...fused(["BiasAdd"]) });
    },
    kinds: ["chain"],
  },
  {
    name: "an inverted residual: expand 1x1, depthwise 3x3, project 1x1, AddV2 (one fused chain)",
    input: [1, 10, 10, 8],
    build: (g, x) => {
      const e = g.op("_FusedConv2D", [x, g.const([1, 1, 8, 24]), g.const([24])], {
        ...SAME,
        ...fused(["BiasAdd", "Relu6"]),
      });
      const d = g.op("FusedDepthwiseConv2dNative", [e, g.const([3, 3, 24, 1]), g.const([24])], {
        ...SAME,
        ...fused(["BiasAdd", "Relu6"]),
      });
      const p = g.op("_FusedConv2D", [d, g.const([1, 1, 24, 8]), g.const([8])], { ...SAME, ...fused(["BiasAdd"]) });
      return g.op("AddV2", [p, x]);
    },
    kinds: ["chain"],
  },
  {
    name: "a residual Add followed by Relu (the chain applies it after the add), depthwise multiplier 1 block",
    input: [2, 9, 8, 6],
    build: (g, x) => {
      const d = g.op("FusedDepthwiseConv2dNative", [x, g.const([3, 3, 6, 1]), g.const([6])], {
        ...SAME,
        ...fused(["BiasAdd", "Relu"]),
      });
      const p = g.op("Conv2D", [d, g.const([1, 1, 6, 6], undefined, [-1, 1])], SAME);
      return g.op("Relu", [g.op("AddV2", [p, x])]);
    },
    allKinds: ["chain"],
  },
  {
    name: "input normalisation: Mul by a scalar, Sub a per-channel mean, RealDiv by a per-channel std",
    input: [1, 6, 5, 3],
    build: (g, x) => {
      const scaled = g.op("Mul", [x, g.const([], [1 / 127.5])]);
      const centred = g.op("Sub", [scaled, g.const([3], [0.5, 0.25, -0.5])]);
      const normed = g.op("RealDiv", [centred, g.const([1, 1, 1, 3], [0.229, 0.224, 0.225])]);
      return g.op("Conv2D", [normed, g.const([3, 3, 3, 4])], SAME);
    },
    // The three affines compose into one pass (not into the conv: its zero padding comes after them).
    allKinds: ["pass", "conv"],
  },
  {
    name: "constant first: Sub(c, x), Add(c, x), Mul(c, x)",
    input: [1, 4, 4, 5],
    build: (g, x) => {
      const a = g.op("Sub", [g.const([5]), x]);
      const b = g.op("Add", [g.const([1]), a]);
      return g.op("Mul", [g.const([5]), b]);
    },
    allKinds: ["pass"],
  },
  {
    name: "hard-swish as tf.keras writes it, (x * relu6(x + 3)) * (1/6), fused into the conv before it",
    input: [1, 6, 6, 4],
    build: (g, x) => {
      const conv = g.op("Conv2D", [x, g.const([1, 1, 4, 8], undefined, [-2, 2])], SAME);
      const r = g.op("Relu6", [g.op("AddV2", [conv, g.const([], [3])])]);
      return g.op("Mul", [g.op("Mul", [conv, r]), g.const([], [1 / 6])]);
    },
    allKinds: ["conv"],
  },
  {
    name: "hard-swish as MobileNetV3 writes it, x * (relu6(x + 3) * (1/6)), gate first, fused into a chain",
    input: [1, 7, 6, 8],
    build: (g, x) => {
      const dw = g.op("DepthwiseConv2dNative", [x, g.const([3, 3, 8, 1], undefined, [-1, 1])], SAME);
      const gate = g.op("Mul", [g.op("Relu6", [g.op("AddV2", [dw, g.const([1], [3])])]), g.const([], [0.16666667])]);
      const hs = g.op("Mul", [gate, dw]);
      return g.op("Conv2D", [hs, g.const([1, 1, 8, 5])], SAME);
    },
    allKinds: ["chain"],
  },
  {
    name: "a relu6(x + 3) * x whose x + 3 is read twice stays as passes (the pattern must own its inside)",
    input: [1, 5, 5, 4],
    build: (g, x) => {
      const plus3 = g.op("AddV2", [x, g.const([], [3])]);
      const r = g.op("Relu6", [plus3]);
      const hs = g.op("Mul", [g.op("Mul", [x, r]), g.const([], [1 / 6])]);
      return g.op("AddV2", [hs, plus3]);
    },
    allKinds: ["pass", "pass", "pass", "pass", "pass"],
  },
  {
    name: "squeeze-excite: Mean keep_dims, two 1x1 convs, Sigmoid, Mul by the gate",
    input: [2, 7, 6, 8],
    build: (g, x) => {
      const mean = g.op("Mean", [x, g.intConst([2], [1, 2])], { keep_dims: attr.bool(true) });
      const squeeze = g.op("_FusedConv2D", [mean, g.const([1, 1, 8, 4]), g.const([4])], {
        ...SAME,
        ...fused(["BiasAdd", "Relu"]),
      });
      // The excite conv's bias makes the gate differ per channel even where relu zeroes the squeeze.
      const excite = g.op("_FusedConv2D", [squeeze, g.const([1, 1, 4, 8]), g.const([8], undefined, [-2, 2])], {
        ...SAME,
        ...fused(["BiasAdd"]),
      });
      const gate = g.op("Sigmoid", [excite]);
      return g.op("Mul", [gate, x]);
    },
  },
  {
    name: "MaxPool 3x3 stride 2 SAME, AvgPool 2x2 VALID",
    input: [1, 11, 10, 5],
    build: (g, x) => {
      const pool = (k: number, s: number, padding: string) => ({
        ksize: attr.ints([1, k, k, 1]),
        strides: attr.ints([1, s, s, 1]),
        padding: attr.string(padding),
        data_format: attr.string("NHWC"),
      });
      const max = g.op("MaxPool", [x], pool(3, 2, "SAME"));
      return g.op("AvgPool", [max], pool(2, 1, "VALID"));
    },
  },
  {
    name: "Pad before a VALID conv (folded into its padding) and before a MaxPool (a pass)",
    input: [1, 6, 7, 3],
    build: (g, x) => {
      const padded = g.op("Pad", [x, g.intConst([4, 2], [0, 0, 1, 2, 2, 1, 0, 0])], {
        Tpaddings: { type: "DT_INT32" },
      });
      const conv = g.op("Conv2D", [padded, g.const([3, 3, 3, 4])], convAttrs(2, "VALID"));
      const padded2 = g.op("PadV2", [conv, g.intConst([4, 2], [0, 0, 1, 1, 0, 1, 0, 0]), g.const([], [0])]);
      return g.op("MaxPool", [padded2], {
        ksize: attr.ints([1, 2, 2, 1]),
        strides: attr.ints([1, 2, 2, 1]),
        padding: attr.string("VALID"),
      });
    },
  },
  {
    name: "ConcatV2 of three branches on axis 3 and on axis -1",
    input: [1, 5, 6, 4],
    build: (g, x) => {
      const a = g.op("Conv2D", [x, g.const([1, 1, 4, 3])], SAME);
      const b = g.op("Conv2D", [x, g.const([3, 3, 4, 5])], SAME);
      const c = g.op("Relu", [x]);
      const joined = g.op("ConcatV2", [a, b, c, g.intConst([], [3])], { N: attr.int(3) });
      return g.op("ConcatV2", [joined, a, g.intConst([], [-1])], { N: attr.int(2) });
    },
  },
  {
    name: "a classifier head: Mean, Reshape [-1, C], MatMul transpose_b, _FusedMatMul BiasAdd+Relu, Softmax",
    input: [2, 4, 3, 6],
    build: (g, x) => {
      const mean = g.op("Mean", [x, g.intConst([2], [1, 2])], { keep_dims: attr.bool(true) });
      const flat = g.op("Reshape", [mean, g.intConst([2], [-1, 6])]);
      const hidden = g.op("_FusedMatMul", [flat, g.const([6, 9]), g.const([9])], {
        transpose_a: attr.bool(false),
        transpose_b: attr.bool(false),
        ...fused(["BiasAdd", "Relu"]),
      });
      const logits = g.op("MatMul", [hidden, g.const([4, 9])], {
        transpose_a: attr.bool(false),
        transpose_b: attr.bool(true),
      });
      return g.op("Softmax", [logits]);
    },
  },
  {
    name: "Squeeze [1, 2] after AvgPool to 1x1, then MatMul",
    input: [1, 4, 4, 3],
    build: (g, x) => {
      const pool = g.op("AvgPool", [x], {
        ksize: attr.ints([1, 4, 4, 1]),
        strides: attr.ints([1, 1, 1, 1]),
        padding: attr.string("VALID"),
      });
      const squeezed = g.op("Squeeze", [pool], { squeeze_dims: attr.ints([1, 2]) });
      return g.op("MatMul", [squeezed, g.const([3, 2])]);
    },
  },
  ...[
    [false, false],
    [true, false],
    [false, true],
  ].flatMap(([alignCorners, halfPixelCenters]) =>
    ["ResizeBilinear", "ResizeNearestNeighbor"].map(
      (op): Case => ({
        name: `${op} up and down, align_corners ${alignCorners}, half_pixel_centers ${halfPixelCenters}`,
        input: [1, 5, 7, 3],
        build: (g, x) => {
          const attrs = { align_corners: attr.bool(alignCorners), half_pixel_centers: attr.bool(halfPixelCenters) };
          const up = g.op(op, [x, g.intConst([2], [11, 13])], attrs);
          return g.op(op, [up, g.intConst([2], [4, 6])], attrs);
        },
      }),
    ),
  ),
  {
    name: "Sigmoid, Tanh, Elu, LeakyRelu alone and LeakyRelu fused into a conv",
    input: [1, 5, 5, 4],
    build: (g, x) => {
      const conv = g.op("_FusedConv2D", [x, g.const([3, 3, 4, 4], undefined, [-1, 1]), g.const([4])], {
        ...SAME,
        ...fused(["BiasAdd", "LeakyRelu"], { leakyrelu_alpha: attr.float(0.15) }),
      });
      const a = g.op("Elu", [g.op("Tanh", [g.op("Sigmoid", [conv])])]);
      const b = g.op("LeakyRelu", [g.op("Sub", [a, g.const([], [0.7])])], { alpha: attr.float(0.1) });
      return g.op("Elu", [g.op("Mul", [b, g.const([], [3])])]);
    },
  },
  {
    name: "Identity nodes, a control input and ':0' references",
    input: [1, 4, 5, 2],
    build: (g, x) => {
      const id = g.op("Identity", [x]);
      const conv = g.op("Conv2D", [`${id}:0`, g.const([1, 1, 2, 3]), `^${id}`], SAME);
      return g.op("Identity", [g.op("Identity", [conv])]);
    },
  },
  {
    name: "Mean over height and width without keep_dims, then AddV2 of two heads",
    input: [2, 6, 5, 4],
    build: (g, x) => {
      const m = g.op("Mean", [x, g.intConst([2], [1, 2])], { keep_dims: attr.bool(false) });
      const head = g.op("MatMul", [m, g.const([4, 4])]);
      return g.op("AddV2", [m, head]);
    },
  },
];

describe("graph ops against tfjs-converter's executor, every build", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const g = new GraphBuilder(c.name.length);
      c.build(g, g.input([-1, ...c.input.slice(1)]));
      const artifacts = g.artifacts();
      const x = randomTensor(rng(c.input.length * 7 + c.name.length), c.input);
      const want = await tfGraphPredict(artifacts, x);
      for (const backend of ALL_BACKENDS) {
        await init({ backend });
        const model = loadGraphModel(artifacts);
        expectNear(model.predict(x), want, 1e-5, `${backend}: ${c.name}`);
        const kinds = model.describe().map((d) => d.kind);
        if (c.kinds) expect(kinds.filter((k) => k !== "pass")).toEqual(c.kinds);
        if (c.allKinds) expect(kinds).toEqual(c.allKinds);
        model.dispose();
      }
    });
  }
});

describe("a graph with several outputs", () => {
  it("predictAll returns them in file order as tfjs's executor does; predict refuses", async () => {
    const g = new GraphBuilder(9);
    const x = g.input([-1, 6, 5, 3]);
    const stem = g.op("_FusedConv2D", [x, g.const([3, 3, 3, 4]), g.const([4])], {
      ...SAME,
      ...fused(["BiasAdd", "Relu"]),
    });
    g.op("Sigmoid", [g.op("Conv2D", [stem, g.const([1, 1, 4, 2])], SAME)], {}, "scores");
    g.op("Reshape", [stem, g.intConst([2], [-1, 120])], {}, "features");
    g.op("Identity", [stem], {}, "stem_out");
    const artifacts = g.artifacts();
    const input = randomTensor(rng(2), [2, 6, 5, 3]);
    const tfModel = await tfc.loadGraphModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    const want = (tfModel.predict(tf.tensor(input.data, input.shape)) as tf.Tensor[]).map((t) => ({
      data: t.dataSync() as Float32Array,
      shape: t.shape,
    }));
    expect(tfModel.outputs.map((o) => o.name)).toEqual(["scores", "features", "stem_out"]);
    for (const backend of ALL_BACKENDS) {
      await init({ backend });
      const model = loadGraphModel(artifacts);
      expect(model.outputNames).toEqual(["scores", "features", "stem_out"]);
      const got = model.predictAll(input);
      for (const [i, w] of want.entries()) expectNear(got[i], w, 1e-5, `${backend} output ${i}`);
      const outs = want.map((w) => ({ data: new Float32Array(w.data.length), shape: w.shape.slice() }));
      expect(model.predictAll(input, outs)).toBe(outs);
      expect(outs.map((o) => o.data)).toEqual(got.map((o) => o.data));
      expect(() => model.predict(input)).toThrow(
        /^predict: the model has 3 outputs \('scores', 'features', 'stem_out'\); predictAll\(x\) returns them all/,
      );
      expect(() => model.predictAll(input, outs.slice(1))).toThrow(/predictAll: outs .* must be an array of 3 tensors/);
      const swapped = [outs[0], { data: outs[1].data, shape: [120, 2] }, outs[2]];
      expect(() => model.predictAll(input, swapped)).toThrow(
        /^predictAll: outs\[1\]\.shape \(\[120, 2\]\) must equal the output shape \[2, 120\]/,
      );
      model.dispose();
    }
  });
});

describe("FusedBatchNorm folded into a _FusedConv2D (tfjs cannot run the fused form)", () => {
  it("equals the conv followed by FusedBatchNormV3", async () => {
    const bn = (g: GraphBuilder) => [g.const([6]), g.const([6]), g.const([6]), g.const([6], undefined, [0.5, 1.5])];
    const fusedGraph = new GraphBuilder(5);
    const x = fusedGraph.input([-1, 6, 6, 3]);
    fusedGraph.op("_FusedConv2D", [x, fusedGraph.const([3, 3, 3, 6]), ...bn(fusedGraph)], {
      ...SAME,
      ...fused(["FusedBatchNorm", "Relu"], { epsilon: attr.float(0.001) }),
    });
    const plain = new GraphBuilder(5);
    const y = plain.input([-1, 6, 6, 3]);
    const conv = plain.op("Conv2D", [y, plain.const([3, 3, 3, 6])], SAME);
    const norm = plain.op("FusedBatchNormV3", [conv, ...bn(plain)], {
      epsilon: attr.float(0.001),
      is_training: attr.bool(false),
    });
    plain.op("Relu", [norm]);
    const input = randomTensor(rng(3), [1, 6, 6, 3]);
    const want = await tfGraphPredict(plain.artifacts(), input);
    await init();
    const model = loadGraphModel(fusedGraph.artifacts());
    expectNear(model.predict(input), want, 1e-5, "fused batch norm");
    expect(model.describe().map((d) => d.kind)).toEqual(["conv"]);
  });
});

describe("a file loadGraphModel cannot run is refused by name", () => {
  beforeAll(() => init());
  const graph = (edit: (g: GraphBuilder, x: string) => void) => {
    const g = new GraphBuilder();
    edit(g, g.input([-1, 4, 4, 2]));
    return g.artifacts();
  };
  it("an unknown op names the node and the op", () => {
    const a = graph((g, x) => g.op("Cumsum", [x, g.intConst([], [1])], {}, "my/cumsum"));
    const e = caught(() => loadGraphModel(a));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(
      /^loadGraphModel: node 'my\/cumsum': op \("Cumsum"\) is not supported \(supported: Placeholder, Const/,
    );
  });
  it("a second input, no output, a second output index, a missing weight, a cycle, a missing input", () => {
    const cases: [ModelArtifacts, RegExp][] = [
      [
        graph((g, x) => g.op("AddV2", [x, g.input([-1, 4, 4, 2], "second")])),
        /the graph has 2 inputs \('(input|second)', '(input|second)'\)/,
      ],
      [graph((g) => g.const([2])), /the graph has no output \(every node is a constant or the input\)/],
      [graph((g, x) => g.op("Relu", [`${x}:1`])), /reads output 1 of 'input'; only first outputs are supported/],
      [graph((g, x) => g.op("Relu", [x], {}, "r")), /./],
    ];
    for (const [artifacts, message] of cases.slice(0, 3)) expect(() => loadGraphModel(artifacts)).toThrow(message);
    const noWeight = cases[3][0];
    (noWeight.modelTopology as { node: object[] }).node.push({ name: "w", op: "Const" });
    (noWeight.modelTopology as { node: { name: string; input?: string[] }[] }).node[1].input = ["input", "w"];
    expect(() => loadGraphModel(noWeight)).toThrow(/node 'w' \(Const\): has no values/);
    const cycle = graph((g, x) => g.op("AddV2", [x, "b"], {}, "a") && g.op("Relu", ["a"], {}, "b"));
    expect(() => loadGraphModel(cycle)).toThrow(/node '(a|b)' \((AddV2|Relu)\) is on a cycle/);
    const missing = graph((g, x) => g.op("AddV2", [x, "nowhere"]));
    expect(() => loadGraphModel(missing)).toThrow(/reads 'nowhere', which no node is named/);
  });
  it("unsupported attributes name the node, the attribute and its value", () => {
    const cases: [(g: GraphBuilder, x: string) => void, RegExp][] = [
      [
        (g, x) => g.op("Conv2D", [x, g.const([1, 1, 2, 2])], { ...SAME, data_format: attr.string("NCHW") }),
        /data_format \("NCHW"\) is not supported/,
      ],
      [
        (g, x) => g.op("Conv2D", [x, g.const([1, 1, 2, 2])], { ...SAME, strides: attr.ints([2, 1, 1, 1]) }),
        /strides \[2, 1, 1, 1\] must be \[1, h, w, 1\]/,
      ],
      [
        (g, x) =>
          g.op("_FusedConv2D", [x, g.const([1, 1, 2, 2]), g.const([2])], {
            ...SAME,
            ...fused(["BiasAdd", "Softplus"]),
          }),
        /fused op "Softplus" is not supported/,
      ],
      [(g, x) => g.op("Mean", [x, g.intConst([1], [3])]), /axes \[3\] are not supported; expected \[1, 2\]/],
      [(g, x) => g.op("ConcatV2", [x, x, g.intConst([], [1])]), /axis \(1\) is not supported/],
      [(g, x) => g.op("Pad", [x, g.intConst([4, 2], [0, 0, 0, 0, 0, 0, 1, 1])]), /must pad only height and width/],
      [(g, x) => g.op("Sub", [x, g.op("Relu", [x])]), /of two computed tensors is not supported/],
      [(g, x) => g.op("RealDiv", [g.const([2]), x]), /with a constant dividend is not supported/],
      [(g, x) => g.op("Mul", [x, g.const([4, 4, 2])]), /constant operand of shape \[4, 4, 2\] is not supported/],
      [(g, x) => g.op("Reshape", [x, g.intConst([2], [4, -1])]), /shape \[4, -1\] is not supported/],
      [(g, x) => g.op("Conv2D", [x, g.op("Relu", [x])], SAME), /input 1 \('Relu_\d+', filter\) must be a constant/],
    ];
    for (const [edit, message] of cases) {
      const e = caught(() => loadGraphModel(graph(edit)));
      expect(e, String(message)).toBeInstanceOf(RangeError);
      expect(e.message).toMatch(/^loadGraphModel: node '/);
      expect(e.message).toMatch(message);
    }
  });
  it("a layers model or a model.json is told what to do", () => {
    expect(() =>
      loadGraphModel({ modelTopology: { model_config: {} }, weightSpecs: [], weightData: new ArrayBuffer(0) }),
    ).toThrow(/this is a layers model: load it with loadLayersModel/);
    expect(() =>
      loadGraphModel({ modelTopology: { node: [] }, weightsManifest: [] } as unknown as ModelArtifacts),
    ).toThrow(/^loadGraphModel: artifacts is a model.json/);
  });
});

describe("the MobileNetV2 graph model nsfwjs ships (tfjs-converter 1.7, uint8 weights)", () => {
  const artifacts = nsfwjsArtifacts("mobilenet_v2_mid");
  const random = rng(11);
  const images = [0, 1].map(() => {
    const t = randomTensor(random, [1, 224, 224, 3], 1);
    for (let i = 0; i < t.data.length; i++) t.data[i] = (t.data[i] + 1) / 2;
    return t;
  });
  const want: Tensor[] = [];
  beforeAll(async () => {
    for (const x of images) want.push(await tfGraphPredict(artifacts, x));
  }, 60_000);
  it("the two images get different classes or scores (the comparison is not one case)", () => {
    expect(want[0].data).not.toEqual(want[1].data);
  });
  for (const backend of ALL_BACKENDS) {
    it(`${backend}: probabilities within 1e-5, the same top class, 17 fused chains`, async () => {
      await init({ backend });
      const model = loadGraphModel(artifacts);
      expect(model.inputShape).toEqual([null, 224, 224, 3]);
      expect(model.describe().filter((d) => d.kind === "chain")).toHaveLength(17);
      images.forEach((x, i) => {
        const y = model.predict(x);
        expect(y.shape).toEqual([1, 5]);
        const top = (t: Tensor) => t.data.indexOf(Math.max(...t.data));
        expect(top(y)).toBe(top(want[i]));
        for (let k = 0; k < 5; k++) expect(Math.abs(y.data[k] - want[i].data[k])).toBeLessThanOrEqual(1e-5);
      });
      model.dispose();
    }, 60_000);
  }
});
