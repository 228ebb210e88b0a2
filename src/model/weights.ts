// Weight decoding: the bytes of `weightData` cut in weightSpecs order and dequantized to
// float32 exactly as TensorFlow.js does (uint8/uint16: q * scale + min computed in double
// and rounded once; float16: widened), so both start from identical weights.

import { show } from "../shapes.js";
import type { WeightSpec } from "./artifacts.js";
import { halfToFloat } from "./float16.js";

export interface Weight {
  shape: number[];
  data: Float32Array;
}

const OP = "loadLayersModel";
const STORED_BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

/** Every weight by name. Throws when a spec is malformed or the bytes run out or are left over. */
export function decodeWeights(specs: WeightSpec[], bytes: Uint8Array): Map<string, Weight> {
  const weights = new Map<string, Weight>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  specs.forEach((spec, i) => {
    const arg = `artifacts.weightSpecs[${i}]`;
    checkSpec(spec, arg);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const stored = spec.quantization ? spec.quantization.dtype : spec.dtype;
    const byteLength = size * STORED_BYTES[stored];
    if (offset + byteLength > bytes.byteLength) {
      throw new RangeError(
        `${OP}: artifacts.weightData (${bytes.byteLength} bytes) ends before weight '${spec.name}' ` +
          `(${byteLength} bytes of ${stored} at byte ${offset})`,
      );
    }
    weights.set(spec.name, { shape: spec.shape.slice(), data: decodeOne(spec, view, offset, size) });
    offset += byteLength;
  });
  if (offset !== bytes.byteLength) {
    throw new RangeError(
      `${OP}: artifacts.weightData has ${bytes.byteLength} bytes but artifacts.weightSpecs describe ${offset}`,
    );
  }
  return weights;
}

function checkSpec(spec: WeightSpec, arg: string): void {
  if (spec === null || typeof spec !== "object") throw new TypeError(`${OP}: ${arg} (${show(spec)}) must be an object`);
  if (typeof spec.name !== "string") throw new TypeError(`${OP}: ${arg}.name (${show(spec.name)}) must be a string`);
  if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`${OP}: ${arg}.shape (${show(spec.shape)}) of '${spec.name}' must be non-negative integers`);
  }
  if (spec.dtype !== "float32" && spec.dtype !== "int32") {
    throw new RangeError(`${OP}: ${arg}.dtype (${show(spec.dtype)}) of '${spec.name}' must be "float32" or "int32"`);
  }
  const q = spec.quantization;
  if (q === undefined || q === null) return;
  if (q.dtype === "uint8" || q.dtype === "uint16") {
    if (typeof q.min !== "number" || typeof q.scale !== "number") {
      throw new TypeError(
        `${OP}: ${arg}.quantization of '${spec.name}' (${q.dtype}) must have numbers min and scale ` +
          `(got ${show(q.min)}, ${show(q.scale)})`,
      );
    }
  } else if (q.dtype !== "float16" || spec.dtype !== "float32") {
    throw new RangeError(
      `${OP}: ${arg}.quantization.dtype (${show(q.dtype)}) of '${spec.name}' must be "uint8", "uint16", ` +
        `or "float16" for a float32 weight`,
    );
  }
}

function decodeOne(spec: WeightSpec, view: DataView, offset: number, size: number): Float32Array {
  const out = new Float32Array(size);
  const q = spec.quantization;
  if (!q) {
    const int = spec.dtype === "int32";
    for (let i = 0; i < size; i++) {
      out[i] = int ? view.getInt32(offset + 4 * i, true) : view.getFloat32(offset + 4 * i, true);
    }
  } else if (q.dtype === "float16") {
    for (let i = 0; i < size; i++) out[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
  } else {
    const { min, scale } = q as { min: number; scale: number };
    const wide = q.dtype === "uint16";
    const round = spec.dtype === "int32" ? Math.round : (v: number) => v;
    for (let i = 0; i < size; i++) {
      const stored = wide ? view.getUint16(offset + 2 * i, true) : view.getUint8(offset + i);
      out[i] = round(stored * scale + min);
    }
  }
  return out;
}
