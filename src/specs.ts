// What each op is asked to do, validated once: the filter's dimensions and the window
// options (filters and biases are copied, so a prepared layer is a snapshot). Shared by the wasm ops and the plain-JS reference, so both throw the same errors.

import { channelMismatchHint, type FilterLayout, pointwiseFilterHint, separableDepthwiseHint } from "./layout-hints.js";
import {
  checkBiasLength,
  checkBufferSize,
  checkPointwiseFilter,
  checkTensor,
  copyOfData,
  type Geometry,
  geometry,
  rangeError,
  separableOptions,
  type WindowOptions,
  windowOptions,
} from "./shapes.js";
import type { ConvOptions, SeparableOptions, Tensor } from "./types.js";

export interface DepthwiseSpec {
  op: string;
  /** [kH, kW, C, M] flattened. */
  filter: Float32Array;
  kH: number;
  kW: number;
  channels: number;
  multiplier: number;
  window: WindowOptions;
  /** The filter as the caller gave it, for hints at a channel mismatch (none in models). */
  layout?: FilterLayout;
}

export interface ConvSpec {
  op: string;
  /** [kH, kW, Cin, Cout] flattened. */
  filter: Float32Array;
  kH: number;
  kW: number;
  inChannels: number;
  outChannels: number;
  window: WindowOptions;
  /** The filter as the caller gave it, for hints at a channel mismatch (none in models). */
  layout?: FilterLayout;
}

export interface SeparableSpec {
  op: string;
  depthwise: DepthwiseSpec;
  pointwise: ConvSpec;
}

export function depthwiseSpec(op: string, filter: Tensor, options?: ConvOptions): DepthwiseSpec {
  checkTensor(op, "filter", filter, 4);
  const window = windowOptions(op, options);
  const [kH, kW, channels, multiplier] = filter.shape;
  checkBiasLength(op, "options.bias", window.bias, channels * multiplier);
  const kept = copyOfData(op, "filter", filter, kH * kW * channels * multiplier);
  const layout = layoutOf("filter", filter, "depthwise");
  return { op, filter: kept, kH, kW, channels, multiplier, window, layout };
}

export function convSpec(op: string, filter: Tensor, options?: ConvOptions): ConvSpec {
  checkTensor(op, "filter", filter, 4);
  const window = windowOptions(op, options);
  const [kH, kW, inChannels, outChannels] = filter.shape;
  checkBiasLength(op, "options.bias", window.bias, outChannels);
  const kept = copyOfData(op, "filter", filter, kH * kW * inChannels * outChannels);
  const layout = layoutOf("filter", filter, "conv");
  return { op, filter: kept, kH, kW, inChannels, outChannels, window, layout };
}

export function pointwiseSpec(op: string, filter: Tensor, options?: ConvOptions): ConvSpec {
  const [inChannels, outChannels] = checkPointwiseFilter(op, "filter", filter, pointwiseFilterHint);
  const window = windowOptions(op, options);
  checkBiasLength(op, "options.bias", window.bias, outChannels);
  const kept = copyOfData(op, "filter", filter, inChannels * outChannels);
  const layout = layoutOf("filter", filter, "pointwise");
  return { op, filter: kept, kH: 1, kW: 1, inChannels, outChannels, window, layout };
}

export function separableSpec(
  op: string,
  depthwiseFilter: Tensor,
  pointwiseFilter: Tensor,
  options?: SeparableOptions,
): SeparableSpec {
  checkTensor(op, "depthwiseFilter", depthwiseFilter, 4);
  const all = separableOptions(op, options);
  const [kH, kW, channels, multiplier] = depthwiseFilter.shape;
  const [inChannels, outChannels] = checkPointwiseFilter(op, "pointwiseFilter", pointwiseFilter, pointwiseFilterHint);
  const depth = channels * multiplier;
  if (inChannels !== depth) {
    const hint = separableDepthwiseHint("depthwiseFilter", depthwiseFilter.shape, inChannels);
    throw rangeError(
      op,
      "pointwiseFilter input channels",
      inChannels,
      `equal depthwise output channels C*M (${depth})${hint}`,
    );
  }
  checkBiasLength(op, "options.depthwiseBias", all.depthwiseBias, depth);
  checkBiasLength(op, "options.bias", all.bias, outChannels);
  const depthwiseWindow = { ...all, bias: all.depthwiseBias, activation: all.depthwiseActivation };
  const dwKept = copyOfData(op, "depthwiseFilter", depthwiseFilter, kH * kW * depth);
  const layout = layoutOf("depthwiseFilter", depthwiseFilter, "depthwise");
  const depthwise = { op, filter: dwKept, kH, kW, channels, multiplier, window: depthwiseWindow, layout };
  const pointwiseWindow = { ...all, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: "valid" as const };
  const pointwise = {
    op,
    filter: copyOfData(op, "pointwiseFilter", pointwiseFilter, depth * outChannels),
    kH: 1,
    kW: 1,
    inChannels: depth,
    outChannels,
    window: pointwiseWindow,
  };
  return { op, depthwise, pointwise };
}

/** The filter's shape as given (a copy: the caller's array may change). */
function layoutOf(arg: string, filter: Tensor, kind: FilterLayout["kind"]): FilterLayout {
  return { arg, shape: filter.shape.slice(), kind };
}

/**
 * Validates input x against a spec expecting `channels` input channels and giving `outChannels`
 * output channels; returns the window geometry.
 */
function inputGeometry(
  op: string,
  x: Tensor,
  channels: number,
  kH: number,
  kW: number,
  window: WindowOptions,
  outChannels: number,
  layout: FilterLayout | undefined,
): Geometry {
  checkTensor(op, "x", x, 4);
  if (x.shape[3] !== channels) {
    const hint = channelMismatchHint(x.shape, channels, layout);
    throw rangeError(op, "x.shape[3]", x.shape[3], `equal the filter's input channels (${channels})${hint}`);
  }
  const g = geometry(op, x.shape[1], x.shape[2], kH, kW, window);
  checkBufferSize(op, x, [x.shape[0], g.outH, g.outW, outChannels]);
  return g;
}

/** Validates x for a depthwise spec; returns the window geometry. */
export function depthwiseGeometry(s: DepthwiseSpec, x: Tensor): Geometry {
  return inputGeometry(s.op, x, s.channels, s.kH, s.kW, s.window, s.channels * s.multiplier, s.layout);
}

/** Validates x for a conv2d or pointwise spec; returns the window geometry. */
export function convGeometry(s: ConvSpec, x: Tensor): Geometry {
  return inputGeometry(s.op, x, s.inChannels, s.kH, s.kW, s.window, s.outChannels, s.layout);
}

/** Validates x for a separable spec; returns the depthwise stage's window geometry. */
export function separableGeometry(s: SeparableSpec, x: Tensor): Geometry {
  const dw = s.depthwise;
  return inputGeometry(s.op, x, dw.channels, dw.kH, dw.kW, dw.window, s.pointwise.outChannels, dw.layout);
}

/**
 * Whether a conv2d or pointwise spec is one GEMM over all pixels: a 1x1 window at stride 1 with
 * no padding ('same' pads a 1x1 window by nothing). Otherwise it runs as a convolution.
 */
export function runsAsGemm(s: ConvSpec): boolean {
  const { padding, strideH, strideW } = s.window;
  const unpadded = padding === "same" || padding === "valid" || padding.every((p) => p === 0);
  return s.kH === 1 && s.kW === 1 && strideH === 1 && strideW === 1 && unpadded;
}
