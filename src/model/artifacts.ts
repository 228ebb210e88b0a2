// The input of loadLayersModel: TensorFlow.js layers-model artifacts, the object that
// tf.io.fromMemory takes and model.save() writes (a Keras topology, weight specs and the
// concatenated weight bytes). Only the fields sepconv reads are typed.

import { isDetached, show } from "../shapes.js";
import { own } from "./own.js";

/** How one weight is stored in `weightData` (tf.io.WeightsManifestEntry). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  /** Stored as uint8/uint16 (value = q * scale + min) or float16 instead of float32. */
  quantization?: { dtype: string; min?: number; scale?: number };
}

/** A TensorFlow.js layers model held in memory (tf.io.ModelArtifacts). */
export interface ModelArtifacts {
  /** The Keras model JSON (an object, or its text). */
  modelTopology: object | string;
  weightSpecs: WeightSpec[];
  /** The weights' bytes in weightSpecs order: one buffer, a list of them, or a view. */
  weightData: ArrayBuffer | ArrayBuffer[] | ArrayBufferView;
}

/** Where the artifacts come from, for the errors of someone holding something else. */
const HOW_TO_READ =
  "pass model.json's URL or path instead (the loader then fetches it and its weight files), or " +
  "read model.json and its weight files (weightSpecs: the weights of every weightsManifest group; " +
  "weightData: the bytes of the files their paths name, concatenated), or with TensorFlow.js " +
  "`await tf.io.http(url).load()` (any tf.io handler's load() returns artifacts); " +
  'see "Running a model" in the README';

/** The artifacts' parts, checked for type: the topology parsed, the weight bytes joined. */
export function readArtifacts(
  artifacts: unknown,
  op = "loadLayersModel",
): { topology: unknown; specs: WeightSpec[]; bytes: Uint8Array } {
  if (artifacts === null || typeof artifacts !== "object") {
    throw new TypeError(
      `${op}: artifacts (${show(artifacts)}) must be an object { modelTopology, weightSpecs, weightData }`,
    );
  }
  const modelTopology = own(artifacts, "modelTopology");
  const weightSpecs = own(artifacts, "weightSpecs");
  const weightData = own(artifacts, "weightData");
  if (weightSpecs === undefined && weightData === undefined) notArtifacts(artifacts, modelTopology, op);
  let topology: unknown = modelTopology;
  if (typeof modelTopology === "string") {
    try {
      topology = JSON.parse(modelTopology);
    } catch (cause) {
      throw new TypeError(`${op}: artifacts.modelTopology is a string but not JSON (${(cause as Error).message})`);
    }
  }
  if (topology === null || typeof topology !== "object" || Array.isArray(topology)) {
    throw new TypeError(`${op}: artifacts.modelTopology (${show(modelTopology)}) must be the Keras model JSON object`);
  }
  if (!Array.isArray(weightSpecs)) {
    throw new TypeError(`${op}: artifacts.weightSpecs (${show(weightSpecs)}) must be an array of weight specs`);
  }
  return { topology, specs: weightSpecs, bytes: joinBytes(weightData, op) };
}

/** Throws, saying what to pass instead, when `artifacts` is a model.json or a Keras model config. */
function notArtifacts(artifacts: object, modelTopology: unknown, op: string): void {
  if (own(artifacts, "weightsManifest") !== undefined) {
    throw new TypeError(
      `${op}: artifacts is a model.json (it has weightsManifest, not weightSpecs and weightData); pass ` +
        `{ modelTopology: json.modelTopology, weightSpecs, weightData }: ${HOW_TO_READ}`,
    );
  }
  if (
    modelTopology === undefined &&
    (typeof own(artifacts, "class_name") === "string" || own(artifacts, "model_config"))
  ) {
    throw new TypeError(
      `${op}: artifacts is a Keras model config (it has ${own(artifacts, "model_config") ? "model_config" : "class_name"}); ` +
        `pass it as modelTopology, with its weights: { modelTopology, weightSpecs, weightData }: ${HOW_TO_READ}`,
    );
  }
}

function detached(arg: string, op: string): RangeError {
  return new RangeError(
    `${op}: ${arg} is a detached ArrayBuffer (it was transferred, e.g. to a worker); pass bytes that are still readable`,
  );
}

function joinBytes(data: unknown, op: string): Uint8Array {
  if (data instanceof ArrayBuffer) {
    if (isDetached(data)) throw detached("artifacts.weightData", op);
    return new Uint8Array(data);
  }
  if (ArrayBuffer.isView(data)) {
    if (isDetached(data.buffer)) throw detached("artifacts.weightData.buffer", op);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  if (Array.isArray(data) && data.every((part) => part instanceof ArrayBuffer)) {
    data.forEach((part, i) => {
      if (isDetached(part)) throw detached(`artifacts.weightData[${i}]`, op);
    });
    const total = data.reduce((sum, part: ArrayBuffer) => sum + part.byteLength, 0);
    const joined = new Uint8Array(total);
    let offset = 0;
    for (const part of data as ArrayBuffer[]) {
      joined.set(new Uint8Array(part), offset);
      offset += part.byteLength;
    }
    return joined;
  }
  throw new TypeError(
    `${op}: artifacts.weightData (${show(data)}) must be an ArrayBuffer, an array of ArrayBuffers or a typed array`,
  );
}
