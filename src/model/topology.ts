// The Keras model JSON in modelTopology, as written by Keras 2 (and tfjs-layers) for
// Sequential and functional models (class Model or Functional), reduced to what a runner
// needs: the layers that feed the output, in an order where every layer follows its inputs.

import { show } from "../shapes.js";
import { MAX_NAME_LENGTH, nameTooLong, own } from "./own.js";

export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the layers whose outputs this layer takes, in order. */
  inputs: string[];
}

export interface Topology {
  /** Dependency order, from the input layer to the output layer. */
  layers: KerasLayer[];
  input: string;
  outputs: string[];
  /** The input's shape with the batch first; null where any size is accepted. */
  inputShape: (number | null)[];
}

const OP = "loadLayersModel";

/** A malformed topology. */
function fail(message: string): never {
  throw new TypeError(`${OP}: ${message}`);
}

/** A well-formed topology that uses something sepconv does not run. */
function unsupported(message: string): never {
  throw new RangeError(`${OP}: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The Keras model config: modelTopology itself, or its model_config (Keras's full model JSON). */
function modelConfig(json: unknown): Record<string, unknown> | undefined {
  const inner = isObject(json) ? own(json, "model_config") : undefined;
  const root = isObject(inner) ? inner : json;
  return isObject(root) ? root : undefined;
}

export function parseTopology(json: unknown): Topology {
  const root = modelConfig(json);
  if (!root) fail(`artifacts.modelTopology (${show(json)}) has no model config`);
  const kind = own(root, "class_name");
  if (kind === "Sequential") return sequential(own(root, "config"));
  if (kind === "Model" || kind === "Functional") return functional(own(root, "config"));
  return unsupported(
    `artifacts.modelTopology: class_name (${show(kind)}) is not supported; expected "Sequential", "Model" or "Functional"`,
  );
}

function layerOf(raw: unknown, where: string): Omit<KerasLayer, "inputs"> & { raw: Record<string, unknown> } {
  if (!isObject(raw)) fail(`${where} (${show(raw)}) must be a layer object`);
  const ownConfig = own(raw, "config");
  const config = isObject(ownConfig) ? ownConfig : {};
  const rawName = own(raw, "name");
  const name = typeof rawName === "string" ? rawName : own(config, "name");
  if (typeof name !== "string") fail(`${where} has no name`);
  if (name.length > MAX_NAME_LENGTH) throw nameTooLong(`${where}'s name`, name);
  const className = own(raw, "class_name");
  if (typeof className !== "string") fail(`layer '${name}' has no class_name`);
  return { name, className, config, raw };
}

function shapeOf(config: Record<string, unknown>, layer: string): (number | null)[] | undefined {
  const shape = own(config, "batch_input_shape") ?? own(config, "batch_shape");
  if (shape === undefined || shape === null) return undefined;
  if (!Array.isArray(shape) || shape.length < 2 || !shape.every((d) => d === null || (Number.isInteger(d) && d > 0))) {
    fail(
      `layer '${layer}': batch_input_shape (${show(shape)}) must be [batch, ...dimensions] of positive integers or null`,
    );
  }
  return shape as (number | null)[];
}

function sequential(config: unknown): Topology {
  const list = Array.isArray(config) ? config : isObject(config) ? own(config, "layers") : undefined;
  if (!Array.isArray(list) || list.length === 0) fail("the Sequential model has no layers");
  // Array.from: a gap in the list is an undefined layer (refused), not one skipped.
  const parsed = Array.from(list, (raw, i) => layerOf(raw, `Sequential layer ${i}`));
  const first = parsed[0];
  const inputShape = shapeOf(first.config, first.name);
  if (!inputShape) fail(`the first layer '${first.name}' of the Sequential model has no batch_input_shape`);
  const layers: KerasLayer[] = [];
  let previous: string;
  if (first.className === "InputLayer") {
    layers.push({ name: first.name, className: "InputLayer", config: first.config, inputs: [] });
    previous = first.name;
  } else {
    previous = `${first.name}_input`;
    layers.push({ name: previous, className: "InputLayer", config: { batch_input_shape: inputShape }, inputs: [] });
  }
  for (const layer of parsed.slice(first.className === "InputLayer" ? 1 : 0)) {
    layers.push({ name: layer.name, className: layer.className, config: layer.config, inputs: [previous] });
    previous = layer.name;
  }
  checkUnique(layers);
  return { layers, input: layers[0].name, outputs: [previous], inputShape };
}

function functional(config: unknown): Topology {
  const list = isObject(config) ? own(config, "layers") : undefined;
  if (!isObject(config) || !Array.isArray(list)) fail("the functional model config has no layers");
  const byName = new Map<string, KerasLayer>();
  Array.from(list).forEach((raw, i) => {
    const layer = layerOf(raw, `layer ${i}`);
    const node: KerasLayer = {
      name: layer.name,
      className: layer.className,
      config: layer.config,
      inputs: inboundLayers(own(layer.raw, "inbound_nodes"), layer.name),
    };
    if (byName.has(node.name)) fail(`two layers are named '${node.name}'`);
    byName.set(node.name, node);
  });
  const [input, ...others] = endpoints(own(config, "input_layers"), "input");
  if (others.length > 0)
    unsupported(`models with ${others.length + 1} inputs are not supported (input_layers ${show([input, ...others])})`);
  const outputs = endpoints(own(config, "output_layers"), "output");
  const inputLayer = byName.get(input);
  if (!inputLayer) fail(`the input layer '${input}' is not among the layers`);
  const inputShape = shapeOf(inputLayer.config, input);
  if (inputLayer.className !== "InputLayer" || !inputShape) {
    fail(`the input layer '${input}' must be an InputLayer with a batch_input_shape`);
  }
  return { layers: dependencyOrder(byName, input, outputs), input, outputs, inputShape };
}

/** The layers named by input_layers / output_layers ([[name, 0, 0], ...]). */
function endpoints(list: unknown, what: string): string[] {
  if (!Array.isArray(list) || list.length === 0) fail(`the model config has no ${what}_layers`);
  return list.map((entry) => {
    if (!Array.isArray(entry)) fail(`${what}_layers ${show(list)} must be [[layer name, 0, 0], ...]`);
    const [name, node, tensor] = entry as unknown[];
    if (typeof name !== "string" || (node ?? 0) !== 0 || (tensor ?? 0) !== 0) {
      fail(`${what}_layers ${show(list)} must name layers' first outputs`);
    }
    return name;
  });
}

/**
 * Producers of a layer's inputs. Keras 2 writes inbound_nodes as [[[name, node, tensor, kwargs], ...]];
 * Keras 3 as [{ args: [...keras tensors with config.keras_history [name, node, tensor]] }].
 * A layer called more than once (shared weights) has several nodes: not supported.
 */
function inboundLayers(nodes: unknown, layer: string): string[] {
  if (nodes === undefined || nodes === null || (Array.isArray(nodes) && nodes.length === 0)) return [];
  if (!Array.isArray(nodes)) fail(`layer '${layer}': inbound_nodes (${show(nodes)}) must be an array`);
  if (nodes.length > 1)
    unsupported(`layer '${layer}' is called ${nodes.length} times (shared layers are not supported)`);
  const node = nodes[0];
  const histories: unknown[][] = [];
  if (Array.isArray(node)) {
    for (const entry of node) histories.push(Array.isArray(entry) ? entry : []);
  } else if (isObject(node)) {
    collectKeras3(own(node, "args"), histories);
  }
  if (histories.length === 0) fail(`layer '${layer}': inbound_nodes (${show(nodes)}) name no input`);
  return histories.map((entry) => {
    const [name, nodeIndex, tensorIndex] = entry;
    if (typeof name !== "string" || (nodeIndex ?? 0) !== 0 || (tensorIndex ?? 0) !== 0) {
      fail(`layer '${layer}': input ${show(entry.slice(0, 3))} must be another layer's first output`);
    }
    return name;
  });
}

/**
 * The keras tensors in `args`, in order, however deeply their lists nest: walked with a stack,
 * not recursion, and each list once (a list that contains itself must not loop forever).
 */
function collectKeras3(args: unknown, out: unknown[][]): void {
  const stack: unknown[] = [args];
  const seen = new Set<unknown[]>();
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      if (seen.has(value)) continue;
      seen.add(value);
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
    } else if (isObject(value) && own(value, "class_name") === "__keras_tensor__") {
      const config = own(value, "config");
      if (!isObject(config)) continue;
      const history = own(config, "keras_history");
      out.push(Array.isArray(history) ? history : []);
    }
  }
}

