// Sizing the ops for one input shape: every tensor's full shape (batch first) and its offset
// in the activation arena, shared by tensors whose lifetimes do not overlap. Computed once per
// input shape (at load when the model declares it), so predict() allocates nothing.

import { MAX_BYTES, show } from "../shapes.js";
import { assignOffsets, type Lifetime } from "./arena.js";
import type { Graph, Node } from "./graph.js";
import type { Op } from "./ops.js";
import { inferShapes } from "./shape-inference.js";

export interface Slot {
  /** Batch first. */
  shape: number[];
  size: number;
  /** Floats from the start of the arena. */
  offset: number;
}

export interface Plan {
  /** The public function planning (loadLayersModel or predict), named in errors. */
  op: string;
  batch: number;
  /** Dimensions after the batch, by tensor name (what the layers see per image). */
  dims: Map<string, number[]>;
  slots: Map<string, Slot>;
  arenaFloats: number;
  input: Slot;
  /** In the graph's output order. */
  outputs: Slot[];
}

/** The tensors an op reads. */
export function opInputs(op: Op): string[] {
  if (op.kind === "pass") return op.inputs;
  if (op.kind === "chain" && op.residual !== undefined) return [op.input, op.residual];
  return [op.input];
}

/**
 * Throws unless a tensor of `shape` fits in WebAssembly's 4 GiB memory: every backend checks
 * before allocating, so the plain-JS one fails as the builds do rather than allocating
 * gigabytes (or failing with the engine's "Invalid typed array length").
 */
export function checkTensorBytes(op: string, node: Node, what: string, shape: readonly number[]): void {
  const bytes = 4 * shape.reduce((a, b) => a * b, 1);
  if (bytes > MAX_BYTES) {
    throw new RangeError(
      `${op}: layer '${node.name}' (${node.className}): ${what} ${show(shape)} would take ${bytes} bytes; ` +
        `every tensor must fit in WebAssembly's 4 GiB memory (${MAX_BYTES} bytes)`,
    );
  }
}

export function makePlan(graph: Graph, ops: Op[], inputShape: number[], op: string): Plan {
  const batch = inputShape[0];
  checkTensorBytes(op, graph.nodes[0], "its output", inputShape);
  const dims = inferShapes(graph, inputShape.slice(1), op);
  for (const node of graph.nodes)
    checkTensorBytes(op, node, "its output", [batch, ...(dims.get(node.name) as number[])]);
  const inputName = graph.nodes[0].name;
  // Reshapes share their input's storage: follow them to the tensor that owns it.
  const owner = new Map<string, string>();
  const root = (name: string): string => owner.get(name) ?? name;
  for (const op of ops) if (op.kind === "reshape") owner.set(op.output, root(op.input));
  const lifetimes = new Map<string, Lifetime>();
  const touch = (name: string, index: number) => {
    const key = root(name);
    const size = batch * (dims.get(key) as number[]).reduce((a, b) => a * b, 1);
    const life = lifetimes.get(key);
    if (!life) lifetimes.set(key, { size, first: index, last: index });
    else life.last = Math.max(life.last, index);
  };
  touch(inputName, -1);
  ops.forEach((op, i) => {
    for (const name of opInputs(op)) touch(name, i);
    touch(op.output, i);
  });
  for (const output of graph.outputs) touch(output, ops.length);
  const keys = [...lifetimes.keys()];
  const { offsets, total } = assignOffsets(keys.map((k) => lifetimes.get(k) as Lifetime));
  if (4 * total > MAX_BYTES) {
    throw new RangeError(
      `${op}: the activation buffers for input shape ${show(inputShape)} would take ${4 * total} bytes; ` +
        `they must fit in WebAssembly's 4 GiB memory (${MAX_BYTES} bytes)`,
    );
  }
  const offsetOf = new Map(keys.map((k, i) => [k, offsets[i]]));
  const slots = new Map<string, Slot>();
  const slot = (name: string): Slot => {
    let s = slots.get(name);
    if (!s) {
      const d = dims.get(name) as number[];
      s = {
        shape: [batch, ...d],
        size: batch * d.reduce((a, b) => a * b, 1),
        offset: offsetOf.get(root(name)) as number,
      };
      slots.set(name, s);
    }
    return s;
  };
  slot(inputName);
  for (const op of ops) {
    for (const name of opInputs(op)) slot(name);
    slot(op.output);
  }
  const input = slot(inputName);
  return { op, batch, dims, slots, arenaFloats: total, input, outputs: graph.outputs.map(slot) };
}
