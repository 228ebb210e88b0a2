// TensorFlow graph nodes (a tfjs-converter graph model) -> sepconv's graph: each TF op becomes
// the node the layers path would make for the same computation, so folding, fusion into
// chains and the arena plan treat both formats alike. Constants (Const nodes, their weights)
// are consumed by the ops that read them: a conv's filter and fused bias, a per-channel
// Add/Sub/Mul/RealDiv becomes an affine node (folded into the conv before it, if any), a Pad's
// paddings become a pad node. Ops are converted in dependency order; unknown ops are refused
// by name.

import { show } from "../shapes.js";
import { batchNormAffine, constantAffine, padsOf } from "./convert-common.js";
import { scaleOutputs } from "./fold.js";
import type { Act, Graph, Node, PadRule, Window } from "./graph.js";
import { readGraphDef, type TfNode } from "./graph-def.js";
import type { Weight } from "./weights.js";

const OP = "loadGraphModel";

/** A constant or a tensor computed by a node of the converted graph. */
type Value = { kind: "const"; weight: Weight } | { kind: "tensor"; name: string };

function fail(node: TfNode, message: string): never {
  throw new RangeError(`${OP}: node '${node.name}' (${node.op}): ${message}`);
}

/** TF activation ops (alone or fused) as sepconv activations. */
function activationOf(node: TfNode, op: string): Act {
  switch (op) {
    case "Relu":
      return "relu";
    case "Relu6":
      return "relu6";
    case "Sigmoid":
      return "sigmoid";
    case "Tanh":
      return "tanh";
    case "Elu":
      return "elu";
    case "LeakyRelu": {
      const key = node.op === "LeakyRelu" ? "alpha" : "leakyrelu_alpha";
      const negativeSlope = node.attr.float(key, 0.2);
      return { kind: "keras-relu", maxValue: Infinity, negativeSlope, threshold: 0 };
    }
    default:
      return fail(
        node,
        `fused op ${show(op)} is not supported (supported: BiasAdd, FusedBatchNorm, Relu, Relu6, Sigmoid, Tanh, Elu, LeakyRelu)`,
      );
  }
}

class Converter {
  private readonly values = new Map<string, Value>();
  readonly nodes: Node[] = [];
  inputShape: (number | null)[] | undefined;
  inputName: string | undefined;

  constructor(private readonly weights: Map<string, Weight>) {}

  tensor(node: TfNode, index: number): string {
    const name = node.inputs[index];
    const v = this.values.get(name);
    if (v === undefined) fail(node, `input ${index} ('${name}') is missing`);
    if (v.kind !== "tensor") fail(node, `input ${index} ('${name}') is a constant where a computed tensor is expected`);
    return v.name;
  }

  constant(node: TfNode, index: number, what: string): Weight {
    const name = node.inputs[index];
    if (name === undefined) fail(node, `has no input ${index} (${what})`);
    const v = this.values.get(name);
    if (v?.kind !== "const") fail(node, `input ${index} ('${name}', ${what}) must be a constant`);
    return v.weight;
  }

  isConst(node: TfNode, index: number): boolean {
    return this.values.get(node.inputs[index])?.kind === "const";
  }

  value(name: string): Value | undefined {
    return this.values.get(name);
  }

  /** Adds the node made for `node`, named as it is; `made` holds its op, inputs and fields. */
  emit(node: TfNode, made: { op: Node["op"]; inputs: string[] } & Partial<Record<string, unknown>>, params = 0): void {
    this.nodes.push({ name: node.name, className: node.op, params, ...made } as unknown as Node);
    this.values.set(node.name, { kind: "tensor", name: node.name });
  }

  /** Adds a node made whole (a weighted one), named as its TF node. */
  add(made: Node): void {
    this.nodes.push(made);
    this.values.set(made.name, { kind: "tensor", name: made.name });
  }

  alias(node: TfNode, value: Value): void {
    this.values.set(node.name, value);
  }

  convert(node: TfNode): void {
    const convert = CONVERTERS.get(node.op);
    if (!convert) {
      throw new RangeError(
        `${OP}: node '${node.name}': op (${show(node.op)}) is not supported (supported: ${[...CONVERTERS.keys()].join(", ")})`,
      );
    }
    convert(this, node);
  }

