// The plain-JS reference of every op: same signatures, same validation, no wasm.

import { convGeometry, convSpec, depthwiseGeometry, depthwiseSpec, pointwiseSpec, separableSpec } from "../specs.js";
import type { ConvOptions, SeparableOptions, Tensor } from "../types.js";
import { convKernel, depthwiseKernel, separableKernel } from "./kernels.js";

export function depthwiseConv2d(x: Tensor, filter: Tensor, options?: ConvOptions): Tensor {
  const spec = depthwiseSpec("depthwiseConv2d", filter, options);
  const g = depthwiseGeometry(spec, x);
  return depthwiseKernel(spec, x, g);
}

export function pointwiseConv2d(x: Tensor, filter: Tensor, options?: ConvOptions): Tensor {
  const spec = pointwiseSpec("pointwiseConv2d", filter, options);
  const g = convGeometry(spec, x);
  return convKernel(spec, x, g);
}

export function conv2d(x: Tensor, filter: Tensor, options?: ConvOptions): Tensor {
  const spec = convSpec("conv2d", filter, options);
  const g = convGeometry(spec, x);
  return convKernel(spec, x, g);
}

export function separableConv2d(
  x: Tensor,
  depthwiseFilter: Tensor,
  pointwiseFilter: Tensor,
  options?: SeparableOptions,
): Tensor {
  return separableKernel(separableSpec("separableConv2d", depthwiseFilter, pointwiseFilter, options), x);
}
export { imageToTensor } from "./image.js";
