// Weight decoding: the bytes of `weightData` cut in weightSpecs order and dequantized to
// float32 exactly as TensorFlow.js does (uint8/uint16: q * scale + min computed in double
// and rounded once; float16: widened), so both start from identical weights.

import { show } from "../shapes.js";
import type { WeightSpec } from "./artifacts.js";
import { halfToFloat } from "./float16.js";
import { MAX_NAME_LENGTH, nameTooLong, own } from "./own.js";

export interface Weight {
  shape: number[];
  data: Float32Array;
}

const STORED_BYTES = new Map([
  ["float32", 4],
  ["int32", 4],
  ["uint8", 1],
  ["uint16", 2],
  ["float16", 2],
]);

/** Every weight by name. Throws when a spec is malformed or the bytes run out or are left over. */
export function decodeWeights(specs: WeightSpec[], bytes: Uint8Array, op = "loadLayersModel"): Map<string, Weight> {
  const weights = new Map<string, Weight>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  specs.forEach((raw, i) => {
    const arg = `artifacts.weightSpecs[${i}]`;
    const spec = checkSpec(raw, arg, op);
    const size = sizeOf(spec, arg, op);
    const stored = spec.quantization ? spec.quantization.dtype : spec.dtype;
    const byteLength = size * (STORED_BYTES.get(stored) as number);
    if (offset + byteLength > bytes.byteLength) {
      throw new RangeError(
        `${op}: artifacts.weightData (${bytes.byteLength} bytes) ends before weight '${spec.name}' ` +
          `(${byteLength} bytes of ${stored} at byte ${offset})`,
      );
    }
    weights.set(spec.name, { shape: spec.shape.slice(), data: decodeOne(spec, view, offset, size) });
    offset += byteLength;
  });
  if (offset !== bytes.byteLength) {
    throw new RangeError(
      `${op}: artifacts.weightData has ${bytes.byteLength} bytes but artifacts.weightSpecs describe ${offset}`,
    );
  }
  return weights;
}

/** The spec's own fields, checked for type and value (a copy: a getter is read once). */
function checkSpec(raw: unknown, arg: string, op: string): WeightSpec {
  if (raw === null || typeof raw !== "object") throw new TypeError(`${op}: ${arg} (${show(raw)}) must be an object`);
  const name = own(raw, "name");
  const shape = own(raw, "shape");
  const dtype = own(raw, "dtype");
  const quantization = own(raw, "quantization");
  if (typeof name !== "string") throw new TypeError(`${op}: ${arg}.name (${show(name)}) must be a string`);
  if (name.length > MAX_NAME_LENGTH) throw nameTooLong(`${arg}.name`, name, op);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`${op}: ${arg}.shape (${show(shape)}) of '${name}' must be non-negative integers`);
  }
  if (dtype !== "float32" && dtype !== "int32") {
    throw new RangeError(`${op}: ${arg}.dtype (${show(dtype)}) of '${name}' must be "float32" or "int32"`);
  }
  // Every field own, even when absent: a polluted Object.prototype.quantization must not be read.
  const spec: WeightSpec = { name, shape: shape.slice(), dtype, quantization: undefined };
  if (quantization === undefined || quantization === null) return spec;
  const q =
    typeof quantization === "object"
      ? { dtype: own(quantization, "dtype"), min: own(quantization, "min"), scale: own(quantization, "scale") }
      : { dtype: undefined, min: undefined, scale: undefined };
  if (q.dtype === "uint8" || q.dtype === "uint16") {
    if (typeof q.min !== "number" || typeof q.scale !== "number") {
      throw new TypeError(
        `${op}: ${arg}.quantization of '${name}' (${q.dtype}) must have numbers min and scale ` +
          `(got ${show(q.min)}, ${show(q.scale)})`,
      );
    }
  } else if (q.dtype !== "float16" || dtype !== "float32") {
    throw new RangeError(
      `${op}: ${arg}.quantization.dtype (${show(q.dtype)}) of '${name}' must be "uint8", "uint16", ` +
        `or "float16" for a float32 weight`,
    );
  }
  spec.quantization = q as WeightSpec["quantization"];
  return spec;
}

/** The spec's element count, refused unless every partial product is a safe integer (no NaN or Infinity sizes). */
function sizeOf(spec: WeightSpec, arg: string, op: string): number {
  let size = 1;
  for (const d of spec.shape) {
    size *= d;
    if (!Number.isSafeInteger(size)) {
      throw new RangeError(
        `${op}: ${arg}.shape ${show(spec.shape)} of '${spec.name}' describes more values than a safe integer counts ` +
          `(${Number.MAX_SAFE_INTEGER}); no weightData holds that many`,
      );
    }
  }
  return size;
}

/**
 * Weights by name, and by layer and last name segment for weights written with an extra scope
 * in the middle (layer/cell/kernel, as TensorFlow 2.2+ does), so a layer finds them without a
 * scan over every weight (which made loading quadratic in the number of layers). The scopes form
 * a tree of name segments, so indexing a name costs its length once, however many segments it
 * has (one map per prefix string made "a/a/a/.../kernel" quadratic in its length).
 */
export class WeightIndex {
  private readonly root: ScopeNode = { children: new Map(), first: new Map() };

  constructor(private readonly byName: Map<string, Weight>) {
    for (const [key, weight] of byName) {
      const parts = key.split("/");
      const last = parts[parts.length - 1];
      let node = this.root;
      for (let i = 0; i < parts.length - 1; i++) {
        let child = node.children.get(parts[i]);
        if (!child) {
          child = { children: new Map(), first: new Map() };
          node.children.set(parts[i], child);
        }
        node = child;
        // Under every scope but the whole path (`${layer}/${name}` is looked up by name).
        if (i < parts.length - 2 && !node.first.has(last)) node.first.set(last, weight);
      }
    }
  }

  /** The weight `${layer}/${name}`, or the first `${layer}/.../${name}`. */
  find(layer: string, name: string): Weight | undefined {
    const direct = this.byName.get(`${layer}/${name}`);
    if (direct) return direct;
    let node: ScopeNode | undefined = this.root;
    for (const part of layer.split("/")) {
      node = node.children.get(part);
      if (!node) return undefined;
    }
    return node.first.get(name);
  }
}

/** One scope: the scopes under it, and the first weight (in weightSpecs order) per last segment below it. */
interface ScopeNode {
  children: Map<string, ScopeNode>;
  first: Map<string, Weight>;
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