  placeholder(node: TfNode): void {
    if (this.inputName !== undefined) {
      fail(
        node,
        `the graph has a second input ('${this.inputName}' is the first); models with several inputs are not supported`,
      );
    }
    const shape = node.attr.shape("shape");
    if (shape === undefined || shape.length < 2)
      fail(node, `input shape ${show(shape)} must be [batch, ...] with known rank`);
    this.inputShape = shape.slice(1).map((d) => (d < 0 ? null : d));
    this.inputName = node.name;
    this.emit(node, { op: "input", inputs: [] });
  }

  constNode(node: TfNode): void {
    const weight = this.weights.get(node.name);
    if (!weight) fail(node, "has no values: the weightsManifest has no weight of this name");
    this.alias(node, { kind: "const", weight });
  }
}

/** strides / dilations / ksize as [h, w] from an NHWC list of 4 (or 1 for all). */
function hw(node: TfNode, key: string): [number, number] {
  const list = node.attr.ints(key);
  if (list.length === 0) return [1, 1];
  if (list.length === 1) return [list[0], list[0]];
  if (list.length !== 4 || list[0] !== 1 || list[3] !== 1 || list[1] < 1 || list[2] < 1) {
    fail(node, `${key} ${show(list)} must be [1, h, w, 1] with positive h and w`);
  }
  return [list[1], list[2]];
}

function nhwc(node: TfNode): void {
  const format = node.attr.string("data_format", "NHWC");
  if (format !== "NHWC") fail(node, `data_format (${show(format)}) is not supported; expected "NHWC"`);
}

function padRule(node: TfNode): PadRule {
  const padding = node.attr.string("padding", "VALID");
  if (padding === "SAME") return { pads: [0, 0, 0, 0], mode: "same" };
  if (padding === "VALID") return { pads: [0, 0, 0, 0], mode: "valid" };
  if (padding === "EXPLICIT") {
    const p = node.attr.ints("explicit_paddings");
    if (p.length !== 8 || p[0] || p[1] || p[6] || p[7] || p.some((v) => v < 0)) {
      fail(node, `explicit_paddings ${show(p)} must pad only height and width, by non-negative amounts`);
    }
    return { pads: [p[2], p[3], p[4], p[5]], mode: "valid" };
  }
  return fail(node, `padding (${show(padding)}) must be "SAME", "VALID" or "EXPLICIT"`);
}

function windowOf(node: TfNode, kH: number, kW: number, dilated: boolean): Window {
  nhwc(node);
  const [strideH, strideW] = hw(node, "strides");
  const [dilationH, dilationW] = dilated ? hw(node, "dilations") : [1, 1];
  return { kH, kW, strideH, strideW, dilationH, dilationW, pad: padRule(node) };
}

function shapeIs(weight: Weight, rank: number): boolean {
  return weight.shape.length === rank && weight.shape.every((d) => d > 0);
}

/** A per-channel constant of `channels` values (a scalar is repeated), or undefined. */
function perChannel(weight: Weight, channels: number): Float32Array | undefined {
  const size = weight.data.length;
  const lastIsChannels = weight.shape.length > 0 && weight.shape[weight.shape.length - 1] === size;
  if (size === channels && lastIsChannels) return weight.data;
  if (size === 1) return new Float32Array(channels).fill(weight.data[0]);
  return undefined;
}

/**
 * The fused ops after a conv, depthwise or matmul (BiasAdd, FusedBatchNorm, an activation),
 * applied to the node made for it: bias set, a batch norm folded into its weights, the
 * activation set.
 */
function applyFused(
  c: Converter,
  node: TfNode,
  made: Extract<Node, { op: "conv" | "depthwise" | "dense" }>,
  channels: number,
): void {
  const fused = node.attr.strings("fused_ops");
  let arg = 2;
  const next = (what: string) => c.constant(node, arg++, what);
  for (const [i, op] of fused.entries()) {
    if (op === "BiasAdd" && i === 0) {
      const bias = perChannel(next("bias"), channels);
      if (!bias) fail(node, `its bias must have ${channels} values`);
      made.bias = bias;
    } else if ((op === "FusedBatchNorm" || op === "FusedBatchNormV3") && i === 0) {
      const [scale, offset, mean, variance] = ["scale", "offset", "mean", "variance"].map((what) => {
        const v = perChannel(next(what), channels);
        if (!v) fail(node, `its batch norm ${what} must have ${channels} values`);
        return v;
      });
      const epsilon = node.attr.float("epsilon", 1e-3);
      const { scale: s, shift } = batchNormAffine(scale, offset, mean, variance, epsilon);
      scaleOutputs(made, s, shift);
    } else if (i === fused.length - 1 && op !== "BiasAdd") {
      made.act = activationOf(node, op);
    } else {
      fail(node, `fused_ops ${show(fused)} are not supported (expected BiasAdd or FusedBatchNorm, then an activation)`);
    }
  }
  made.params = made.op === "dense" ? made.kernel.length : made.filter.length;
  if (made.bias) made.params += made.bias.length;
}

