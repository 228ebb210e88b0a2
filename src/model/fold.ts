// Rewrites the graph into fewer, equivalent nodes before planning:
//   Dropout and linear activations disappear;
//   a batch norm after a linear conv, depthwise, separable or dense layer is folded into its
//   weights (w' = w * scale, b' = b * scale + shift, per output channel, in double precision);
//   relu, relu6 and hardswish after such a layer become its activation (the kernels apply it);
//   other activations of a layer split off into their own node (a pass after the kernel);
//   an affine (constant Mul/Add/Sub/Div) after a linear layer folds into its weights as a batch
//   norm does, and one after another affine folds into it (input normalisation written as a Mul
//   and a Sub becomes one pass over the image, not two);
//   a ZeroPadding2D whose consumers are all convolutions becomes their explicit padding.
// Each rule only fires when the intermediate tensor has no other consumer and is not the output.
// Every pass is linear in the graph's size: nodes and consumers are indexed once and kept up
// to date, removed nodes are only marked, and consumers' inputs are rewritten once at the end.

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
  private readonly byName = new Map<string, Node>();
  /** The nodes reading each live tensor (a Set: removing one is O(1) however wide the fan-out). */
  private readonly consumersOf = new Map<string, Set<Node>>();
  private readonly removed = new Set<Node>();
  /**
   * Removed tensors -> the tensor that replaced them. Inputs are resolved through it rather than
   * rewritten per removal: an Add of thousands of inputs would be rescanned for each one.
   */
  private readonly alias = new Map<string, string>();
  readonly outputs: string[];

  constructor(
    readonly nodes: readonly Node[],
    outputs: string[],
  ) {
    this.outputs = outputs.slice();
    for (const node of nodes) {
      this.byName.set(node.name, node);
      this.consumersOf.set(node.name, new Set());
    }
    for (const node of nodes) for (const input of node.inputs) this.consumersOf.get(input)?.add(node);
  }

  /** The live tensor `name` stands for (path-compressed, so chains of removals stay cheap). */
  resolve(name: string): string {
    let root = name;
    for (let next = this.alias.get(root); next !== undefined; next = this.alias.get(root)) root = next;
    for (let at = name; at !== root; ) {
      const next = this.alias.get(at) as string;
      this.alias.set(at, root);
      at = next;
    }
    return root;
  }

  /** The live nodes, in order. */
  live(): Node[] {
    return this.nodes.filter((n) => !this.removed.has(n));
  }

  isLive(node: Node): boolean {
    return !this.removed.has(node);
  }

  consumers(name: string): Node[] {
    return [...(this.consumersOf.get(name) ?? [])];
  }

  /** The live node computing tensor `name`. */
  producerOf(name: string): Node | undefined {
    return this.byName.get(this.resolve(name));
  }

  /** Points `node` at other inputs. */
  rewire(node: Node, inputs: string[]): void {
    for (const input of node.inputs) this.consumersOf.get(this.resolve(input))?.delete(node);
    node.inputs = inputs;
    for (const input of inputs) this.consumersOf.get(this.resolve(input))?.add(node);
  }

  /** Removes a node nothing reads any more. */
  drop(node: Node): void {
    for (const input of node.inputs) this.consumersOf.get(this.resolve(input))?.delete(node);
    this.consumersOf.delete(node.name);
    this.removed.add(node);
  }

  /** True when `name`'s output feeds exactly one node and is not a model output. */
  single(name: string): boolean {
    return !this.isOutput(name) && this.consumersOf.get(name)?.size === 1;
  }

  isOutput(name: string): boolean {
    return this.outputs.includes(name);
  }

  /** The producer of `node`'s only input when `node` is that producer's only consumer. */
  soleProducer(node: Node): Node | undefined {
    if (node.inputs.length !== 1) return undefined;
    const producer = this.byName.get(this.resolve(node.inputs[0]));
    return producer && this.single(producer.name) ? producer : undefined;
  }

  /** Removes `node` (one input), pointing its consumers (and the output) at its input. */
  bypass(node: Node): void {
    const replacement = this.resolve(node.inputs[0]);
    for (const input of node.inputs) this.consumersOf.get(this.resolve(input))?.delete(node);
    const target = this.consumersOf.get(replacement) as Set<Node>;
    for (const consumer of this.consumersOf.get(node.name) as Set<Node>) target.add(consumer);
    this.consumersOf.delete(node.name);
    this.alias.set(node.name, replacement);
    for (let i = 0; i < this.outputs.length; i++) if (this.outputs[i] === node.name) this.outputs[i] = replacement;
    this.removed.add(node);
  }

  /** The folded graph: live nodes with their inputs resolved (new arrays: the unfolded graph shares the old). */
  graph(inputShape: Graph["inputShape"], outputNames: string[]): Graph {
    const nodes = this.live();
    for (const node of nodes) {
      if (node.inputs.some((i) => this.alias.has(i))) node.inputs = node.inputs.map((i) => this.resolve(i));
    }
    return { nodes, outputs: this.outputs, outputNames, inputShape };
  }
}

