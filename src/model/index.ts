// The model loaders: TensorFlow.js layers models and graph models -> one graph runtime on
// sepconv's kernels (fold, fuse, plan, steps).

import { activeRuntime } from "../init.js";
import { show } from "../shapes.js";
import { type ModelArtifacts, readArtifacts } from "./artifacts.js";
import { toGraph } from "./convert.js";
import { withoutWeights } from "./cost.js";
import { type FetchOptions, fetchBytes, fetchModelJson } from "./fetch-artifacts.js";
import { fold } from "./fold.js";
import type { Graph } from "./graph.js";
import { graphFromTf } from "./graph-convert.js";
import { Model } from "./model.js";
import { buildOps, type Fusion } from "./ops.js";
import { own } from "./own.js";
import { graphFromTflite } from "./tflite/convert.js";
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

/** The options of a load from a URL or path: how to fetch, and the model's. */
export interface UrlLoadOptions extends LoadOptions, FetchOptions {}

const FUSIONS: readonly Fusion[] = ["full", "separable", "none"];
const FETCH_KEYS = ["fetch", "requestInit", "onProgress"];

function fusionOf(options: LoadOptions, op: string, fromUrl: boolean): Fusion {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${op}: options (${show(options)}) must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (key === "fusion" || (fromUrl && FETCH_KEYS.includes(key))) continue;
    const expected = fromUrl ? `fusion, ${FETCH_KEYS.join(", ")}` : "fusion; fetch options apply to a URL";
    throw new TypeError(`${op}: options.${key} is not an option (expected ${expected})`);
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

function isSource(x: unknown): x is string | URL {
  return typeof x === "string" || x instanceof URL;
}

/** model.json's parts as artifacts, refused when its format is the other loader's. */
async function fetchArtifacts(source: string | URL, options: UrlLoadOptions, op: string, format: string) {
  fusionOf(options, op, true);
  const { json, weightSpecs, weightData, url } = await fetchModelJson(source, op, options);
  const got = own(json, "format");
  if (got !== undefined && got !== format) {
    const other = got === "graph-model" ? "loadGraphModel" : got === "layers-model" ? "loadLayersModel" : undefined;
    throw new TypeError(
      `${op}: ${url} has format ${show(got)}, not "${format}"${other ? `: load it with ${other}` : ""}`,
    );
  }
  return { modelTopology: own(json, "modelTopology") as object, weightSpecs, weightData };
}

/**
 * Loads a TensorFlow.js layers model onto the build init() chose: from artifacts in memory
 * (what tf.io.fromMemory takes, model.save() writes), or from model.json's URL or path, with
 * its weight files next to it (then it returns a Promise). Weights are dequantized, batch
 * norms folded and packed once.
 */
export function loadLayersModel(artifacts: ModelArtifacts, options?: LoadOptions): Model;
export function loadLayersModel(url: string | URL, options?: UrlLoadOptions): Promise<Model>;
export function loadLayersModel(
  source: ModelArtifacts | string | URL,
  options: UrlLoadOptions = {},
): Model | Promise<Model> {
  const op = "loadLayersModel";
  if (isSource(source)) {
    return fetchArtifacts(source, options, op, "layers-model").then((a) =>
      loadLayersModel(a, { fusion: own(options, "fusion") as Fusion }),
    );
  }
  activeRuntime(op);
  const fusion = fusionOf(options, op, false);
  const { topology, specs, bytes } = readArtifacts(source, op);
  return modelOf(toGraph(parseTopology(topology), decodeWeights(specs, bytes, op)), fusion, op);
}

/**
 * Loads a TensorFlow.js graph model (tfjs-converter's output, format "graph-model") onto the
 * build init() chose: from artifacts { modelTopology, weightSpecs, weightData } in memory, or
 * from model.json's URL or path (then it returns a Promise). TensorFlow ops become the nodes
 * the layers path makes, so they fold and fuse alike.
 */
export function loadGraphModel(artifacts: ModelArtifacts, options?: LoadOptions): Model;
export function loadGraphModel(url: string | URL, options?: UrlLoadOptions): Promise<Model>;
export function loadGraphModel(
  source: ModelArtifacts | string | URL,
  options: UrlLoadOptions = {},
): Model | Promise<Model> {
  const op = "loadGraphModel";
  if (isSource(source)) {
    return fetchArtifacts(source, options, op, "graph-model").then((a) =>
      loadGraphModel(a, { fusion: own(options, "fusion") as Fusion }),
    );
  }
  activeRuntime(op);
  const fusion = fusionOf(options, op, false);
  const { topology, specs, bytes } = readArtifacts(source, op);
  return modelOf(graphFromTf(topology as object, decodeWeights(specs, bytes, op)), fusion, op);
}

/** The bytes of a .tflite file, checked for type. */
function tfliteBytes(source: unknown, op: string): Uint8Array {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  throw new TypeError(
    `${op}: model (${show(source)}) must be the file's bytes (an ArrayBuffer or a typed array), or its URL or path`,
  );
}

/**
 * Loads a TFLite model (a .tflite file: float32 or float16 weights) onto the build init() chose:
 * from its bytes, or from its URL or path (then it returns a Promise). The file is read with
 * accessors generated from TFLite's schema; its operators become the nodes the other loaders
 * make, so they fold and fuse alike. Outputs are named as the file's signature names them.
 */
export function loadTFLiteModel(model: ArrayBuffer | ArrayBufferView, options?: LoadOptions): Model;
export function loadTFLiteModel(url: string | URL, options?: UrlLoadOptions): Promise<Model>;
export function loadTFLiteModel(
  source: ArrayBuffer | ArrayBufferView | string | URL,
  options: UrlLoadOptions = {},
): Model | Promise<Model> {
  const op = "loadTFLiteModel";
  if (isSource(source)) {
    fusionOf(options, op, true);
    return fetchBytes(source, op, options).then((bytes) =>
      loadTFLiteModel(bytes, { fusion: own(options, "fusion") as Fusion }),
    );
  }
  activeRuntime(op);
  const fusion = fusionOf(options, op, false);
  return modelOf(graphFromTflite(tfliteBytes(source, op)), fusion, op);
}

export type { ModelArtifacts, WeightSpec } from "./artifacts.js";
export type { LayerCost, ModelCost } from "./cost.js";
export type { FetchOptions } from "./fetch-artifacts.js";
export type { GraphModel, LayersModel, Model, OpDescription } from "./model.js";
export type { Fusion };