/**
 * The layers the output depends on, each after its inputs: depth-first from the output, with an
 * explicit stack (a chain of thousands of layers would overflow the call stack).
 */
function dependencyOrder(byName: Map<string, KerasLayer>, input: string, outputs: string[]): KerasLayer[] {
  const order: KerasLayer[] = [];
  const state = new Map<string, "visiting" | "done">();
  /** Layers being visited, each with the index of its next input to visit. */
  const stack: { layer: KerasLayer; next: number }[] = [];
  const enter = (name: string, from: string): void => {
    const layer = byName.get(name);
    if (!layer) fail(`layer '${from}' takes the output of '${name}', which is not among the layers`);
    const s = state.get(name);
    if (s === "done") return;
    if (s === "visiting") fail(`the layers form a cycle through '${name}'`);
    state.set(name, "visiting");
    if (layer.inputs.length === 0 && name !== input) {
      unsupported(
        `layer '${name}' has no inputs and is not the model input '${input}' (models with several inputs are not supported)`,
      );
    }
    stack.push({ layer, next: 0 });
  };
  for (const output of outputs) {
    enter(output, "output_layers");
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.layer.inputs.length) {
        enter(top.layer.inputs[top.next++], top.layer.name);
      } else {
        stack.pop();
        state.set(top.layer.name, "done");
        order.push(top.layer);
      }
    }
    if (state.get(input) !== "done") fail(`the output '${output}' does not depend on the input '${input}'`);
  }
  return order;
}

function checkUnique(layers: KerasLayer[]): void {
  const seen = new Set<string>();
  for (const { name } of layers) {
    if (seen.has(name)) fail(`two layers are named '${name}'`);
    seen.add(name);
  }
}
