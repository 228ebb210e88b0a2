// The input of loadLayersModel: TensorFlow.js layers-model artifacts, the object that
// tf.io.fromMemory takes and model.save() writes (a Keras topology, weight specs and the
// concatenated weight bytes). Only the fields sepconv reads are typed.

import { show } from "../shapes.js";

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

const OP = "loadLayersModel";

/** The artifacts' parts, checked for type: the topology parsed, the weight bytes joined. */
export function readArtifacts(artifacts: unknown): { topology: unknown; specs: WeightSpec[]; bytes: Uint8Array } {
  if (artifacts === null || typeof artifacts !== "object") {
    throw new TypeError(
      `${OP}: artifacts (${show(artifacts)}) must be an object { modelTopology, weightSpecs, weightData }`,
    );
  }
  const { modelTopology, weightSpecs, weightData } = artifacts as Partial<ModelArtifacts>;
  let topology: unknown = modelTopology;
  if (typeof modelTopology === "string") {
    try {
      topology = JSON.parse(modelTopology);
    } catch (cause) {
      throw new TypeError(`${OP}: artifacts.modelTopology is a string but not JSON (${(cause as Error).message})`);
    }
  }
  if (topology === null || typeof topology !== "object" || Array.isArray(topology)) {
    throw new TypeError(`${OP}: artifacts.modelTopology (${show(modelTopology)}) must be the Keras model JSON object`);
  }
  if (!Array.isArray(weightSpecs)) {
    throw new TypeError(`${OP}: artifacts.weightSpecs (${show(weightSpecs)}) must be an array of weight specs`);
  }
  return { topology, specs: weightSpecs, bytes: joinBytes(weightData) };
}

function joinBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data) && data.every((part) => part instanceof ArrayBuffer)) {
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
    `${OP}: artifacts.weightData (${show(data)}) must be an ArrayBuffer, an array of ArrayBuffers or a typed array`,
  );
}
