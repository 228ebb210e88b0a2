// sepconv: WebAssembly SIMD kernels for depthwise separable convolution. Public API only.

export type { CostOptions, OpCost, SeparableComparison, SeparableCost, SeparableCostOptions } from "./cost.js";
export { cost } from "./cost.js";
export { type ImageSource, type ImageToTensorOptions, imageToTensor, type TopK, topK } from "./image/index.js";
export { backend, init, initSync, threads } from "./init.js";
export type {
  FetchOptions,
  Fusion,
  GraphModel,
  LayerCost,
  LayersModel,
  LoadOptions,
  Model,
  ModelArtifacts,
  ModelCost,
  OpDescription,
  UrlLoadOptions,
  WeightSpec,
} from "./model/index.js";
export { loadGraphModel, loadLayersModel, loadTFLiteModel } from "./model/index.js";
export { conv2d, createConv2d, createPointwiseConv2d, pointwiseConv2d } from "./ops/conv2d.js";
export { createDepthwiseConv2d, depthwiseConv2d } from "./ops/depthwise.js";
export { createSeparableConv2d, separableConv2d } from "./ops/separable.js";
export { reference } from "./reference/namespace.js";
export { createTensor } from "./tensor.js";
export type {
  Activation,
  ActivationName,
  Backend,
  ConvOptions,
  ExplicitPadding,
  GemmTile,
  InitOptions,
  Layer,
  NamedPadding,
  Padding,
  SeparableOptions,
  Tensor,
  ThreadsReport,
} from "./types.js";
export type { WasmTensor } from "./wasm-tensor.js";
