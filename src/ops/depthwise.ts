import { activeRuntime } from "../init.js";
import { depthwiseKernel } from "../reference/kernels.js";
import { depthwiseSpec, inputGeometry } from "../specs.js";
import type { ConvOptions, Layer, Tensor } from "../types.js";
import { DepthwiseLayer } from "./depthwise-layer.js";
import { ReferenceLayer } from "./reference-layer.js";
import { runOnce } from "./run-once.js";

/** A depthwise conv with filter [kH, kW, C, M] packed once; output channel c*M + m. */
export function createDepthwiseConv2d(filter: Tensor, options?: ConvOptions): Layer {
  return prepare("createDepthwiseConv2d", filter, options);
}

/** Depthwise conv2d of x [N, H, W, C] with filter [kH, kW, C, M], as tf.depthwiseConv2d. */
export function depthwiseConv2d(x: Tensor, filter: Tensor, options?: ConvOptions): Tensor {
  return runOnce(prepare("depthwiseConv2d", filter, options), x);
}

function prepare(op: string, filter: Tensor, options: ConvOptions | undefined): Layer {
  const spec = depthwiseSpec(op, filter, options);
  const rt = activeRuntime(op);
  if (rt) return new DepthwiseLayer(rt, spec);
  return new ReferenceLayer(op, (x) =>
    depthwiseKernel(spec, x, inputGeometry(op, x, spec.channels, spec.kH, spec.kW, spec.window)),
  );
}