export function fold(graph: Graph): Graph {
  const split = splitActivations(graph);
  const g = new Rewriter(split.nodes, split.outputs);
  for (const node of g.nodes) {
    if (node.op === "identity" || (node.op === "activation" && node.act === "linear")) g.bypass(node);
  }
  for (const node of g.nodes) if (g.isLive(node)) fuseHardSwish(g, node);
  for (const node of g.nodes) {
    if (node.op !== "affine" || !g.isLive(node)) continue;
    const producer = g.soleProducer(node);
    if (isWeighted(producer) && producer.act === "linear" && outChannels(producer) === node.scale.length) {
      scaleOutputs(producer, node.scale, node.shift);
      g.bypass(node);
    }
  }
  for (const node of g.nodes) {
    if (node.op !== "affine" || !g.isLive(node)) continue;
    const producer = g.soleProducer(node);
    if (producer?.op === "affine") {
      composeAffine(producer, node);
      g.bypass(node);
    }
  }
  for (const node of g.nodes) {
    if (node.op !== "activation" || !isKernelActivation(node.act) || !g.isLive(node)) continue;
    const producer = g.soleProducer(node);
    if (isWeighted(producer) && producer.act === "linear") {
      producer.act = node.act;
      g.bypass(node);
    }
  }
  for (const node of g.nodes) {
    if (node.op !== "pad" || node.channelPads || g.isOutput(node.name) || !g.isLive(node)) continue;
    const consumers = g.consumers(node.name);
    if (consumers.length === 0 || !consumers.every(isWindowed)) continue;
    for (const consumer of consumers) {
      const w = (consumer as Extract<Node, { window: unknown }>).window;
      const pads = w.pad.pads.map((p, i) => p + node.pads[i]) as [number, number, number, number];
      (consumer as Extract<Node, { window: unknown }>).window = { ...w, pad: { ...w.pad, pads } };
    }
    g.bypass(node);
  }
  return g.graph(graph.inputShape, graph.outputNames);
}

/**
 * Makes `first` compute `second` after it: x * s1 * s2 + (b1 * s2 + b2) per channel, in double
 * (as a batch norm folds into weights). Each is a scalar or per-channel, so the result has the
 * longer length.
 */
function composeAffine(first: Extract<Node, { op: "affine" }>, second: Extract<Node, { op: "affine" }>): void {
  const [s1, b1, s2, b2] = [first.scale, first.shift, second.scale, second.shift];
  const n = Math.max(s1.length, s2.length);
  const scale = new Float64Array(n);
  const shift = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    const a = s2[c % s2.length];
    scale[c] = s1[c % s1.length] * a;
    shift[c] = b1[c % b1.length] * a + b2[c % b2.length];
  }
  first.scale = scale;
  first.shift = shift;
}

/** A scalar affine node y = x * scale + shift with these values (float32-rounded 1/6 included). */
function isScalarAffine(node: Node | undefined, scale: number, shift: number): boolean {
  return (
    node?.op === "affine" &&
    node.scale.length === 1 &&
    Math.abs(node.scale[0] - scale) < 1e-7 &&
    Math.abs(node.shift[0] - shift) < 1e-7
  );
}

/**
 * Hard-swish as a graph model writes it, x * relu6(x + 3) * (1/6), grouped either way
 * ((x * relu6(x + 3)) / 6 as tf.keras's hard_swish, x * (relu6(x + 3) / 6) as MobileNetV3's
 * hard_sigmoid gate), becomes one hardswish activation of x, which the kernels apply as they
 * store. `end` is the pattern's last node; every node inside it must feed only the next.
 */