/**
 * Conv2D and DepthwiseConv2dNative (fused or not) read alike; only the filter's last two sizes
 * mean other things: inChannels and outChannels of a conv, channels and multiplier of a depthwise.
 */
function convolution(op: "conv" | "depthwise"): (c: Converter, node: TfNode) => void {
  const sizes = op === "conv" ? "inChannels, outChannels" : "channels, multiplier";
  return (c, node) => {
    const x = c.tensor(node, 0);
    const filter = c.constant(node, 1, "filter");
    if (!shapeIs(filter, 4)) fail(node, `filter shape ${show(filter.shape)} must be [kH, kW, ${sizes}]`);
    const [kH, kW, a, b] = filter.shape;
    const made = {
      name: node.name,
      className: node.op,
      inputs: [x],
      params: 0,
      op,
      window: windowOf(node, kH, kW, true),
      filter: filter.data,
      ...(op === "conv" ? { inChannels: a, outChannels: b } : { channels: a, multiplier: b }),
      bias: undefined,
      act: "linear",
    } as Extract<Node, { op: "conv" | "depthwise" }>;
    applyFused(c, node, made, op === "conv" ? b : a * b);
    c.add(made);
  };
}

const conv = convolution("conv");
const depthwise = convolution("depthwise");

function matMul(c: Converter, node: TfNode): void {
  if (node.attr.bool("transpose_a", false)) fail(node, "transpose_a is not supported");
  const x = c.tensor(node, 0);
  const b = c.constant(node, 1, "weights");
  if (!shapeIs(b, 2)) fail(node, `weights shape ${show(b.shape)} must be [inUnits, units]`);
  const transposed = node.attr.bool("transpose_b", false);
  const [inUnits, units] = transposed ? [b.shape[1], b.shape[0]] : b.shape;
  let kernel = b.data;
  if (transposed) {
    kernel = new Float32Array(inUnits * units);
    for (let u = 0; u < units; u++) for (let i = 0; i < inUnits; i++) kernel[i * units + u] = b.data[u * inUnits + i];
  }
  const made: Extract<Node, { op: "dense" }> = {
    name: node.name,
    className: node.op,
    inputs: [x],
    params: 0,
    op: "dense",
    kernel,
    inUnits,
    units,
    bias: undefined,
    act: "linear",
  };
  applyFused(c, node, made, units);
  c.add(made);
}

/**
 * Add/AddV2/BiasAdd/Sub/Mul/RealDiv: of two tensors an add or mul node; with a per-channel
 * constant (or a scalar) an affine node, y = x * scale + shift.
 */
function binary(c: Converter, node: TfNode): void {
  if (node.inputs.length !== 2) fail(node, `needs 2 inputs, got ${node.inputs.length}`);
  const op = node.op;
  const constA = c.isConst(node, 0);
  const constB = c.isConst(node, 1);
  if (!constA && !constB) {
    const inputs = [c.tensor(node, 0), c.tensor(node, 1)];
    const adds = op === "Add" || op === "AddV2" || op === "BiasAdd";
    if (!adds && op !== "Mul") fail(node, "of two computed tensors is not supported (only Add and Mul are)");
    c.emit(node, { op: adds ? "add" : "mul", inputs });
    return;
  }
  if (constA && constB) fail(node, "of two constants is not supported (the converter folds these)");
  const x = c.tensor(node, constA ? 1 : 0);
  const k = c.constant(node, constA ? 0 : 1, "operand");
  const kind =
    op === "Add" || op === "AddV2" || op === "BiasAdd" ? "add" : op === "Sub" ? "sub" : op === "Mul" ? "mul" : "div";
  const { scale, shift } = constantAffine(kind, constA, k, (message) => fail(node, message));
  const n = k.data.length;
  c.emit(node, { op: "affine", inputs: [x], scale, shift }, n);
}

