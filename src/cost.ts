// The cost model: parameters, multiply-adds and bytes moved, from shapes alone.
// Bytes count float32 reads of input and weights plus writes of the output; for the separable
// block, `unfusedBytes` adds the intermediate written and read back by a two-pass schedule.

import { type Geometry, geometry, windowOptions } from "./shapes.js";
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

function opCost(inputShape: number[], weights: number, bias: number, macs: number, outputs: number): OpCost {
  const inputs = inputShape[0] * inputShape[1] * inputShape[2] * inputShape[3];
  return { params: weights + bias, macs, bytes: 4 * (inputs + weights + bias + outputs) };
}

/** Depthwise: filter [kH, kW, C, M]. */
export function depthwiseConv2d(inputShape: number[], filterShape: number[], options: CostOptions = {}): OpCost {
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
  const [cin, cout] = filterShape.slice(-2);
  return convCost("cost.pointwiseConv2d", inputShape, [1, 1, cin, cout], options);
}

/** Depthwise [kH, kW, C, M] then pointwise [C*M, Cout], fused. */
export function separableConv2d(
  inputShape: number[],
  depthwiseFilterShape: number[],
  pointwiseFilterShape: number[],
  options: SeparableCostOptions = {},
): SeparableCost {
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
  const c = inputShape[3];
  const op = "cost.compareSeparable";
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
