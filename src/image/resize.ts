// TensorFlow's ResizeBilinear / ResizeNearestNeighbor on a build (assembly/image/resize.ts:
// resize_bilinear_c4 / _c1, resize_nearest_c4 / _c1), for a model step working on arena pointers
// (resizeInto: byte addresses, nothing checked or allocated), and for
// tensors (resizeTensor: checked arguments, copies in and out unless the tensors live in the
// build's memory). The 'js' backend runs src/reference/resize.ts.

import {
  RESIZE_ALIGN_CORNERS,
  RESIZE_BILINEAR_COLUMN_BYTES,
  RESIZE_HALF_PIXEL_CENTERS,
  RESIZE_NEAREST,
  RESIZE_NEAREST_COLUMN_BYTES,
} from "../abi.generated.js";
import { activeRuntime } from "../init.js";
import { type ResizeMode, resizeReference } from "../reference/resize.js";
import type { Runtime } from "../runtime.js";
import { checkTensor, MAX_BYTES, rangeError, show, typeError } from "../shapes.js";
import { createTensor } from "../tensor.js";
import type { Tensor } from "../types.js";
import { WasmTensor } from "../wasm-tensor.js";

export type { ResizeMode } from "../reference/resize.js";

/** tf.image.resizeBilinear's two flags (both false by default there). */
export interface ResizeFlags {
  alignCorners?: boolean;
  halfPixelCenters?: boolean;
}

/** The largest output side resizeTensor accepts (as imageToTensor). */
const MAX_SIDE = 16384;

/** Bytes of scratch (4-aligned) a resize to width outW needs for its column table. */
export function resizeScratchBytes(method: ResizeMode["method"], outW: number): number {
  return outW * (method === "nearest" ? RESIZE_NEAREST_COLUMN_BYTES : RESIZE_BILINEAR_COLUMN_BYTES);
}

/** The name of the kernel resize2d runs for `channels` channels in rt's build (model.describe()). */
export function resizeKernelName(rt: Runtime, method: ResizeMode["method"], channels: number): string {
  const tile = rt.backend !== "scalar" && channels >= 4 ? "c4" : "c1";
  const isa = rt.backend === "scalar" ? "scalar" : rt.backend === "simd" ? "wasmsimd" : "wasmrelaxedsimd";
  return `resize_${method}_${tile}__${isa}`;
}

function flagsOf(mode: ResizeMode): number {
  return (
    (mode.alignCorners ? RESIZE_ALIGN_CORNERS : 0) |
    (mode.halfPixelCenters ? RESIZE_HALF_PIXEL_CENTERS : 0) |
    (mode.method === "nearest" ? RESIZE_NEAREST : 0)
  );
}

/**
 * Resize of the [batch, h, w, c] float32 images at byte address x in rt's memory to
 * [batch, outH, outW, c] at byte address y (4-aligned; the two must not overlap), with
 * tf.image.resizeBilinear's or resizeNearestNeighbor's coordinates. scratch:
 * resizeScratchBytes(mode.method, outW) bytes at a 4-aligned byte address (the model's shared
 * scratch block will do). Nothing is checked: the caller (a model plan) has sized and placed
 * every block. Allocates nothing; returns the id of the kernel that ran (KERNEL_NAMES).
 */
export function resizeInto(
  rt: Runtime,
  x: number,
  shape: readonly number[],
  y: number,
  size: readonly number[],
  mode: ResizeMode,
  scratch: number,
): number {
  return rt.kernels.resize2d(x, shape[0], shape[1], shape[2], shape[3], y, size[0], size[1], flagsOf(mode), scratch);
}

const OP = "resize";

function overlaps(a: Float32Array, b: Float32Array): boolean {
  return (
    a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength
  );
}

function readSize(size: unknown): [number, number] {
  if (!Array.isArray(size) || size.length !== 2) throw typeError(OP, "size", size, "[height, width]");
  for (let i = 0; i < 2; i++) {
    const v = size[i];
    if (!(Number.isInteger(v) && v >= 1 && v <= MAX_SIDE)) {
      throw rangeError(OP, `size[${i}]`, v, `be an integer from 1 to ${MAX_SIDE}`);
    }
  }
  return [size[0], size[1]];
}

