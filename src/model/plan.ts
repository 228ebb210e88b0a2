// Sizing the ops for one input shape: every tensor's full shape (batch first) and its offset
// in the activation arena, shared by tensors whose lifetimes do not overlap. Computed once per
// input shape (at load when the model declares it), so predict() allocates nothing.

import { assignOffsets, type Lifetime } from "./arena.js";
import type { Graph } from "./graph.js";
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
  batch: number;
  /** Dimensions after the batch, by tensor name (what the layers see per image). */
  dims: Map<string, number[]>;
  slots: Map<string, Slot>;
  arenaFloats: number;
  input: Slot;
  output: Slot;
}

/** The tensors an op reads. */
export function opInputs(op: Op): string[] {
  if (op.kind === "pass") return op.inputs;
  if (op.kind === "chain" && op.residual !== undefined) return [op.input, op.residual];
  return [op.input];
}

export function makePlan(graph: Graph, ops: Op[], inputShape: number[]): Plan {
  const batch = inputShape[0];
  const dims = inferShapes(graph, inputShape.slice(1));
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
  touch(graph.output, ops.length);
  const keys = [...lifetimes.keys()];
  const { offsets, total } = assignOffsets(keys.map((k) => lifetimes.get(k) as Lifetime));
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
  return { batch, dims, slots, arenaFloats: total, input: slot(inputName), output: slot(graph.output) };
}
