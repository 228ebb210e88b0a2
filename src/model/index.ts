// The model loaders: TensorFlow.js layers models and graph models -> one graph runtime on
// sepconv's kernels (fold, fuse, plan, steps).

import { activeRuntime } from "../init.js";
import { show } from "../shapes.js";
import { type ModelArtifacts, readArtifacts } from "./artifacts.js";
import { toGraph } from "./convert.js";
import { withoutWeights } from "./cost.js";
import { fold } from "./fold.js";
import type { Graph } from "./graph.js";
import { graphFromTf } from "./graph-convert.js";
import { Model } from "./model.js";
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

function fusionOf(options: LoadOptions, op: string): Fusion {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${op}: options (${show(options)}) must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (key !== "fusion") throw new TypeError(`${op}: options.${key} is not an option (expected fusion)`);
  }
  const fusion = (own(options, "fusion") ?? "full") as Fusion;
  if (!FUSIONS.includes(fusion)) {
    throw new RangeError(`${op}: options.fusion (${show(fusion)}) must be one of ${FUSIONS.map(show).join(", ")}`);
  }
  return fusion;
}

/** The model of `graph` on the active build: folded, fused into ops, its weights packed. */
function modelOf(graph: Graph, fusion: Fusion, op: string): Model {
  const rt = activeRuntime(op);
  const layers = { ...graph, nodes: graph.nodes.map(withoutWeights) };
  const folded = fold(graph);
  return new Model(folded, layers, buildOps(folded, fusion), rt, op);
}

/**
 * Loads a TensorFlow.js layers model (the artifacts of tf.io.fromMemory / model.save()) onto
 * the build init() chose. Weights are dequantized, batch norms folded and packed once.
 */
export function loadLayersModel(artifacts: ModelArtifacts, options: LoadOptions = {}): Model {
  const op = "loadLayersModel";
  activeRuntime(op);
  const fusion = fusionOf(options, op);
  const { topology, specs, bytes } = readArtifacts(artifacts, op);
  return modelOf(toGraph(parseTopology(topology), decodeWeights(specs, bytes, op)), fusion, op);
}

/**
 * Loads a TensorFlow.js graph model (tfjs-converter's output: model.json with format
 * "graph-model", as artifacts { modelTopology, weightSpecs, weightData }) onto the build init()
 * chose. TensorFlow ops become the nodes the layers path makes, so they fold and fuse alike.
 */
export function loadGraphModel(artifacts: ModelArtifacts, options: LoadOptions = {}): Model {
  const op = "loadGraphModel";
  activeRuntime(op);
  const fusion = fusionOf(options, op);
  const { topology, specs, bytes } = readArtifacts(artifacts, op);
  return modelOf(graphFromTf(topology as object, decodeWeights(specs, bytes, op)), fusion, op);
}

export type { ModelArtifacts, WeightSpec } from "./artifacts.js";
export type { LayerCost, ModelCost } from "./cost.js";
export type { GraphModel, LayersModel, Model, OpDescription } from "./model.js";
export type { Fusion };
