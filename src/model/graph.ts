// The model as sepconv runs it: one node per Keras layer (then fewer, once batch norms,
// paddings and activations are folded into the convolutions), tensors named by their node.

import type { Activation } from "../types.js";

/**
 * An activation: the kernels apply 'linear', 'relu', 'relu6' and 'hardswish' as they store;
 * the others run as a pass over the tensor. `keras-relu` is Keras's ReLU layer in full:
 * x >= maxValue ? maxValue : x >= threshold ? x : negativeSlope * (x - threshold).
 */
export type Act =
  | Activation
  | "sigmoid"
  | "softmax"
  | "tanh"
  | "elu"
  | "swish"
  | "hard-sigmoid"
  | { kind: "keras-relu"; maxValue: number; negativeSlope: number; threshold: number };

export function isKernelActivation(act: Act): act is Activation {
  return act === "linear" || act === "relu" || act === "relu6" || act === "hardswish";
}

/** The activation of a layer the kernels run (fold.ts splits the others off). */
export function kernelActivation(act: Act): Activation {
  if (!isKernelActivation(act)) throw new Error(`sepconv: internal error: ${JSON.stringify(act)} reached a kernel`);
  return act;
}

/**
 * Padding before the window rule: `pads` zeros [top, bottom, left, right] (from a folded
 * ZeroPadding2D), then TensorFlow's 'same' or 'valid' rule on the padded size.
 */
export interface PadRule {
  pads: [number, number, number, number];
  mode: "same" | "valid";
}

export interface Window {
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  pad: PadRule;
}

interface Base {
  /** The Keras layer this node came from (for errors, costs and plans). */
  name: string;
  className: string;
  inputs: string[];
  /** Weights of the Keras layer, counted as Keras counts them (batch norm statistics included). */
  params: number;
}

export interface ConvNode extends Base {
  op: "conv";
  window: Window;
  /** [kH, kW, inChannels, outChannels]. */
  filter: Float32Array;
  inChannels: number;
  outChannels: number;
  bias: Float32Array | undefined;
  act: Act;
}

export interface DepthwiseNode extends Base {
  op: "depthwise";
  window: Window;
  /** [kH, kW, channels, multiplier]; output channel c * multiplier + m. */
  filter: Float32Array;
  channels: number;
  multiplier: number;
  bias: Float32Array | undefined;
  act: Act;
}

export interface SeparableNode extends Base {
  op: "separable";
  window: Window;
  /** [kH, kW, channels, multiplier]. */
  depthwiseFilter: Float32Array;
  channels: number;
  multiplier: number;
  /** [channels * multiplier, outChannels]. */
  pointwiseFilter: Float32Array;
  outChannels: number;
  bias: Float32Array | undefined;
  act: Act;
}

export interface DenseNode extends Base {
  op: "dense";
  /** [inUnits, units]. */
  kernel: Float32Array;
  inUnits: number;
  units: number;
  bias: Float32Array | undefined;
  act: Act;
}

/** y = x * scale + shift per channel (a batch norm that could not be folded). */
export interface AffineNode extends Base {
  op: "affine";
  scale: Float64Array;
  shift: Float64Array;
}

export interface ActivationNode extends Base {
  op: "activation";
  act: Act;
}

export interface PadNode extends Base {
  op: "pad";
  pads: [number, number, number, number];
  /** Zero channels added [before, after] (TFLite's PAD widening a residual, as BlazeFace does). */
  channelPads?: [number, number];
}

export interface PoolNode extends Base {
  op: "pool";
  kind: "avg" | "max";
  window: Window;
}

export interface GlobalPoolNode extends Base {
  op: "global-avg-pool";
  keepDims: boolean;
}

export interface ReshapeNode extends Base {
  op: "reshape";
  /** Target dimensions after the batch; one may be -1. */
  target: number[];
  /** Instead of a target: the axes after the batch (0-based) of size 1 to drop (TF's Squeeze). */
  squeeze?: number[];
}

/** Inputs joined along one axis (counted after the batch; the last by default); the others agree. */
export interface ConcatNode extends Base {
  op: "concat";
  axis?: number;
}

/**
 * A transposed convolution (TFLite's TRANSPOSE_CONV, MediaPipe's Convolution2DTransposeBias):
 * output pixel (iy * stride + ky - padTop, ...) receives x(iy, ix) * w(ky, kx).
 */
export interface ConvTransposeNode extends Base {
  op: "conv-transpose";
  /** [outChannels, kH, kW, inChannels], TFLite's layout. */
  filter: Float32Array;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  inChannels: number;
  outChannels: number;
  /** TensorFlow's rule: 'same' gives in * stride, 'valid' (in - 1) * stride + k. */
  padding: "same" | "valid";
  bias: Float32Array | undefined;
}

/**
 * The elementwise product of two tensors; a [1, 1, C] or [C] input is broadcast over the
 * pixels of the other (a squeeze-excite gate).
 */
export interface MulNode extends Base {
  op: "mul";
}

/** TensorFlow's ResizeBilinear / ResizeNearestNeighbor to a fixed size (Keras's UpSampling2D). */
export interface ResizeNode extends Base {
  op: "resize";
  method: "bilinear" | "nearest";
  /** The output size, or with `byFactor` what the input's height and width are multiplied by. */
  height: number;
  width: number;
  byFactor: boolean;
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

export interface SimpleNode extends Base {
  op: "input" | "add" | "identity";
}

export type Node =
  | ConvNode
  | DepthwiseNode
  | SeparableNode
  | DenseNode
  | AffineNode
  | ActivationNode
  | PadNode
  | PoolNode
  | GlobalPoolNode
  | ReshapeNode
  | ConcatNode
  | MulNode
  | ResizeNode
  | ConvTransposeNode
  | SimpleNode;

export interface Graph {
  /** Dependency order; nodes[0] is the input. */
  nodes: Node[];
  /** The tensors predict returns, in order (one may appear twice, or be the input). */
  outputs: string[];
  /** What the file calls each output (an Identity or a folded layer leaves another tensor). */
  outputNames: string[];
  /** Input dimensions after the batch (null: any size). */
  inputShape: (number | null)[];
}
