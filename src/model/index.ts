// loadLayersModel: TensorFlow.js layers-model artifacts -> a model that runs on sepconv's kernels.

import { activeRuntime } from "../init.js";
import { show } from "../shapes.js";
import { type ModelArtifacts, readArtifacts } from "./artifacts.js";
import { toGraph } from "./convert.js";
import { withoutWeights } from "./cost.js";
import { fold } from "./fold.js";
import { LayersModel } from "./model.js";
import { buildOps, type Fusion } from "./ops.js";
import { own } from "./own.js";
import { parseTopology } from "./topology.js";
import { decodeWeights } from "./weights.js";

export interface LoadOptions {
  /**
   * 'full' (default): inverted residual blocks (1x1 expand -> depthwise -> 1x1 project
   * [+ residual]) run fused, a band of rows at a time; 'separable': only depthwise -> 1x1
   * chains are fused; 'none': every layer runs on its own (for measuring the difference).
   */
  fusion?: Fusion;
}

const FUSIONS: readonly Fusion[] = ["full", "separable", "none"];

/**
 * Loads a TensorFlow.js layers model (the artifacts of tf.io.fromMemory / model.save()) onto
 * the build init() chose. Weights are dequantized, batch norms folded and packed once.
 */
export function loadLayersModel(artifacts: ModelArtifacts, options: LoadOptions = {}): LayersModel {
  const rt = activeRuntime("loadLayersModel");
  if (options === null || typeof options !== "object") {
    throw new TypeError(`loadLayersModel: options (${show(options)}) must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (key !== "fusion") throw new TypeError(`loadLayersModel: options.${key} is not an option (expected fusion)`);
  }
  const fusion = (own(options, "fusion") ?? "full") as Fusion;
  if (!FUSIONS.includes(fusion)) {
    throw new RangeError(
      `loadLayersModel: options.fusion (${show(fusion)}) must be one of ${FUSIONS.map(show).join(", ")}`,
    );
  }
  const { topology, specs, bytes } = readArtifacts(artifacts);
  const graph = toGraph(parseTopology(topology), decodeWeights(specs, bytes));
  const layers = { ...graph, nodes: graph.nodes.map(withoutWeights) };
  const folded = fold(graph);
  return new LayersModel(folded, layers, buildOps(folded, fusion), rt);
}

export type { ModelArtifacts, WeightSpec } from "./artifacts.js";
export type { LayerCost, ModelCost } from "./cost.js";
export type { LayersModel, OpDescription } from "./model.js";
export type { Fusion };
