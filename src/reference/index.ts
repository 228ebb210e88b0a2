// The plain-JS reference of every op: same signatures, same validation, no wasm.

import { convSpec, depthwiseSpec, inputGeometry, pointwiseSpec, separableSpec } from "../specs.js";
import type { ConvOptions, SeparableOptions, Tensor } from "../types.js";
import { convKernel, depthwiseKernel, separableKernel } from "./kernels.js";

export function depthwiseConv2d(x: Tensor, filter: Tensor, options?: ConvOptions): Tensor {
  const spec = depthwiseSpec("depthwiseConv2d", filter, options);
  const g = inputGeometry(spec.op, x, spec.channels, spec.kH, spec.kW, spec.window);
  return depthwiseKernel(spec, x, g);
}

export function pointwiseConv2d(x: Tensor, filter: Tensor, options?: ConvOptions): Tensor {
  const spec = pointwiseSpec("pointwiseConv2d", filter, options);
  const g = inputGeometry(spec.op, x, spec.inChannels, 1, 1, spec.window);
  return convKernel(spec, x, g);
}

export function conv2d(x: Tensor, filter: Tensor, options?: ConvOptions): Tensor {
  const spec = convSpec("conv2d", filter, options);
  const g = inputGeometry(spec.op, x, spec.inChannels, spec.kH, spec.kW, spec.window);
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
