// Reading a TensorFlow GraphDef as tfjs-converter writes it into a graph model's model.json
// (modelTopology.node: { name, op, input, attr } per node, attr values in protobuf's JSON form:
// int64s as strings, strings base64). Checked for type and read as own properties: the file
// may come from a stranger. The nodes are put in dependency order with an iterative sort, so
// a deep or reordered file costs its size once and never the call stack.

import { show } from "../shapes.js";
import { MAX_NAME_LENGTH, nameTooLong, own } from "./own.js";

const OP = "loadGraphModel";

export interface TfNode {
  name: string;
  op: string;
  /** The tensors read, as node names ("^name" control inputs dropped, ":0" stripped). */
  inputs: string[];
  attr: Attrs;
  /** Its place in the file (the sort reorders). */
  index: number;
}

function fail(message: string): never {
  throw new RangeError(`${OP}: ${message}`);
}

function typeError(message: string): never {
  throw new TypeError(`${OP}: ${message}`);
}

/** The attributes of one node, with errors naming the node, the attribute and its value. */
export class Attrs {
  constructor(
    private readonly node: string,
    private readonly op: string,
    private readonly raw: object,
  ) {}

  private where(key: string): string {
    return `node '${this.node}' (${this.op}): attr ${key}`;
  }

  has(key: string): boolean {
    return own(this.raw, key) !== undefined;
  }

  /** The attr's value object ({ i }, { f }, { list }, ...), or undefined. */
  private value(key: string): Record<string, unknown> | undefined {
    const v = own(this.raw, key);
    if (v === undefined) return undefined;
    if (v === null || typeof v !== "object") typeError(`${this.where(key)} (${show(v)}) must be an object`);
    return v as Record<string, unknown>;
  }

  int(key: string, fallback: number): number {
    const v = this.value(key);
    if (v === undefined) return fallback;
    const n = Number(own(v, "i") ?? 0);
    if (!Number.isSafeInteger(n)) typeError(`${this.where(key)} (${show(own(v, "i"))}) must be an integer`);
    return n;
  }

  float(key: string, fallback: number): number {
    const v = this.value(key);
    if (v === undefined) return fallback;
    const f = own(v, "f") ?? 0;
    if (typeof f !== "number") typeError(`${this.where(key)} (${show(f)}) must be a number`);
    return f;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.value(key);
    if (v === undefined) return fallback;
    const b = own(v, "b") ?? false;
    if (typeof b !== "boolean") typeError(`${this.where(key)} (${show(b)}) must be true or false`);
    return b;
  }

  /** A string attr (stored base64), or `fallback`. */
  string(key: string, fallback: string): string {
    const v = this.value(key);
    if (v === undefined) return fallback;
    return decode(own(v, "s") ?? "", this.where(key));
  }

  /** A list of integers ({ list: { i: [...] } }); [] when absent. */
  ints(key: string): number[] {
    const list = this.list(key, "i");
    return list.map((item) => {
      const n = Number(item);
      if (typeof item !== "string" && typeof item !== "number")
        typeError(`${this.where(key)}: ${show(item)} is not an integer`);
      if (!Number.isSafeInteger(n)) typeError(`${this.where(key)}: ${show(item)} is not an integer`);
      return n;
    });
  }

  /** A list of strings; [] when absent. */
  strings(key: string): string[] {
    return this.list(key, "s").map((item) => decode(item, this.where(key)));
  }

  /** The dimensions of a shape attr ({ shape: { dim: [{ size }] } }), -1 for unknown; undefined when absent. */
  shape(key: string): number[] | undefined {
    const v = this.value(key);
    const shape = v && own(v, "shape");
    if (shape === undefined) return undefined;
    if (shape === null || typeof shape !== "object") typeError(`${this.where(key)} (${show(shape)}) must be a shape`);
    if (own(shape, "unknownRank") === true) return undefined;
    const dims = own(shape, "dim") ?? [];
    if (!Array.isArray(dims) || dims.length > 8)
      typeError(`${this.where(key)}.dim (${show(dims)}) must be a list of dimensions`);
    return dims.map((d) => {
      const size = Number(d !== null && typeof d === "object" ? (own(d, "size") ?? 0) : Number.NaN);
      if (!Number.isSafeInteger(size) || size < -1) typeError(`${this.where(key)}: dimension ${show(d)} is not a size`);
      return size;
    });
  }

