// The cost model: parameters, multiply-adds and bytes moved, from shapes alone.
// Bytes count float32 reads of input and weights plus writes of the output; for the separable
// block, `unfusedBytes` adds the intermediate written and read back by a two-pass schedule.

import { checkShape, type Geometry, geometry, rangeError, typeError, windowOptions } from "./shapes.js";
import type { ConvOptions, SeparableOptions } from "./types.js";

export interface OpCost {
  /** Weights, plus biases when options.bias is given. */
  params: number;
  /** Multiply-adds. */
  macs: number;
  /** Bytes read and written by a single pass. */
  bytes: number;
}

export interface SeparableCost extends OpCost {
  depthwise: OpCost;
  pointwise: OpCost;
  /** Bytes when the depthwise output is written to memory and read back (not fused). */
  unfusedBytes: number;
}

/** Options of the cost functions: as the ops', but a bias may be given as `true`. */
export type CostOptions = Omit<ConvOptions, "bias"> & { bias?: boolean | Float32Array };
export type SeparableCostOptions = Omit<SeparableOptions, "bias" | "depthwiseBias"> & {
  bias?: boolean | Float32Array;
  depthwiseBias?: boolean | Float32Array;
};

function window(op: string, inputShape: number[], kH: number, kW: number, options: CostOptions = {}): Geometry {
  const { bias: _bias, ...rest } = options;
  return geometry(op, inputShape[1], inputShape[2], kH, kW, windowOptions(op, rest));
}

/** A pointwise filter shape, [Cin, Cout] or [1, 1, Cin, Cout], checked; returns [Cin, Cout]. */
function pointwiseShape(op: string, arg: string, shape: unknown): [number, number] {
  if (Array.isArray(shape) && (shape.length === 2 || shape.length === 4)) {
    checkShape(op, arg, shape, shape.length);
    if (shape.length === 2 || (shape[0] === 1 && shape[1] === 1))
      return [shape[shape.length - 2], shape[shape.length - 1]];
  }
  if (!Array.isArray(shape)) checkShape(op, arg, shape, 2); // throws the TypeError
  throw rangeError(op, arg, shape, "be [Cin, Cout] or [1, 1, Cin, Cout]");
}

function positiveInteger(op: string, arg: string, value: unknown): void {
  if (typeof value !== "number") throw typeError(op, arg, value, "a positive integer");
  if (!Number.isInteger(value) || value < 1) throw rangeError(op, arg, value, "be a positive integer");
}

function opCost(inputShape: number[], weights: number, bias: number, macs: number, outputs: number): OpCost {
  const inputs = inputShape[0] * inputShape[1] * inputShape[2] * inputShape[3];
  return { params: weights + bias, macs, bytes: 4 * (inputs + weights + bias + outputs) };
}

/** Depthwise: filter [kH, kW, C, M]. */
export function depthwiseConv2d(inputShape: number[], filterShape: number[], options: CostOptions = {}): OpCost {
  const op = "cost.depthwiseConv2d";
  checkShape(op, "inputShape", inputShape, 4);
  checkShape(op, "filterShape", filterShape, 4);
  return depthwiseCost("cost.depthwiseConv2d", inputShape, filterShape, options);
}

/** Errors name `op`: the public function the caller called. */
function depthwiseCost(op: string, inputShape: number[], filterShape: number[], options: CostOptions): OpCost {
  const [kH, kW, c, m] = filterShape;
  const g = window(op, inputShape, kH, kW, options);
  const outputs = inputShape[0] * g.outH * g.outW * c * m;
  return opCost(inputShape, kH * kW * c * m, options.bias ? c * m : 0, outputs * kH * kW, outputs);
}

/** Standard conv: filter [kH, kW, Cin, Cout]. */
export function conv2d(inputShape: number[], filterShape: number[], options: CostOptions = {}): OpCost {
  checkShape("cost.conv2d", "inputShape", inputShape, 4);
  checkShape("cost.conv2d", "filterShape", filterShape, 4);
  return convCost("cost.conv2d", inputShape, filterShape, options);
}