function fuseHardSwish(g: Rewriter, end: Node): void {
  /** relu6(x + 3) computed by `name`, read only by the pattern: x and the two nodes. */
  const relu6Plus3 = (name: string): { x: string; nodes: Node[] } | undefined => {
    const relu = g.producerOf(name);
    if (relu?.op !== "activation" || relu.act !== "relu6" || !g.single(relu.name)) return undefined;
    const plus3 = g.producerOf(relu.inputs[0]);
    if (!plus3 || !isScalarAffine(plus3, 1, 3) || !g.single(plus3.name)) return undefined;
    return { x: g.resolve(plus3.inputs[0]), nodes: [relu, plus3] };
  };
  /** x * relu6(x + 3) computed by `mul` (either order): x and the nodes inside. */
  const product = (mul: Node): { x: string; nodes: Node[] } | undefined => {
    if (mul.op !== "mul" || mul.inputs.length !== 2) return undefined;
    const [a, b] = mul.inputs.map((i) => g.resolve(i));
    for (const [x, gate] of [
      [a, b],
      [b, a],
    ]) {
      const found = relu6Plus3(gate);
      if (found?.x === x) return { x, nodes: [mul, ...found.nodes] };
    }
    return undefined;
  };
  let match: { x: string; nodes: Node[] } | undefined;
  if (isScalarAffine(end, 1 / 6, 0)) {
    // (x * relu6(x + 3)) * (1/6)
    const mul = g.producerOf(end.inputs[0]);
    if (mul && g.single(mul.name)) match = product(mul);
  } else if (end.op === "mul" && end.inputs.length === 2) {
    // x * (relu6(x + 3) * (1/6))
    for (const [k, gate] of end.inputs.entries()) {
      const sixth = g.producerOf(gate);
      if (!sixth || !isScalarAffine(sixth, 1 / 6, 0) || !g.single(sixth.name)) continue;
      const found = relu6Plus3(sixth.inputs[0]);
      if (found?.x === g.resolve(end.inputs[1 - k])) {
        match = { x: found.x, nodes: [sixth, ...found.nodes] };
        break;
      }
    }
  }
  if (!match) return;
  g.rewire(end, [match.x]);
  for (const node of match.nodes) g.drop(node);
  // The end node becomes the activation, keeping its name (what the model's consumers read).
  const fused = end as unknown as Record<string, unknown>;
  delete fused.scale;
  delete fused.shift;
  Object.assign(fused, { op: "activation", act: "hardswish" });
}

/**
 * A layer whose own activation the kernels cannot apply gets it as a separate node right after
 * it, which its consumers (and the output) read instead. One pass over the graph.
 */
function splitActivations(graph: Graph): { nodes: Node[]; outputs: string[] } {
  const renamed = new Map<string, string>();
  const nodes: Node[] = [];
  const added: [activation: Node, producer: string][] = [];
  // A file may already name a layer "x/activation": the new node takes a name no layer has.
  const taken = new Set(graph.nodes.map((n) => n.name));
  for (const node of graph.nodes) {
    nodes.push(node);
    if (!isWeighted(node) || isKernelActivation(node.act)) continue;
    const act = node.act;
    node.act = "linear";
    let name = `${node.name}/activation`;
    for (let k = 1; taken.has(name); k++) name = `${node.name}/activation_${k}`;
    taken.add(name);
    renamed.set(node.name, name);
    const activation: Node = { name, className: node.className, inputs: [], params: 0, op: "activation", act };
    nodes.push(activation);
    added.push([activation, node.name]);
  }
  if (renamed.size === 0) return { nodes, outputs: graph.outputs };
  for (const node of nodes) {
    if (node.inputs.some((i) => renamed.has(i))) node.inputs = node.inputs.map((i) => renamed.get(i) ?? i);
  }
  // Set after the renaming, which must not reach them.
  for (const [activation, producer] of added) activation.inputs = [producer];
  return { nodes, outputs: graph.outputs.map((o) => renamed.get(o) ?? o) };
}

function outChannels(node: Weighted): number {
  if (node.op === "dense") return node.units;
  if (node.op === "depthwise") return node.channels * node.multiplier;
  return node.outChannels;
}

/** Multiplies each output channel by scale and adds shift (bias created if absent). */
export function scaleOutputs(node: Weighted, scale: Float64Array, shift: Float64Array): void {
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
