import { activeRuntime } from "../init.js";
import { REFERENCE_KERNELS } from "../kernel-names.js";
import { depthwiseKernel } from "../reference/kernels.js";
import { type DepthwiseSpec, depthwiseGeometry, depthwiseSpec } from "../specs.js";
import type { ConvOptions, Layer, Tensor } from "../types.js";
import { DepthwiseLayer } from "./depthwise-layer.js";
import { ReferenceLayer } from "./reference-layer.js";
import { runOnce } from "./run-once.js";

/** A depthwise conv with filter [kH, kW, C, M] packed once; output channel c*M + m. */
export function createDepthwiseConv2d(filter: Tensor, options?: ConvOptions): Layer {
  return prepare(depthwiseSpec("createDepthwiseConv2d", filter, options));
}

/** Depthwise conv2d of x [N, H, W, C] with filter [kH, kW, C, M], as tf.depthwiseConv2d. */
export function depthwiseConv2d(x: Tensor, filter: Tensor, options?: ConvOptions): Tensor {
  const spec = depthwiseSpec("depthwiseConv2d", filter, options);
  depthwiseGeometry(spec, x); // a bad x costs no packing
  return runOnce(prepare(spec), x);
}

function prepare(spec: DepthwiseSpec): Layer {
  const rt = activeRuntime(spec.op);
  if (rt) return new DepthwiseLayer(rt, spec);
  return new ReferenceLayer(spec.op, [REFERENCE_KERNELS.depthwise], (x) =>
    depthwiseKernel(spec, x, depthwiseGeometry(spec, x)),
  );
}