function convCost(op: string, inputShape: number[], filterShape: number[], options: CostOptions): OpCost {
  const [kH, kW, cin, cout] = filterShape;
  const g = window(op, inputShape, kH, kW, options);
  const outputs = inputShape[0] * g.outH * g.outW * cout;
  return opCost(inputShape, kH * kW * cin * cout, options.bias ? cout : 0, outputs * kH * kW * cin, outputs);
}

/** Pointwise: filter [Cin, Cout] or [1, 1, Cin, Cout]. */
export function pointwiseConv2d(inputShape: number[], filterShape: number[], options: CostOptions = {}): OpCost {
  const op = "cost.pointwiseConv2d";
  checkShape(op, "inputShape", inputShape, 4);
  const [cin, cout] = pointwiseShape(op, "filterShape", filterShape);
  return convCost(op, inputShape, [1, 1, cin, cout], options);
}

/** Depthwise [kH, kW, C, M] then pointwise [C*M, Cout], fused. */
export function separableConv2d(
  inputShape: number[],
  depthwiseFilterShape: number[],
  pointwiseFilterShape: number[],
  options: SeparableCostOptions = {},
): SeparableCost {
  const op = "cost.separableConv2d";
  checkShape(op, "inputShape", inputShape, 4);
  checkShape(op, "depthwiseFilterShape", depthwiseFilterShape, 4);
  pointwiseShape(op, "pointwiseFilterShape", pointwiseFilterShape);
  return separableCost("cost.separableConv2d", inputShape, depthwiseFilterShape, pointwiseFilterShape, options);
}

function separableCost(
  op: string,
  inputShape: number[],
  depthwiseFilterShape: number[],
  pointwiseFilterShape: number[],
  options: SeparableCostOptions,
): SeparableCost {
  const { bias, depthwiseBias, depthwiseActivation: _a, ...rest } = options;
  const depthwise = depthwiseCost(op, inputShape, depthwiseFilterShape, { ...rest, bias: depthwiseBias });
  const [kH, kW, c, m] = depthwiseFilterShape;
  const g = window(op, inputShape, kH, kW, rest);
  const midShape = [inputShape[0], g.outH, g.outW, c * m];
  const [cin, cout] = pointwiseFilterShape.slice(-2);
  const pointwise = convCost(op, midShape, [1, 1, cin, cout], { bias, activation: rest.activation });
  const intermediate = 4 * midShape[0] * midShape[1] * midShape[2] * midShape[3];
  const bytes = depthwise.bytes + pointwise.bytes - 2 * intermediate;
  return {
    params: depthwise.params + pointwise.params,
    macs: depthwise.macs + pointwise.macs,
    bytes,
    depthwise,
    pointwise,
    unfusedBytes: bytes + 2 * intermediate,
  };
}

export interface SeparableComparison {
  standard: OpCost;
  separable: SeparableCost;
  /** standard / separable. */
  paramRatio: number;
  macRatio: number;
}

/** A k x k standard conv to `outChannels` against the depthwise (M = 1) + pointwise block. */
export function compareSeparable(
  inputShape: number[],
  kernelSize: number,
  outChannels: number,
  options: CostOptions = {},
): SeparableComparison {
  const op = "cost.compareSeparable";
  checkShape(op, "inputShape", inputShape, 4);
  positiveInteger(op, "kernelSize", kernelSize);
  positiveInteger(op, "outChannels", outChannels);
  const c = inputShape[3];
  const standard = convCost(op, inputShape, [kernelSize, kernelSize, c, outChannels], options);
  const { bias, ...rest } = options;
  const separable = separableCost(op, inputShape, [kernelSize, kernelSize, c, 1], [c, outChannels], { ...rest, bias });
  return {
    standard,
    separable,
    paramRatio: standard.params / separable.params,
    macRatio: standard.macs / separable.macs,
  };
}

/**
 * The estimates as one object: `import { cost } from "sepconv"`. An object literal rather than
 * `export * as cost`: a bundler drops an unused literal, where the namespace esbuild writes for
 * `export * as` is a call it must keep, with every function it names.
 */
export const cost = { depthwiseConv2d, pointwiseConv2d, conv2d, separableConv2d, compareSeparable };
