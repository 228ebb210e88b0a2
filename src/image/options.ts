// imageToTensor's arguments, checked once: the source's pixels and the resize, normalisation
// and channel order, with errors that name the argument, its value and what is expected.

import { own } from "../model/own.js";
import { checkTensor, rangeError, show, typeError } from "../shapes.js";

const OP = "imageToTensor";
/** The largest side accepted (a 16384 x 16384 RGBA frame is 1 GiB of bytes). */
export const MAX_SIDE = 16384;

/** An image: ImageData, or pixels with their channel count (RGB or RGBA). */
export interface ImageSource {
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA, the default: what ImageData holds). */
  channels?: 3 | 4;
}

export interface ImageToTensorOptions {
  /** [height, width] to resize to (bilinear); default: the source's size. */
  size?: [number, number];
  /** tf.image.resizeBilinear's alignCorners (default false). */
  alignCorners?: boolean;
  /** tf.image.resizeBilinear's halfPixelCenters (default false). */
  halfPixelCenters?: boolean;
  /** y = (x * scale - mean) / std, per output channel. Default scale 1, mean 0, std 1. */
  scale?: number;
  mean?: number | [number, number, number];
  std?: number | [number, number, number];
  /** The output's channel order (default "rgb"). */
  channelOrder?: "rgb" | "bgr";
  /** A [1, height, width, 3] tensor to write into (one from createTensor is written in place). */
  out?: { data: Float32Array; shape: number[] };
}

export interface ImageJob {
  data: Uint8Array | Float32Array;
  width: number;
  height: number;
  channels: 3 | 4;
  outH: number;
  outW: number;
  alignCorners: boolean;
  halfPixelCenters: boolean;
  /** y = x * scale[c] + shift[c] per output channel. */
  scale: [number, number, number];
  shift: [number, number, number];
  bgr: boolean;
  out: { data: Float32Array; shape: number[] } | undefined;
}

const KEYS = ["size", "alignCorners", "halfPixelCenters", "scale", "mean", "std", "channelOrder", "out"];

function side(arg: string, v: unknown): number {
  if (!(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_SIDE)) {
    throw new RangeError(`${OP}: ${arg} (${show(v)}) must be an integer from 1 to ${MAX_SIDE}`);
  }
  return v as number;
}

function triple(arg: string, v: unknown, fallback: number): [number, number, number] {
  if (v === undefined) return [fallback, fallback, fallback];
  if (typeof v === "number" && Number.isFinite(v)) return [v, v, v];
  if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === "number" && Number.isFinite(x))) {
    return [v[0], v[1], v[2]];
  }
  throw typeError(OP, arg, v, "a finite number or [r, g, b] of them");
}

function flag(arg: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw typeError(OP, arg, v, "true or false");
  return v;
}

export function readImageArgs(source: unknown, options: unknown): ImageJob {
  if (source === null || typeof source !== "object") {
    throw typeError(OP, "source", source, "an ImageData or { data, width, height, channels }");
  }
  const data = own(source, "data") ?? (source as { data?: unknown }).data;
  const width = side("source.width", own(source, "width") ?? (source as { width?: unknown }).width);
  const height = side("source.height", own(source, "height") ?? (source as { height?: unknown }).height);
  const channels = own(source, "channels") ?? 4;
  if (channels !== 3 && channels !== 4)
    throw new RangeError(`${OP}: source.channels (${show(channels)}) must be 3 or 4`);
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof Float32Array)) {
    throw typeError(OP, "source.data", data, "a Uint8ClampedArray, Uint8Array or Float32Array");
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `${OP}: source.data.length (${data.length}) must be width * height * channels (${width} * ${height} * ${channels} = ${width * height * channels})`,
    );
  }
  const o = options ?? {};
  if (typeof o !== "object") throw typeError(OP, "options", options, "an object");
  for (const key of Object.keys(o)) {
    if (!KEYS.includes(key))
      throw new TypeError(`${OP}: options.${key} is not an option (expected ${KEYS.join(", ")})`);
  }
  const size = own(o, "size");
  let outH = height;
  let outW = width;
  if (size !== undefined) {
    if (!Array.isArray(size) || size.length !== 2) throw typeError(OP, "options.size", size, "[height, width]");
    outH = side("options.size[0]", size[0]);
    outW = side("options.size[1]", size[1]);
  }
  const scale = own(o, "scale") ?? 1;
  if (typeof scale !== "number" || !Number.isFinite(scale))
    throw typeError(OP, "options.scale", scale, "a finite number");
  const mean = triple("options.mean", own(o, "mean"), 0);
  const std = triple("options.std", own(o, "std"), 1);
  if (std.some((s) => s === 0)) throw new RangeError(`${OP}: options.std (${show(own(o, "std"))}) must not be 0`);
  const order = own(o, "channelOrder") ?? "rgb";
  if (order !== "rgb" && order !== "bgr")
    throw new RangeError(`${OP}: options.channelOrder (${show(order)}) must be "rgb" or "bgr"`);
  const out = own(o, "out") as ImageJob["out"];
  if (out !== undefined) {
    // A tensor (a live one, its data a Float32Array of its shape's size), then of the output's shape.
    checkTensor(OP, "options.out", out, 4);
    const shape = [1, outH, outW, 3];
    for (let i = 0; i < 4; i++) {
      if (out.shape[i] !== shape[i])
        throw rangeError(OP, "options.out.shape", out.shape, `equal the output shape ${show(shape)}`);
    }
    // The plain-JS path reads the pixels while it writes out.
    const a = out.data.byteOffset;
    const b = data.byteOffset;
    if (out.data.buffer === data.buffer && a < b + data.byteLength && b < a + out.data.byteLength) {
      throw new RangeError(`${OP}: options.out.data and source.data share memory; out must be another buffer`);
    }
  }
  const alignCorners = flag("options.alignCorners", own(o, "alignCorners"));
  const halfPixelCenters = flag("options.halfPixelCenters", own(o, "halfPixelCenters"));
  if (alignCorners && halfPixelCenters) {
    // As tf.image.resizeBilinear, which asserts it.
    throw new RangeError(`${OP}: options.alignCorners and options.halfPixelCenters cannot both be true`);
  }
  return {
    data: data instanceof Uint8ClampedArray ? new Uint8Array(data.buffer, data.byteOffset, data.length) : data,
    width,
    height,
    channels,
    outH,
    outW,
    alignCorners,
    halfPixelCenters,
    scale: [scale / std[0], scale / std[1], scale / std[2]],
    shift: [-mean[0] / std[0], -mean[1] / std[1], -mean[2] / std[2]],
    bgr: order === "bgr",
    out,
  };
}
