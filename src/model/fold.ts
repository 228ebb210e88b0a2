// Rewrites the graph into fewer, equivalent nodes before planning:
//   Dropout and linear activations disappear;
//   a batch norm after a linear conv, depthwise, separable or dense layer is folded into its
//   weights (w' = w * scale, b' = b * scale + shift, per output channel, in double precision);
//   relu, relu6 and hardswish after such a layer become its activation (the kernels apply it);
//   other activations of a layer split off into their own node (a pass after the kernel);
//   a ZeroPadding2D whose consumers are all convolutions becomes their explicit padding.
// Each rule only fires when the intermediate tensor has no other consumer and is not the output.

import { type Graph, isKernelActivation, type Node } from "./graph.js";

type Weighted = Extract<Node, { op: "conv" | "depthwise" | "separable" | "dense" }>;

function isWeighted(node: Node | undefined): node is Weighted {
  return (
    node !== undefined &&
    (node.op === "conv" || node.op === "depthwise" || node.op === "separable" || node.op === "dense")
  );
}

function isWindowed(node: Node): node is Extract<Node, { op: "conv" | "depthwise" | "separable" }> {
  return node.op === "conv" || node.op === "depthwise" || node.op === "separable";
}

class Rewriter {
  constructor(readonly graph: Graph) {}

  get nodes(): Node[] {
    return this.graph.nodes;
  }

  byName(name: string): Node | undefined {
    return this.nodes.find((n) => n.name === name);
  }

  consumers(name: string): Node[] {
    return this.nodes.filter((n) => n.inputs.includes(name));
  }

  /** True when `name`'s output feeds exactly one node and is not the model output. */
  private single(name: string): boolean {
    return name !== this.graph.output && this.consumers(name).length === 1;
  }

  /** The producer of `node`'s only input when `node` is that producer's only consumer. */
  soleProducer(node: Node): Node | undefined {
    if (node.inputs.length !== 1) return undefined;
    const producer = this.byName(node.inputs[0]);
    return producer && this.single(producer.name) ? producer : undefined;
  }

  /** Removes `node`, pointing its consumers (and the output) at `replacement`. */
  replace(node: Node, replacement: string): void {
    for (const n of this.nodes) n.inputs = n.inputs.map((i) => (i === node.name ? replacement : i));
    if (this.graph.output === node.name) this.graph.output = replacement;
    this.nodes.splice(this.nodes.indexOf(node), 1);
  }
}

export function fold(graph: Graph): Graph {
  const g = new Rewriter({ nodes: graph.nodes.slice(), output: graph.output, inputShape: graph.inputShape });
  for (const node of g.nodes.slice()) {
    if (node.op === "identity" || (node.op === "activation" && node.act === "linear")) g.replace(node, node.inputs[0]);
  }
  splitActivations(g);
  for (const node of g.nodes.slice()) {
    if (node.op !== "affine") continue;
    const producer = g.soleProducer(node);
    if (isWeighted(producer) && producer.act === "linear" && outChannels(producer) === node.scale.length) {
      scaleOutputs(producer, node.scale, node.shift);
      g.replace(node, producer.name);
    }
  }
  for (const node of g.nodes.slice()) {
    if (node.op !== "activation" || !isKernelActivation(node.act)) continue;
    const producer = g.soleProducer(node);
    if (isWeighted(producer) && producer.act === "linear") {
      producer.act = node.act;
      g.replace(node, producer.name);
    }
  }
  for (const node of g.nodes.slice()) {
    if (node.op !== "pad" || node.name === g.graph.output) continue;
    const consumers = g.consumers(node.name);
    if (consumers.length === 0 || !consumers.every(isWindowed)) continue;
    for (const consumer of consumers) {
      const w = (consumer as Extract<Node, { window: unknown }>).window;
      const pads = w.pad.pads.map((p, i) => p + node.pads[i]) as [number, number, number, number];
      (consumer as Extract<Node, { window: unknown }>).window = { ...w, pad: { ...w.pad, pads } };
    }
    g.replace(node, node.inputs[0]);
  }
  return g.graph;
}

/** A layer whose own activation the kernels cannot apply gets it as a separate node. */
function splitActivations(g: Rewriter): void {
  for (const node of g.nodes.slice()) {
    if (!isWeighted(node) || isKernelActivation(node.act)) continue;
    const act = node.act;
    node.act = "linear";
    const name = `${node.name}/activation`;
    for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === node.name ? name : i));
    if (g.graph.output === node.name) g.graph.output = name;
    g.nodes.splice(g.nodes.indexOf(node) + 1, 0, {
      name,
      className: node.className,
      inputs: [node.name],
      params: 0,
      op: "activation",
      act,
    });
  }
}

function outChannels(node: Weighted): number {
  if (node.op === "dense") return node.units;
  if (node.op === "depthwise") return node.channels * node.multiplier;
  return node.outChannels;
}

/** Multiplies each output channel by scale and adds shift (bias created if absent). */
function scaleOutputs(node: Weighted, scale: Float64Array, shift: Float64Array): void {
  const channels = scale.length;
  const matrix =
    node.op === "conv" || node.op === "depthwise"
      ? node.filter
      : node.op === "separable"
        ? node.pointwiseFilter
        : node.kernel;
  const scaled = new Float32Array(matrix.length);
  for (let i = 0; i < matrix.length; i++) scaled[i] = matrix[i] * scale[i % channels];
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) bias[c] = (node.bias ? node.bias[c] : 0) * scale[c] + shift[c];
  if (node.op === "conv" || node.op === "depthwise") node.filter = scaled;
  else if (node.op === "separable") node.pointwiseFilter = scaled;
  else node.kernel = scaled;
  node.bias = bias;
}
