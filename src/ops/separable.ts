import { activeRuntime } from "../init.js";
import { REFERENCE_KERNELS } from "../kernel-names.js";
import { separableKernel } from "../reference/kernels.js";
import { type SeparableSpec, separableGeometry, separableSpec } from "../specs.js";
import type { Layer, SeparableOptions, Tensor } from "../types.js";
import { ReferenceLayer } from "./reference-layer.js";
import { runOnce } from "./run-once.js";
import { SeparableLayer } from "./separable-layer.js";

/** A fused depthwise -> pointwise block with both filters packed once. */
export function createSeparableConv2d(
  depthwiseFilter: Tensor,
  pointwiseFilter: Tensor,
  options?: SeparableOptions,
): Layer {
  return prepare(separableSpec("createSeparableConv2d", depthwiseFilter, pointwiseFilter, options));
}

/**
 * Depthwise (filter [kH, kW, C, M]) then pointwise (filter [C*M, Cout]), as tf.separableConv2d,
 * with the depthwise output never materialised in full.
 */
export function separableConv2d(
  x: Tensor,
  depthwiseFilter: Tensor,
  pointwiseFilter: Tensor,
  options?: SeparableOptions,
): Tensor {
  const spec = separableSpec("separableConv2d", depthwiseFilter, pointwiseFilter, options);
  separableGeometry(spec, x); // a bad x costs no packing
  return runOnce(prepare(spec), x);
}

function prepare(spec: SeparableSpec): Layer {
  const rt = activeRuntime(spec.op);
  if (rt) return new SeparableLayer(rt, spec);
  return new ReferenceLayer(spec.op, [REFERENCE_KERNELS.depthwise, REFERENCE_KERNELS.gemm], (x) =>
    separableKernel(spec, x),
  );
}
