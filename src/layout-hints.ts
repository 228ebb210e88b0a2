// Hints for channel mismatches that come from another framework's layout: an NCHW input
// (PyTorch, ONNX) or a filter in PyTorch's order ([Cout, Cin, kH, kW], depthwise
// [C*M, 1, kH, kW], a linear/1x1 weight [Cout, Cin]). Each hint names what the shape looks like
// and the shape to transpose to. Heuristics, so each also asks that the shape be implausible as
// what sepconv expects, and an ordinary mismatch gets no hint. Built only when throwing.

import { show } from "./shapes.js";

/** A filter as the caller gave it, for hints. */
export interface FilterLayout {
  /** The argument's name in messages: "filter" or "depthwiseFilter". */
  arg: string;
  shape: readonly number[];
  kind: "depthwise" | "conv" | "pointwise";
}

/** Square TensorFlow kernels are at most this size; a larger "kernel" is channels. */
const LARGEST_SQUARE_KERNEL = 11;

/**
 * [O, I, k, k] reads as PyTorch's order when its kernel is square and its first two are no
 * square TensorFlow kernel ([3, 3, 16, 16] is a 3x3 TensorFlow filter, [32, 32, 3, 3] is not).
 */
function torchOrdered(s: readonly number[]): boolean {
  return s.length === 4 && s[2] === s[3] && (s[0] !== s[1] || s[0] > LARGEST_SQUARE_KERNEL);
}

/**
 * The hint for a filter in PyTorch's order feeding `channels` input channels, or "". `exact`:
 * a depthwise filter must have multiplier 1 (else any multiplier).
 */
function filterHint(f: FilterLayout, channels: number, exact: boolean): string {
  const s = f.shape;
  if (f.kind === "pointwise") {
    if (s.length !== 2 || s[1] !== channels) return "";
    return `${f.arg} ${show(s)} may be [Cout, Cin] (PyTorch's order); sepconv takes [Cin, Cout]: if so, transpose to ${show([s[1], s[0]])}`;
  }
  if (!torchOrdered(s)) return "";
  if (f.kind === "conv" && s[1] === channels) {
    return `${f.arg} may be PyTorch's [Cout, Cin, kH, kW] ${show(s)}; sepconv takes [kH, kW, Cin, Cout]: if so, transpose to ${show([s[2], s[3], s[1], s[0]])}`;
  }
  if (f.kind === "depthwise" && s[1] === 1 && (exact ? s[0] === channels : s[0] % channels === 0)) {
    const torch = show(s);
    const tf = show([s[2], s[3], channels, s[0] / channels]);
    return `${f.arg} may be PyTorch's [C*M, 1, kH, kW] ${torch}; sepconv takes [kH, kW, C, M]: if so, transpose to ${tf}`;
  }
  return "";
}

/** "x may be NCHW …" when x read as [N, C, H, W] has the expected channels, or "". */
function nchwHint(x: readonly number[], channels: number): string {
  const [n, c, h, w] = x;
  // A square NHWC image whose side equals the channel count reads both ways: no hint.
  if (c !== channels || c === h) return "";
  return `x may be NCHW ${show(x)}; sepconv takes NHWC [N, H, W, C]: if so, transpose to ${show([n, h, w, c])}`;
}

/**
 * What to append to "x.shape[3] (…) must equal the filter's input channels (expected)": the
 * likely layout mix-up ("; x may be NCHW …", "; filter may be PyTorch's …", or both), or "".
 */
export function channelMismatchHint(x: readonly number[], expected: number, filter: FilterLayout | undefined): string {
  const nchw = nchwHint(x, expected);
  if (nchw) return `; ${nchw}`;
  if (filter === undefined) return "";
  const forNhwc = filterHint(filter, x[3], true);
  if (forNhwc) return `; ${forNhwc}`;
  // Both from PyTorch: x is NCHW and the filter is in PyTorch's order for its channels.
  const forNchw = filterHint(filter, x[1], true);
  const xNchw = nchwHint(x, x[1]);
  if (forNchw && xNchw) return `; ${xNchw}; ${forNchw}`;
  // A depthwise filter with a multiplier above 1, for NHWC x.
  const withMultiplier = filterHint(filter, x[3], false);
  return withMultiplier ? `; ${withMultiplier}` : "";
}

/** A 4-D pointwise filter [Cout, Cin, 1, 1] (PyTorch's 1x1 conv weight): the hint, or "". */
export function pointwiseFilterHint(shape: readonly number[]): string {
  if (shape.length !== 4 || shape[2] !== 1 || shape[3] !== 1) return "";
  return `; it may be PyTorch's [Cout, Cin, 1, 1]: if so, transpose to ${show([1, 1, shape[1], shape[0]])}`;
}

/**
 * A separable's depthwise filter in PyTorch's [C*M, 1, kH, kW] whose C*M matches the pointwise
 * filter's input channels: the hint (M unknown before x is seen, so multiplier 1 as the
 * example), or "".
 */
export function separableDepthwiseHint(arg: string, shape: readonly number[], pointwiseIn: number): string {
  if (!torchOrdered(shape) || shape[1] !== 1 || shape[0] !== pointwiseIn) return "";
  return (
    `; ${arg} may be PyTorch's [C*M, 1, kH, kW] ${show(shape)}; sepconv takes [kH, kW, C, M]: ` +
    `if so, transpose to ${show([shape[2], shape[3], shape[0], 1])} for multiplier 1`
  );
}