function activation(c: Converter, node: TfNode): void {
  const act = node.op === "Softmax" ? "softmax" : activationOf(node, node.op);
  c.emit(node, { op: "activation", inputs: [c.tensor(node, 0)], act });
}

function pool(c: Converter, node: TfNode): void {
  const [kH, kW] = hw(node, "ksize");
  const window = windowOf(node, kH, kW, false);
  if (window.pad.mode === "valid" && window.pad.pads.some((p) => p > 0))
    fail(node, "explicit padding is not supported");
  c.emit(node, { op: "pool", inputs: [c.tensor(node, 0)], kind: node.op === "MaxPool" ? "max" : "avg", window });
}

function mean(c: Converter, node: TfNode): void {
  const axes = [...c.constant(node, 1, "axes").data].map((a) => (a < 0 ? a + 4 : a)).sort();
  if (axes.length !== 2 || axes[0] !== 1 || axes[1] !== 2) {
    fail(node, `axes ${show(axes)} are not supported; expected [1, 2] (a global average over height and width)`);
  }
  const keepDims = node.attr.bool("keep_dims", false);
  c.emit(node, { op: "global-avg-pool", inputs: [c.tensor(node, 0)], keepDims });
}

function pad(c: Converter, node: TfNode): void {
  const { pads } = padsOf(c.constant(node, 1, "paddings"), false, (message) => fail(node, message));
  if (node.op === "PadV2" && c.constant(node, 2, "constant value").data.some((x) => x !== 0)) {
    fail(node, "padding with a value other than 0 is not supported");
  }
  c.emit(node, { op: "pad", inputs: [c.tensor(node, 0)], pads });
}

function concat(c: Converter, node: TfNode): void {
  const last = node.inputs.length - 1;
  const axis = c.constant(node, last, "axis").data[0];
  if (axis !== 3 && axis !== -1) fail(node, `axis (${axis}) is not supported; expected 3 or -1 (the channels of NHWC)`);
  const inputs = node.inputs.slice(0, last).map((_, i) => c.tensor(node, i));
  if (inputs.length === 1) c.alias(node, { kind: "tensor", name: inputs[0] });
  else c.emit(node, { op: "concat", inputs });
}

function reshape(c: Converter, node: TfNode): void {
  const dims = [...c.constant(node, 1, "shape").data];
  if (dims.length === 0 || !(dims[0] === -1 || dims[0] === 1) || dims.slice(1).some((d) => !(d === -1 || d > 0))) {
    fail(node, `shape ${show(dims)} is not supported; expected [-1 or 1 (the batch), ...positive sizes or one -1]`);
  }
  const target = dims.slice(1);
  if (target.filter((d) => d === -1).length > 1) fail(node, `shape ${show(dims)} has more than one -1`);
  c.emit(node, { op: "reshape", inputs: [c.tensor(node, 0)], target: target.length ? target : [1] });
}

function squeeze(c: Converter, node: TfNode): void {
  const axes = node.attr.ints("squeeze_dims");
  if (axes.includes(0)) fail(node, "squeezing the batch axis is not supported");
  c.emit(node, { op: "reshape", inputs: [c.tensor(node, 0)], target: [], squeeze: axes });
}

function resize(c: Converter, node: TfNode): void {
  const size = c.constant(node, 1, "size").data;
  if (size.length !== 2 || !(Number.isInteger(size[0]) && size[0] > 0 && Number.isInteger(size[1]) && size[1] > 0)) {
    fail(node, `size ${show([...size])} must be [height, width], positive integers`);
  }
  c.emit(node, {
    op: "resize",
    inputs: [c.tensor(node, 0)],
    method: node.op === "ResizeBilinear" ? "bilinear" : "nearest",
    height: size[0],
    width: size[1],
    byFactor: false,
    alignCorners: node.attr.bool("align_corners", false),
    halfPixelCenters: node.attr.bool("half_pixel_centers", false),
  });
}