  private list(key: string, field: string): unknown[] {
    const v = this.value(key);
    if (v === undefined) return [];
    const list = own(v, "list");
    if (list === undefined) return [];
    if (list === null || typeof list !== "object")
      typeError(`${this.where(key)}.list (${show(list)}) must be an object`);
    const items = own(list, field) ?? [];
    if (!Array.isArray(items)) typeError(`${this.where(key)}.list.${field} (${show(items)}) must be an array`);
    return items;
  }
}

function decode(base64: unknown, where: string): string {
  if (typeof base64 !== "string" || base64.length > 4 * MAX_NAME_LENGTH) {
    typeError(`${where} (${show(base64)}) must be a base64 string`);
  }
  try {
    return atob(base64);
  } catch {
    return typeError(`${where} (${show(base64)}) is not base64`);
  }
}

/** The nodes of `topology` (modelTopology of a graph model) in dependency order. */
export function readGraphDef(topology: object): TfNode[] {
  const list = own(topology, "node");
  if (!Array.isArray(list)) {
    const layers = own(topology, "model_config") !== undefined || own(topology, "class_name") !== undefined;
    typeError(
      `modelTopology.node (${show(list)}) must be the graph's list of nodes` +
        (layers ? " (this is a layers model: load it with loadLayersModel)" : ""),
    );
  }
  const byName = new Map<string, TfNode>();
  const nodes = list.map((raw, i): TfNode => {
    const where = `modelTopology.node[${i}]`;
    if (raw === null || typeof raw !== "object") typeError(`${where} (${show(raw)}) must be an object`);
    const name = own(raw, "name");
    const op = own(raw, "op");
    const input = own(raw, "input") ?? [];
    const attr = own(raw, "attr") ?? {};
    if (typeof name !== "string" || name === "") typeError(`${where}.name (${show(name)}) must be a non-empty string`);
    if (name.length > MAX_NAME_LENGTH) throw nameTooLong(`${where}.name`, name, OP);
    if (typeof op !== "string") typeError(`${where}.op (${show(op)}) of '${name}' must be a string`);
    if (!Array.isArray(input) || !input.every((s) => typeof s === "string")) {
      typeError(`${where}.input (${show(input)}) of '${name}' must be a list of node names`);
    }
    if (attr === null || typeof attr !== "object")
      typeError(`${where}.attr (${show(attr)}) of '${name}' must be an object`);
    if (byName.has(name)) fail(`${where}: two nodes are named '${name}'`);
    const inputs: string[] = [];
    for (const ref of input as string[]) {
      if (ref.startsWith("^")) continue; // a control dependency: no data flows
      const colon = ref.lastIndexOf(":");
      const index = colon < 0 ? "0" : ref.slice(colon + 1);
      if (index !== "0" && /^\d+$/.test(index)) {
        fail(
          `node '${name}' (${op}) reads output ${index} of '${ref.slice(0, colon)}'; only first outputs are supported`,
        );
      }
      inputs.push(colon >= 0 && /^\d+$/.test(index) ? ref.slice(0, colon) : ref);
    }
    const node = { name, op, inputs, attr: new Attrs(name, op, attr), index: i };
    byName.set(name, node);
    return node;
  });
  return sorted(nodes, byName);
}

/** Kahn's sort: every node after its inputs; throws on a missing input or a cycle. */
function sorted(nodes: TfNode[], byName: Map<string, TfNode>): TfNode[] {
  const waiting = new Map<TfNode, number>();
  const readers = new Map<string, TfNode[]>();
  const ready: TfNode[] = [];
  for (const node of nodes) {
    for (const input of node.inputs) {
      if (!byName.has(input)) fail(`node '${node.name}' (${node.op}) reads '${input}', which no node is named`);
      const list = readers.get(input);
      if (list) list.push(node);
      else readers.set(input, [node]);
    }
    waiting.set(node, node.inputs.length);
    if (node.inputs.length === 0) ready.push(node);
  }
  const order: TfNode[] = [];
  while (ready.length > 0) {
    const node = ready.pop() as TfNode;
    order.push(node);
    for (const reader of readers.get(node.name) ?? []) {
      // A node reading one tensor twice is counted twice, and released after both.
      const left = (waiting.get(reader) as number) - 1;
      waiting.set(reader, left);
      if (left === 0) ready.push(reader);
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((n) => (waiting.get(n) as number) > 0) as TfNode;
    fail(`node '${stuck.name}' (${stuck.op}) is on a cycle (a graph model must be acyclic)`);
  }
  return order;
}
