// One Keras layer -> one graph node: options validated, weights taken by name, batch norm
// reduced to a per-channel scale and shift. Nothing is folded here (see fold.ts).

import { show } from "../shapes.js";
import { LayerConfig } from "./config.js";
import { batchNormAffine } from "./convert-common.js";
import type { Act, Graph, Node } from "./graph.js";
import type { Topology } from "./topology.js";
import { type Weight, WeightIndex } from "./weights.js";

/** Keras layer class -> its node (a Map: a class_name like "toString" must find nothing). */
const CONVERTERS = new Map<string, (c: LayerConfig) => Node>([
  ["InputLayer", (c) => ({ ...base(c), op: "input" })],
  ["Conv2D", conv2d],
  ["DepthwiseConv2D", depthwiseConv2d],
  ["SeparableConv2D", separableConv2d],
  ["Dense", dense],
  ["BatchNormalization", batchNormalization],
  ["ReLU", relu],
  ["Activation", (c) => ({ ...base(c), op: "activation", act: c.activation() })],
  ["Add", (c) => ({ ...base(c), op: "add" })],
  ["ZeroPadding2D", zeroPadding2d],
  ["AveragePooling2D", (c) => pooling(c, "avg")],
  ["MaxPooling2D", (c) => pooling(c, "max")],
  ["GlobalAveragePooling2D", globalAveragePooling2d],
  ["Dropout", (c) => ({ ...base(c), op: "identity" })],
  [
    "Flatten",
    (c) => {
      c.channelsLast();
      return { ...base(c), op: "reshape", target: [-1] };
    },
  ],
  ["Reshape", reshape],
  ["Concatenate", concatenate],
  ["Multiply", (c) => ({ ...base(c), op: "mul" })],
  ["UpSampling2D", upSampling2d],
]);

export function toGraph(topology: Topology, weights: Map<string, Weight>): Graph {
  const index = new WeightIndex(weights);
  const nodes = topology.layers.map((layer) => {
    const convert = CONVERTERS.get(layer.className);
    if (!convert) {
      throw new RangeError(
        `loadLayersModel: layer '${layer.name}': class_name (${show(layer.className)}) is not supported ` +
          `(supported: ${[...CONVERTERS.keys()].join(", ")})`,
      );
    }
    const config = new LayerConfig(layer, index);
    const node = convert(config);
    node.params = config.params;
    return node;
  });
  const outputs = topology.outputs;
  return { nodes, outputs: outputs.slice(), outputNames: outputs.slice(), inputShape: topology.inputShape.slice(1) };
}

function base(c: LayerConfig) {
  return { name: c.layer.name, className: c.layer.className, inputs: c.layer.inputs, params: 0 };
}

function bias(c: LayerConfig, channels: number): Float32Array | undefined {
  return c.boolean("use_bias", true) ? c.weight("bias", [channels]) : undefined;
}

function noGroups(c: LayerConfig): void {
  const groups = c.raw("groups") ?? 1;
  if (groups !== 1) throw c.unsupported("groups", groups, "1");
}

function conv2d(c: LayerConfig): Node {
  c.channelsLast();
  noGroups(c);
  const window = c.window("kernel_size", "ones", true);
  const outChannels = c.positiveInteger("filters");
  const inChannels = c.weightShape("kernel", ["kernel height", "kernel width", "input channels", "filters"])[2];
  const filter = c.weight("kernel", [window.kH, window.kW, inChannels, outChannels]);
  return {
    ...base(c),
    op: "conv",
    window,
    filter,
    inChannels,
    outChannels,
    bias: bias(c, outChannels),
    act: c.activation(),
  };
}

function depthwiseConv2d(c: LayerConfig): Node {
  c.channelsLast();
  const window = c.window("kernel_size", "ones", true);
  const [, , channels, multiplier] = depthwiseShape(c);
  const filter = c.weight("depthwise_kernel", [window.kH, window.kW, channels, multiplier]);
  return {
    ...base(c),
    op: "depthwise",
    window,
    filter,
    channels,
    multiplier,
    bias: bias(c, channels * multiplier),
    act: c.activation(),
  };
}

/**
 * The depthwise kernel's shape [kH, kW, channels, multiplier]. The multiplier is read from the
 * weight: tfjs-layers leaves depth_multiplier out of a SeparableConv2D's saved config.
 */
function depthwiseShape(c: LayerConfig): number[] {
  const shape = c.weightShape("depthwise_kernel", ["kernel height", "kernel width", "channels", "multiplier"]);
  const declared = c.raw("depth_multiplier");
  if (declared !== undefined && declared !== null && declared !== shape[3]) {
    throw c.invalid("depth_multiplier", declared, `the depthwise kernel's last dimension (${shape[3]})`);
  }
  return shape;
}

function separableConv2d(c: LayerConfig): Node {
  c.channelsLast();
  const window = c.window("kernel_size", "ones", true);
  const outChannels = c.positiveInteger("filters");
  const [, , channels, multiplier] = depthwiseShape(c);
  const depthwiseFilter = c.weight("depthwise_kernel", [window.kH, window.kW, channels, multiplier]);
  const pointwiseFilter = c.weight("pointwise_kernel", [1, 1, channels * multiplier, outChannels]);
  return {
    ...base(c),
    op: "separable",
    window,
    depthwiseFilter,
    channels,
    multiplier,
    pointwiseFilter,
    outChannels,
    bias: bias(c, outChannels),
    act: c.activation(),
  };
}

