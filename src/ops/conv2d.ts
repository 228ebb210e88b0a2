import { activeRuntime } from "../init.js";
import { REFERENCE_KERNELS } from "../kernel-names.js";
import { convKernel } from "../reference/kernels.js";
import { type ConvSpec, convGeometry, convSpec, pointwiseSpec, runsAsGemm } from "../specs.js";
import type { ConvOptions, Layer, Tensor } from "../types.js";
import { ConvLayer } from "./conv-layer.js";
import { ReferenceLayer } from "./reference-layer.js";
import { runOnce } from "./run-once.js";

/** A standard conv with filter [kH, kW, Cin, Cout] packed once. */
export function createConv2d(filter: Tensor, options?: ConvOptions): Layer {
  return prepare(convSpec("createConv2d", filter, options));
}

/** conv2d of x [N, H, W, Cin] with filter [kH, kW, Cin, Cout], as tf.conv2d / tf.fused.conv2d. */
export function conv2d(x: Tensor, filter: Tensor, options?: ConvOptions): Tensor {
  return runOnce(prepare(checkInput(convSpec("conv2d", filter, options), x)), x);
}

/** A 1x1 conv with filter [Cin, Cout] or [1, 1, Cin, Cout] packed once. */
export function createPointwiseConv2d(filter: Tensor, options?: ConvOptions): Layer {
  return prepare(pointwiseSpec("createPointwiseConv2d", filter, options));
}

/** 1x1 conv2d of x [N, H, W, Cin] with filter [Cin, Cout] or [1, 1, Cin, Cout]. */
export function pointwiseConv2d(x: Tensor, filter: Tensor, options?: ConvOptions): Tensor {
  return runOnce(prepare(checkInput(pointwiseSpec("pointwiseConv2d", filter, options), x)), x);
}

/** Validates x before the one-shot functions pack anything: a bad x costs no packing. */
function checkInput(spec: ConvSpec, x: Tensor): ConvSpec {
  convGeometry(spec, x);
  return spec;
}

function prepare(spec: ConvSpec): Layer {
  const rt = activeRuntime(spec.op);
  if (rt) return new ConvLayer(rt, spec);
  return new ReferenceLayer(spec.op, [runsAsGemm(spec) ? REFERENCE_KERNELS.gemm : REFERENCE_KERNELS.conv], (x) =>
    convKernel(spec, x, convGeometry(spec, x)),
  );
}
