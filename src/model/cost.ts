// Parameters and multiply-adds of each Keras layer of a loaded model, from shapes alone, as
// the layers are written (before batch norms are folded away): what Keras's summary counts.

import type { Graph, Node } from "./graph.js";
import { inferShapes, windowGeometry } from "./shape-inference.js";

export interface LayerCost {
  name: string;
  className: string;
  /** Batch first (1). */
  outputShape: number[];
  /** Weights, batch norm statistics included (as Keras counts them). */
  params: number;
  /** Multiply-adds of one image: convolutions and dense layers (the rest is a small fraction). */
  macs: number;
}

export interface ModelCost {
  layers: LayerCost[];
  params: number;
  macs: number;
}

/** The node without its weight arrays: enough for shapes and costs. */
export function withoutWeights(node: Node): Node {
  const empty = new Float32Array(0);
  switch (node.op) {
    case "conv":
    case "depthwise":
      return { ...node, filter: empty, bias: undefined };
    case "separable":
      return { ...node, depthwiseFilter: empty, pointwiseFilter: empty, bias: undefined };
    case "dense":
      return { ...node, kernel: empty, bias: undefined };
    default:
      return { ...node, inputs: node.inputs.slice() };
  }
}

/** `op` names the public function asking, in errors. */
export function modelCost(graph: Graph, inputDims: number[], op: string): ModelCost {
  const dims = inferShapes(graph, inputDims, op);
  const layers = graph.nodes.map((node): LayerCost => {
    const out = dims.get(node.name) as number[];
    const x = node.inputs.length > 0 ? (dims.get(node.inputs[0]) as number[]) : out;
    return {
      name: node.name,
      className: node.className,
      outputShape: [1, ...out],
      params: node.params,
      macs: macs(node, x, out, op),
    };
  });
  return {
    layers,
    params: layers.reduce((sum, l) => sum + l.params, 0),
    macs: layers.reduce((sum, l) => sum + l.macs, 0),
  };
}

function macs(node: Node, x: number[], out: number[], op: string): number {
  const outputs = out.reduce((a, b) => a * b, 1);
  switch (node.op) {
    case "conv":
      return outputs * node.window.kH * node.window.kW * node.inChannels;
    case "depthwise":
      return outputs * node.window.kH * node.window.kW;
    case "separable": {
      const g = windowGeometry(node, node.window, x[0], x[1], op);
      const depth = node.channels * node.multiplier;
      return g.outH * g.outW * depth * (node.window.kH * node.window.kW + node.outChannels);
    }
    case "dense":
      return outputs * node.inUnits;
    default:
      return 0;
  }
}