function batchNormNode(c: Converter, node: TfNode): void {
  const [gamma, beta, m, variance] = [1, 2, 3, 4].map((i) => c.constant(node, i, "batch norm statistics").data);
  const n = gamma.length;
  if (![beta, m, variance].every((v) => v.length === n))
    fail(node, "its scale, offset, mean and variance differ in size");
  const { scale, shift } = batchNormAffine(gamma, beta, m, variance, node.attr.float("epsilon", 1e-3));
  c.emit(node, { op: "affine", inputs: [c.tensor(node, 0)], scale, shift }, 4 * n);
}

function identity(c: Converter, node: TfNode): void {
  const value = node.inputs.length === 1 ? c.value(node.inputs[0]) : undefined;
  if (!value) fail(node, `needs 1 input, got ${node.inputs.length}`);
  c.alias(node, value);
}

const CONVERTERS = new Map<string, (c: Converter, node: TfNode) => void>([
  ["Placeholder", (c, n) => c.placeholder(n)],
  ["Const", (c, n) => c.constNode(n)],
  ["Identity", identity],
  ["StopGradient", identity],
  ["Snapshot", identity],
  ["Conv2D", conv],
  ["_FusedConv2D", conv],
  ["DepthwiseConv2dNative", depthwise],
  ["FusedDepthwiseConv2dNative", depthwise],
  ["MatMul", matMul],
  ["_FusedMatMul", matMul],
  ["BiasAdd", binary],
  ["Add", binary],
  ["AddV2", binary],
  ["Sub", binary],
  ["Mul", binary],
  ["RealDiv", binary],
  ["Relu", activation],
  ["Relu6", activation],
  ["Sigmoid", activation],
  ["Tanh", activation],
  ["Elu", activation],
  ["LeakyRelu", activation],
  ["Softmax", activation],
  ["AvgPool", pool],
  ["MaxPool", pool],
  ["Mean", mean],
  ["Pad", pad],
  ["PadV2", pad],
  ["ConcatV2", concat],
  ["Reshape", reshape],
  ["Squeeze", squeeze],
  ["ResizeBilinear", resize],
  ["ResizeNearestNeighbor", resize],
  ["FusedBatchNorm", batchNormNode],
  ["FusedBatchNormV3", batchNormNode],
]);

/** Node ops that end no branch of the computation (a graph's outputs are its other sinks). */
const NOT_OUTPUTS = new Set(["Const", "Placeholder", "NoOp"]);

/** The graph of a graph model's topology, over its decoded weights. */
export function graphFromTf(topology: object, weights: Map<string, Weight>): Graph {
  const tfNodes = readGraphDef(topology);
  const inputs = tfNodes.filter((n) => n.op === "Placeholder");
  if (inputs.length > 1) {
    throw new RangeError(
      `${OP}: the graph has ${inputs.length} inputs (${inputs.map((n) => `'${n.name}'`).join(", ")}); models with ` +
        "one input are supported",
    );
  }
  const c = new Converter(weights);
  const read = new Set<string>();
  for (const node of tfNodes) for (const input of node.inputs) read.add(input);
  for (const node of tfNodes) c.convert(node);
  if (c.inputName === undefined) throw new RangeError(`${OP}: the graph has no Placeholder (its input)`);
  // The outputs in file order, as tfjs-converter's executor lists them.
  const sinks = tfNodes.filter((n) => !read.has(n.name) && !NOT_OUTPUTS.has(n.op)).sort((x, y) => x.index - y.index);
  if (sinks.length === 0)
    throw new RangeError(`${OP}: the graph has no output (every node is a constant or the input)`);
  const outputs = sinks.map((sink) => {
    const out = c.value(sink.name);
    if (out?.kind !== "tensor") throw new RangeError(`${OP}: the graph's output '${sink.name}' is a constant`);
    return out.name;
  });
  const outputNames = sinks.map((sink) => sink.name);
  return { nodes: pruned(c.nodes, outputs), outputs, outputNames, inputShape: c.inputShape as (number | null)[] };
}

/** The nodes the outputs depend on (the input always), in their order. */
function pruned(nodes: Node[], outputs: string[]): Node[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const needed = new Set<string>([nodes[0].name]);
  const stack = outputs.slice();
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (needed.has(name) && name !== nodes[0].name) continue;
    needed.add(name);
    for (const input of (byName.get(name) as Node).inputs) if (!needed.has(input)) stack.push(input);
  }
  return nodes.filter((n) => needed.has(n.name));
}