function readMode(method: unknown, options: unknown): ResizeMode {
  if (method !== "bilinear" && method !== "nearest") {
    throw rangeError(OP, "method", method, 'be "bilinear" or "nearest"');
  }
  const o = (options ?? {}) as Record<string, unknown>;
  if (typeof o !== "object") throw typeError(OP, "options", options, "an object");
  for (const key of Object.keys(o)) {
    if (key !== "alignCorners" && key !== "halfPixelCenters") {
      throw new TypeError(`${OP}: options.${key} is not an option (expected alignCorners, halfPixelCenters)`);
    }
  }
  const flag = (name: string) => {
    const v = Object.hasOwn(o, name) ? o[name] : undefined;
    if (v !== undefined && typeof v !== "boolean") throw typeError(OP, `options.${name}`, v, "true or false");
    return v === true;
  };
  const alignCorners = flag("alignCorners");
  const halfPixelCenters = flag("halfPixelCenters");
  if (alignCorners && halfPixelCenters) {
    // TensorFlow refuses the pair (tf.image.resizeBilinear asserts it).
    throw new RangeError(`${OP}: options.alignCorners and options.halfPixelCenters cannot both be true`);
  }
  return { method, alignCorners, halfPixelCenters };
}

/**
 * tf.image.resizeBilinear(x, size, alignCorners, halfPixelCenters) (method "bilinear") or
 * tf.image.resizeNearestNeighbor (method "nearest") of an NHWC tensor, on the build in use (the
 * reference on the 'js' backend). Returns a new tensor in wasm memory (as createTensor makes),
 * or writes `out` ([n, size[0], size[1], c], not sharing memory with x); tensors from
 * createTensor are read and written in place, others copied in and out once.
 */
export function resizeTensor(
  x: Tensor,
  size: [number, number],
  method: ResizeMode["method"] = "bilinear",
  options?: ResizeFlags & { out?: Tensor },
): Tensor {
  checkTensor(OP, "x", x, 4);
  const { out, ...flags } = (options ?? {}) as ResizeFlags & { out?: Tensor };
  const mode = readMode(method, flags);
  const [outH, outW] = readSize(size);
  const [n, h, w, c] = x.shape;
  const outShape = [n, outH, outW, c];
  const outSize = n * outH * outW * c;
  if (outSize * 4 > MAX_BYTES) {
    throw rangeError(OP, "size", size, `give an output that fits in 4 GiB (${show(outShape)} does not)`);
  }
  if (out !== undefined) {
    checkTensor(OP, "options.out", out, 4);
    if (!out.shape.every((d, i) => d === outShape[i])) {
      throw rangeError(OP, "options.out.shape", out.shape, `be ${show(outShape)}`);
    }
  }
  if (out !== undefined && overlaps(x.data, out.data)) {
    throw rangeError(OP, "options.out", out, "not share memory with x (write the resize to another tensor)");
  }
  const rt = activeRuntime(OP);
  const target = out ?? createTensor(outShape);
  if (rt === null) {
    resizeReference(x.data, 0, x.shape, target.data, 0, [outH, outW], mode);
    return target;
  }
  const heap = rt.heap;
  const inSize = n * h * w * c;
  const xIn = x instanceof WasmTensor && x.livesIn(heap);
  const yIn = target instanceof WasmTensor && target.livesIn(heap);
  // x.data may view this memory (another tensor's .data), which the allocation below can grow.
  const source = xIn ? null : heap.survivingGrowth(x.data);
  const [xBlock, yBlock, scratch] = heap.allocAll(
    [xIn ? 0 : inSize * 4, yIn ? 0 : outSize * 4, resizeScratchBytes(mode.method, outW)],
    `${OP}: the input, output and column table`,
  );
  try {
    const xp = xIn ? (x as WasmTensor).pointerFor(OP, "x", inSize) : xBlock;
    const yp = yIn ? (target as WasmTensor).pointerFor(OP, "options.out", outSize) : yBlock;
    if (source) heap.f32().set(source, xp >>> 2);
    resizeInto(rt, xp, x.shape, yp, [outH, outW], mode, scratch);
    if (!yIn) target.data.set(heap.f32().subarray(yp >>> 2, (yp >>> 2) + outSize));
    return target;
  } finally {
    heap.release(xBlock);
    heap.release(yBlock);
    heap.release(scratch);
  }
}
