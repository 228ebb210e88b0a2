// The folded graph as a list of operations to run, fusing what the kernels can run together:
//   depthwise -> 1x1 conv (and Keras's SeparableConv2D) become one separable chain, whose
//   depthwise output exists only a band of rows at a time;
//   with fusion 'full', a 1x1 "expand" conv before such a chain joins it, so the expanded
//   tensor (6x wider in MobileNetV2) also exists only a band at a time;
//   an Add of a chain's output and an earlier tensor (a residual connection) is done on each
//   band as it is produced.
// Operations are independent of the input size; plan.ts sizes them.

import type { Activation } from "../types.js";
import {
  type ActivationNode,
  type AffineNode,
  type ConcatNode,
  type ConvNode,
  type ConvTransposeNode,
  type DenseNode,
  type DepthwiseNode,
  type GlobalPoolNode,
  type Graph,
  isKernelActivation,
  kernelActivation,
  type MulNode,
  type Node,
  type PadNode,
  type PoolNode,
  type ResizeNode,
  type SimpleNode,
  type Window,
} from "./graph.js";

/** How much to fuse: all of the above, only depthwise -> pointwise chains, or nothing. */
export type Fusion = "full" | "separable" | "none";

/** A 1x1 convolution: filter [inChannels, outChannels]. */
export interface PointwiseParams {
  filter: Float32Array;
  inChannels: number;
  outChannels: number;
  bias: Float32Array | undefined;
  act: Activation;
}

export interface DepthwiseParams {
  /** The node whose window this is (named in errors). */
  node: Node;
  window: Window;
  /** [kH, kW, channels, multiplier]. */
  filter: Float32Array;
  channels: number;
  multiplier: number;
  bias: Float32Array | undefined;
  act: Activation;
}

export type PassNode =
  | ActivationNode
  | AffineNode
  | PadNode
  | PoolNode
  | GlobalPoolNode
  | ConcatNode
  | MulNode
  | ResizeNode
  | ConvTransposeNode
  | SimpleNode;

export type Op =
  | { kind: "conv"; node: ConvNode; input: string; output: string }
  | { kind: "depthwise"; node: DepthwiseNode; input: string; output: string }
  | {
      kind: "chain";
      expand: PointwiseParams | undefined;
      depthwise: DepthwiseParams;
      project: PointwiseParams;
      input: string;
      /** Added to the output (a residual connection), same shape. */
      residual: string | undefined;
      /** Applied after the residual add (an activation node after the Add, taken in). */
      residualAct?: Activation;
      output: string;
      /** The Keras layers it runs, first to last. */
      layers: string[];
    }
  | { kind: "dense"; node: DenseNode; input: string; output: string }
  | { kind: "pass"; node: PassNode; inputs: string[]; output: string }
  | { kind: "reshape"; input: string; output: string };

export type ChainOp = Extract<Op, { kind: "chain" }>;

/** A conv the GEMM runs directly: 1x1, stride 1, no padding. */
export function isPointwise(node: Node): node is ConvNode {
  if (node.op !== "conv") return false;
  const w = node.window;
  return w.kH === 1 && w.kW === 1 && w.strideH === 1 && w.strideW === 1 && w.pad.pads.every((p) => p === 0);
}

function pointwiseOf(node: ConvNode): PointwiseParams {
  const { filter, inChannels, outChannels, bias } = node;
  return { filter, inChannels, outChannels, bias, act: kernelActivation(node.act) };
}

export function buildOps(graph: Graph, fusion: Fusion): Op[] {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const outputs = new Set(graph.outputs);
  const consumers = new Map<string, Node[]>();
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      const list = consumers.get(input);
      if (list) list.push(node);
      else consumers.set(input, [node]);
    }
  }
  /** The one node consuming `name`, if it is the only one and `name` is not the output. */
  const sole = (name: string): Node | undefined => {
    const list = consumers.get(name);
    return !outputs.has(name) && list?.length === 1 ? list[0] : undefined;
  };
  /** Nodes taken into a chain; each chain runs where its last node was. */
  const absorbed = new Set<string>();
  const chains = new Map<string, ChainOp>();
  for (const node of graph.nodes) {
    // A SeparableConv2D is a chain even unfused: the fused kernel is how it runs.
    const chain = fusion !== "none" || node.op === "separable" ? chainAt(node, sole, fusion) : undefined;
    if (!chain) continue;
    if (fusion === "full") {
      const producer = byName.get(chain.input);
      if (producer && isPointwise(producer) && sole(producer.name) && !absorbed.has(producer.name)) {
        chain.expand = pointwiseOf(producer);
        chain.input = producer.inputs[0];
        chain.layers.unshift(producer.name);
      }
    }
    const add = fusion === "none" ? undefined : sole(chain.output);
    if (add?.op === "add" && add.inputs.length === 2 && add.inputs[0] !== add.inputs[1]) {
      chain.residual = add.inputs[0] === chain.output ? add.inputs[1] : add.inputs[0];
      chain.output = add.name;
      chain.layers.push(add.name);
      const after = sole(add.name);
      if (after?.op === "activation" && isKernelActivation(after.act) && after.act !== "linear") {
        chain.residualAct = after.act;
        chain.output = after.name;
        chain.layers.push(after.name);
      }
    }
    for (const layer of chain.layers) absorbed.add(layer);
    chains.set(chain.output, chain);
  }
  const ops: Op[] = [];
  for (const node of graph.nodes) {
    const chain = chains.get(node.name);
    if (chain) ops.push(chain);
    else if (!absorbed.has(node.name) && node.op !== "input") ops.push(opOf(node));
  }
  return ops;
}

/** The chain made of `node`: a SeparableConv2D, or a depthwise whose only consumer is a 1x1 conv. */
function chainAt(node: Node, sole: (name: string) => Node | undefined, fusion: Fusion): ChainOp | undefined {
  let depthwise: DepthwiseParams;
  let project: PointwiseParams;
  const layers = [node.name];
  if (node.op === "separable") {
    const { window, depthwiseFilter, channels, multiplier } = node;
    depthwise = { node, window, filter: depthwiseFilter, channels, multiplier, bias: undefined, act: "linear" };
    const { pointwiseFilter, outChannels, bias } = node;
    project = {
      filter: pointwiseFilter,
      inChannels: channels * multiplier,
      outChannels,
      bias,
      act: kernelActivation(node.act),
    };
  } else if (node.op === "depthwise" && fusion !== "none") {
    const next = sole(node.name);
    if (!next || !isPointwise(next)) return undefined;
    const { window, filter, channels, multiplier, bias } = node;
    depthwise = { node, window, filter, channels, multiplier, bias, act: kernelActivation(node.act) };
    project = pointwiseOf(next);
    layers.push(next.name);
  } else {
    return undefined;
  }
  const input = node.inputs[0];
  return {
    kind: "chain",
    expand: undefined,
    depthwise,
    project,
    input,
    residual: undefined,
    output: layers[layers.length - 1],
    layers,
  };
}

function opOf(node: Node): Op {
  switch (node.op) {
    case "conv":
      return { kind: "conv", node, input: node.inputs[0], output: node.name };
    case "depthwise":
      return { kind: "depthwise", node, input: node.inputs[0], output: node.name };
    case "dense":
      return { kind: "dense", node, input: node.inputs[0], output: node.name };
    case "reshape":
      return { kind: "reshape", input: node.inputs[0], output: node.name };
    case "separable":
      throw new Error(`sepconv: internal error: separable layer '${node.name}' was not made a chain`);
    default:
      return { kind: "pass", node, inputs: node.inputs, output: node.name };
  }
}
