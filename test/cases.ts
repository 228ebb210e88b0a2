// One description of "an op with its weights and options", usable as a one-shot call, a
// prepared layer or a reference call: shared by the fuzz, lifecycle and regression tests.

import {
  conv2d,
  createConv2d,
  createDepthwiseConv2d,
  createPointwiseConv2d,
  createSeparableConv2d,
  depthwiseConv2d,
  type Layer,
  pointwiseConv2d,
  reference,
  type SeparableOptions,
  separableConv2d,
  type Tensor,
} from "../src/index.js";

export type Op = "depthwise" | "pointwise" | "conv" | "separable";
export const OPS: readonly Op[] = ["depthwise", "pointwise", "conv", "separable"];

export interface OpCase {
  op: Op;
  /** depthwise [kH, kW, C, M], pointwise [Cin, Cout], conv [kH, kW, Cin, Cout], separable's depthwise filter. */
  filter: Tensor;
  /** separable only: [C*M, Cout]. */
  pointwiseFilter?: Tensor;
  /** depthwiseBias/depthwiseActivation only for separable. */
  options: SeparableOptions;
}

/** Products summed per output element: the absolute-error floor of expectClose. */
export function reduction(c: OpCase): number {
  const [a, b, d] = c.filter.shape;
  switch (c.op) {
    case "depthwise":
      return a * b;
    case "pointwise":
      return a;
    case "conv":
      return a * b * d;
    case "separable":
      return a * b * d * c.filter.shape[3];
  }
}

export function oneShot(c: OpCase, x: Tensor): Tensor {
  switch (c.op) {
    case "depthwise":
      return depthwiseConv2d(x, c.filter, c.options);
    case "pointwise":
      return pointwiseConv2d(x, c.filter, c.options);
    case "conv":
      return conv2d(x, c.filter, c.options);
    case "separable":
      return separableConv2d(x, c.filter, c.pointwiseFilter!, c.options);
  }
}

export function prepare(c: OpCase): Layer {
  switch (c.op) {
    case "depthwise":
      return createDepthwiseConv2d(c.filter, c.options);
    case "pointwise":
      return createPointwiseConv2d(c.filter, c.options);
    case "conv":
      return createConv2d(c.filter, c.options);
    case "separable":
      return createSeparableConv2d(c.filter, c.pointwiseFilter!, c.options);
  }
}

export function referenceOf(c: OpCase, x: Tensor): Tensor {
  switch (c.op) {
    case "depthwise":
      return reference.depthwiseConv2d(x, c.filter, c.options);
    case "pointwise":
      return reference.pointwiseConv2d(x, c.filter, c.options);
    case "conv":
      return reference.conv2d(x, c.filter, c.options);
    case "separable":
      return reference.separableConv2d(x, c.filter, c.pointwiseFilter!, c.options);
  }
}

/** A readable one-line description for failure messages (biases shown by length). */
export function describeCase(c: OpCase, x?: Tensor): string {
  const o: Record<string, unknown> = { ...c.options };
  for (const key of ["bias", "depthwiseBias"] as const) if (c.options[key]) o[key] = `[${c.options[key].length}]`;
  const filters = c.pointwiseFilter
    ? `${JSON.stringify(c.filter.shape)} ${JSON.stringify(c.pointwiseFilter.shape)}`
    : JSON.stringify(c.filter.shape);
  return `${c.op} x ${x ? JSON.stringify(x.shape) : "?"} filter ${filters} ${JSON.stringify(o)}`;
}

/** The bits of a float32 tensor, so NaN payloads and the sign of zero count as differences. */
export function bits(t: Tensor): Uint32Array {
  return new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
}
