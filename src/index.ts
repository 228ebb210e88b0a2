// sepconv: WebAssembly SIMD kernels for depthwise separable convolution. Public API only.

export { init, backend } from "./init.js";
export { depthwiseConv2d, createDepthwiseConv2d } from "./ops/depthwise.js";
export { conv2d, createConv2d, pointwiseConv2d, createPointwiseConv2d } from "./ops/conv2d.js";
export { separableConv2d, createSeparableConv2d } from "./ops/separable.js";
export * as reference from "./reference/index.js";
export * as cost from "./cost.js";
export type { OpCost, SeparableCost, SeparableComparison, CostOptions, SeparableCostOptions } from "./cost.js";
export type {
  Activation,
  Backend,
  ConvOptions,
  InitOptions,
  Layer,
  Padding,
  SeparableOptions,
  Tensor,
} from "./types.js";