function dense(c: LayerConfig): Node {
  const units = c.positiveInteger("units");
  const inUnits = c.weightShape("kernel", ["input units", "units"])[0];
  const kernel = c.weight("kernel", [inUnits, units]);
  return { ...base(c), op: "dense", kernel, inUnits, units, bias: bias(c, units), act: c.activation() };
}

/** Inference batch norm as y = x * scale + shift, in double precision (folded later). */
function batchNormalization(c: LayerConfig): Node {
  const axis = c.raw("axis") ?? -1;
  const last = axis === -1 || (Array.isArray(axis) && axis.length === 1 && axis[0] === -1);
  if (!last && axis !== 3) throw c.unsupported("axis", axis, "-1 or 3 (the channels of NHWC)");
  const epsilon = c.number("epsilon", 1e-3);
  const channels = c.weightShape("moving_mean", ["channels"])[0];
  const gamma = c.boolean("scale", true) ? c.weight("gamma", [channels]) : undefined;
  const beta = c.boolean("center", true) ? c.weight("beta", [channels]) : undefined;
  const mean = c.weight("moving_mean", [channels]);
  const variance = c.weight("moving_variance", [channels]);
  const { scale, shift } = batchNormAffine(gamma, beta, mean, variance, epsilon);
  return { ...base(c), op: "affine", scale, shift };
}

/** Keras ReLU: plain relu and relu6 run in the kernels; other settings as a pass. */
function relu(c: LayerConfig): Node {
  const maxValue = c.raw("max_value") ?? null;
  if (maxValue !== null && (typeof maxValue !== "number" || !(maxValue >= 0))) {
    throw c.invalid("max_value", maxValue, "a number >= 0 or null");
  }
  const negativeSlope = c.number("negative_slope", 0);
  const threshold = c.number("threshold", 0);
  if (negativeSlope < 0) throw c.invalid("negative_slope", negativeSlope, "a number >= 0");
  let act: Act;
  if (negativeSlope === 0 && threshold === 0 && (maxValue === null || maxValue === 6)) {
    act = maxValue === null ? "relu" : "relu6";
  } else {
    act = { kind: "keras-relu", maxValue: maxValue ?? Infinity, negativeSlope, threshold };
  }
  return { ...base(c), op: "activation", act };
}

function zeroPadding2d(c: LayerConfig): Node {
  c.channelsLast();
  const p = c.raw("padding") ?? 1;
  const ok = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  let pads: [number, number, number, number] | undefined;
  if (ok(p)) {
    const n = p as number;
    pads = [n, n, n, n];
  } else if (Array.isArray(p) && p.length === 2 && p.every(ok)) {
    pads = [p[0], p[0], p[1], p[1]];
  } else if (Array.isArray(p) && p.length === 2 && p.every((q) => Array.isArray(q) && q.length === 2 && q.every(ok))) {
    pads = [p[0][0], p[0][1], p[1][0], p[1][1]];
  }
  if (!pads) throw c.invalid("padding", p, "n, [h, w] or [[top, bottom], [left, right]] of non-negative integers");
  return { ...base(c), op: "pad", pads };
}

function pooling(c: LayerConfig, kind: "avg" | "max"): Node {
  c.channelsLast();
  return { ...base(c), op: "pool", kind, window: c.window("pool_size", "size", false) };
}

function globalAveragePooling2d(c: LayerConfig): Node {
  c.channelsLast();
  return { ...base(c), op: "global-avg-pool", keepDims: c.boolean("keepdims", false) };
}

function reshape(c: LayerConfig): Node {
  const target = c.raw("target_shape");
  const ok = (v: unknown) => v === -1 || v === null || (Number.isInteger(v) && (v as number) > 0);
  if (!Array.isArray(target) || target.length === 0 || !target.every(ok)) {
    throw c.invalid("target_shape", target, "a list of positive integers (one may be -1)");
  }
  const dims = target.map((d) => (d === null ? -1 : d));
  if (dims.filter((d) => d === -1).length > 1)
    throw c.invalid("target_shape", target, `at most one -1 (${show(target)})`);
  return { ...base(c), op: "reshape", target: dims };
}

function concatenate(c: LayerConfig): Node {
  const axis = c.raw("axis") ?? -1;
  if (axis !== -1 && axis !== 3) throw c.unsupported("axis", axis, "-1 or 3 (the channels of NHWC)");
  return { ...base(c), op: "concat" };
}

function upSampling2d(c: LayerConfig): Node {
  c.channelsLast();
  const [height, width] = c.pair("size", [2, 2]);
  const interpolation = c.raw("interpolation") ?? "nearest";
  if (interpolation !== "nearest" && interpolation !== "bilinear") {
    throw c.unsupported("interpolation", interpolation, "'nearest' or 'bilinear'");
  }
  const method = interpolation;
  return {
    ...base(c),
    op: "resize",
    method,
    height,
    width,
    byFactor: true,
    alignCorners: false,
    halfPixelCenters: false,
  };
}
