// Option normalisation, output-shape and padding maths, and the validation errors every
// public function throws. Errors name the function, the argument, its value and what was
// expected, e.g. "depthwiseConv2d: filter.shape[2] (16) must equal input channels (32)".

import { ACTIVATION_CODES } from "./abi.generated.js";
import type { Activation, ConvOptions, SeparableOptions, Tensor } from "./types.js";
import { WasmTensor } from "./wasm-tensor.js";

/** The activations the kernels fuse, in the order of their codes (src/abi.generated.ts). */
export const ACTIVATIONS: readonly Activation[] = ACTIVATION_CODES;

/** Window geometry shared by every op, in the order the kernels read it. */
export interface Geometry {
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outH: number;
  outW: number;
}

/** Options after validation, independent of the input size. */
export interface WindowOptions {
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padding: "same" | "valid" | [number, number, number, number];
  bias: Float32Array | undefined;
  activation: Activation;
}

export interface SeparableWindowOptions extends WindowOptions {
  depthwiseBias: Float32Array | undefined;
  depthwiseActivation: Activation;
}

/** Elements of an array shown in a message before it is cut short. */
const SHOWN = 8;
/** Nesting of arrays shown in a message; deeper ones show as […] (a config nested 100,000 deep must not overflow the stack). */
const SHOWN_DEPTH = 3;

/** A value as a message shows it (one argument: it is passed to Array#map). */
export function show(value: unknown): string {
  return showNested(value, 0);
}

function showNested(value: unknown, depth: number): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) {
    if (depth >= SHOWN_DEPTH) return value.length === 0 ? "[]" : "[…]";
    const head = value
      .slice(0, SHOWN)
      .map((item) => showNested(item, depth + 1))
      .join(", ");
    return value.length > SHOWN ? `[${head}, … (${value.length} items)]` : `[${head}]`;
  }
  if (value === null) return "null";
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Float32Array).length})`;
  if (typeof value === "object") {
    // The class from the prototype: an own "constructor" field (a parsed config may have one) says nothing.
    const proto = Object.getPrototypeOf(value) as object | null;
    const ctor =
      proto !== null && Object.hasOwn(proto, "constructor") ? (proto as { constructor: unknown }).constructor : 0;
    const name = typeof ctor === "function" ? ctor.name : "";
    return name === "Object" || name === "" ? "an object" : `a ${name}`;
  }
  return String(value);
}

export function typeError(op: string, arg: string, value: unknown, expected: string): TypeError {
  return new TypeError(`${op}: ${arg} (${show(value)}) must be ${expected}`);
}

export function rangeError(op: string, arg: string, value: unknown, expected: string): RangeError {
  return new RangeError(`${op}: ${arg} (${show(value)}) must ${expected}`);
}

/** A real Float32Array: a Proxy of one passes instanceof but is no typed array to the engine. */
export function isFloat32Array(v: unknown): v is Float32Array {
  return v instanceof Float32Array && ArrayBuffer.isView(v);
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v > 0;
}

/** Checks that t is a float32 tensor of the given rank whose data length matches its shape. */
export function checkTensor(op: string, arg: string, t: unknown, rank: number): asserts t is Tensor {
  // An array or typed array is data without a shape: name it rather than its missing .data.
  if (t === null || typeof t !== "object" || Array.isArray(t) || ArrayBuffer.isView(t))
    throw typeError(op, arg, t, "a tensor { data: Float32Array, shape: number[] }");
  if (t instanceof WasmTensor && t.isDisposed) throw typeError(op, arg, t, "a live tensor (this one was disposed)");
  const { data, shape } = t as Partial<Tensor>;
  if (!isFloat32Array(data)) throw typeError(op, `${arg}.data`, data, "a Float32Array");
  const size = sizeOf(op, arg, ".shape", shape, rank);
  // Messages are built only when throwing: run(x, out) must not allocate.
  if (typedLength.call(data) !== size)
    checkLength(op, `${arg}.data.length`, data, size, `the product of ${arg}.shape ${show(shape)}`);
}

/** The element count the engine copies (TypedArray#set reads it, not an overridden .length). */
const typedLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Float32Array.prototype), "length")!.get as (
  this: Float32Array,
) => number;

const detachedGetter = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "detached")?.get as
  | ((this: ArrayBuffer) => boolean)
  | undefined;

/**
 * True when `buffer` was detached (transferred, or wasm memory that grew). Engines without
 * ArrayBuffer.prototype.detached: only a detached buffer has length 0 and refuses a view (an
 * empty buffer, such as a Float32Array(0)'s, takes one).
 */
export function isDetached(buffer: ArrayBufferLike): boolean {
  if (!(buffer instanceof ArrayBuffer)) return false; // a SharedArrayBuffer cannot be detached
  if (detachedGetter) return detachedGetter.call(buffer);
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** Throws unless `data` holds `size` elements (`what` says where that count comes from). */
export function checkLength(op: string, arg: string, data: Float32Array, size: number, what: string): void {
  const length = typedLength.call(data);
  if (length === size) return;
  if (length === 0 && isDetached(data.buffer)) {
    throw rangeError(
      op,
      arg.replace(/\.length$/, ""),
      data,
      "not be a view of a detached buffer (transferred, or wasm memory that grew after .data was read: " +
        "read a createTensor tensor's .data again, or pass the tensor itself)",
    );
  }
  throw rangeError(op, arg, length, `equal ${what} (${size})`);
}

/**
 * t.data read once, for copying into wasm memory: what checkTensor saw may not be what a getter
 * returns next, so the array actually copied is checked against the size planned for it.
 */
export function dataToCopy(op: string, arg: string, t: Tensor, size: number): Float32Array {
  const data = t.data;
  if (!isFloat32Array(data)) throw typeError(op, `${arg}.data`, data, "a Float32Array");
  if (typedLength.call(data) !== size) checkLength(op, `${arg}.data.length`, data, size, "the size planned for it");
  return data;
}

/**
 * A plain copy of t.data (read once) holding exactly `size` floats, for what a layer keeps: a
 * Float32Array subclass's slice() could return anything, and its .length could lie.
 */
export function copyOfData(op: string, arg: string, t: Tensor, size: number): Float32Array {
  return new Float32Array(dataToCopy(op, arg, t, size));
}

/** Checks that shape is an array of `rank` positive integers; returns the element count. */
export function checkShape(op: string, arg: string, shape: unknown, rank: number): number {
  return sizeOf(op, arg, "", shape, rank);
}

/** checkShape for the argument named `arg + suffix`, a name joined only when throwing. */
function sizeOf(op: string, arg: string, suffix: string, shape: unknown, rank: number): number {
  if (!Array.isArray(shape)) throw typeError(op, arg + suffix, shape, "an array of dimensions");
  if (shape.length !== rank) throw rangeError(op, arg + suffix, shape, `have ${rank} dimensions`);
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = shape[i];
    if (typeof d !== "number") throw typeError(op, `${arg}${suffix}[${i}]`, d, "a number");
    if (!isPositiveInteger(d)) throw rangeError(op, `${arg}${suffix}[${i}]`, d, "be a positive integer");
    size *= d;
  }
  return size;
}

const NO_HINT = () => "";

/**
 * A pointwise filter may be [Cin, Cout] or [1, 1, Cin, Cout]; returns [Cin, Cout]. `hint`
 * gives what to append to the message of a 4-D filter with other leading dimensions.
 */
export function checkPointwiseFilter(
  op: string,
  arg: string,
  filter: unknown,
  hint: (shape: readonly number[]) => string = NO_HINT,
): [number, number] {
  if (
    filter &&
    typeof filter === "object" &&
    Array.isArray((filter as Tensor).shape) &&
    (filter as Tensor).shape.length === 4
  ) {
    checkTensor(op, arg, filter, 4);
    const [h, w, cin, cout] = filter.shape;
    if (h !== 1 || w !== 1) {
      throw rangeError(op, `${arg}.shape`, filter.shape, `be [Cin, Cout] or [1, 1, Cin, Cout]${hint(filter.shape)}`);
    }
    return [cin, cout];
  }
  const { data, shape } = (filter && typeof filter === "object" ? filter : {}) as Partial<Tensor>;
  if (data instanceof Float32Array && Array.isArray(shape) && shape.length !== 2) {
    throw rangeError(op, `${arg}.shape`, shape, "be [Cin, Cout] or [1, 1, Cin, Cout]");
  }
  checkTensor(op, arg, filter, 2);
  return [filter.shape[0], filter.shape[1]];
}

function pair(op: string, arg: string, given: unknown): [number, number] {
  // Read once, densely: a getter or Proxy cannot change it after the checks, nor a gap be skipped.
  const value = Array.isArray(given) ? Array.from(given) : given;
  if (isPositiveInteger(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && isPositiveInteger(value[0]) && isPositiveInteger(value[1])) {
    return [value[0], value[1]];
  }
  if (typeof value === "number" || Array.isArray(value)) {
    throw rangeError(op, arg, value, "be a positive integer or a pair of positive integers");
  }
  throw typeError(op, arg, value, "a positive integer or a pair [h, w] of them");
}

/** A pad of one side: a non-negative integer. */
function isPad(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

const PADDING_FORMS =
  "'same', 'valid', a number, [top, bottom, left, right], [[0, 0], [top, bottom], [left, right], [0, 0]] " +
  "or { top, bottom, left, right }";

/** TensorFlow.js's explicit form [[0, 0], [t, b], [l, r], [0, 0]] as [t, b, l, r]. */
function explicitPadding(op: string, value: unknown[]): [number, number, number, number] {
  const pairs = value.map((p, i) => {
    const arg = `options.padding[${i}]`;
    if (!Array.isArray(p)) throw typeError(op, arg, p, "a pair [before, after] like the other entries");
    if (p.length !== 2 || !p.every(isPad)) throw rangeError(op, arg, p, "be a pair of non-negative integers");
    return p as [number, number];
  });
  for (const [i, what] of [
    [0, "batch"],
    [3, "channel"],
  ] as const) {
    if (pairs[i][0] !== 0 || pairs[i][1] !== 0) {
      throw rangeError(
        op,
        `options.padding[${i}]`,
        pairs[i],
        `be [0, 0]: the ${what} axis is not padded (the form is [[0, 0], [top, bottom], [left, right], [0, 0]], NHWC)`,
      );
    }
  }
  return [pairs[1][0], pairs[1][1], pairs[2][0], pairs[2][1]];
}

const SIDES = ["top", "bottom", "left", "right"] as const;

/** { top, bottom, left, right } as [t, b, l, r]: every side given, as an own property. */
function namedPadding(op: string, value: object): [number, number, number, number] {
  for (const key of Object.keys(value)) {
    if (!(SIDES as readonly string[]).includes(key)) {
      throw new TypeError(`${op}: options.padding.${key} is not a side (expected top, bottom, left, right)`);
    }
  }
  return SIDES.map((side) => {
    const v = Object.hasOwn(value, side) ? (value as Record<string, unknown>)[side] : undefined;
    const arg = `options.padding.${side}`;
    if (typeof v !== "number") throw typeError(op, arg, v, "a non-negative integer (every side is needed)");
    if (!isPad(v)) throw rangeError(op, arg, v, "be a non-negative integer");
    return v;
  }) as [number, number, number, number];
}

function padding(op: string, given: unknown): WindowOptions["padding"] {
  // Read once, densely (pairs too): what is checked is what is used, and a gap is undefined.
  const value = Array.isArray(given) ? Array.from(given, (p) => (Array.isArray(p) ? Array.from(p) : p)) : given;
  if (value === "same" || value === "valid") return value;
  if (typeof value === "string") throw rangeError(op, "options.padding", value, `be ${PADDING_FORMS}`);
  if (isPad(value)) return [value, value, value, value];
  if (Array.isArray(value) && value.length === 4) {
    if (value.every(isPad)) return value.slice() as [number, number, number, number];
    if (value.some(Array.isArray)) return explicitPadding(op, value);
  }
  if (typeof value === "number" || Array.isArray(value)) {
    throw rangeError(op, "options.padding", value, "be a non-negative integer or 4 of them [top, bottom, left, right]");
  }
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) return namedPadding(op, value);
  throw typeError(op, "options.padding", value, PADDING_FORMS);
}

/**
 * Activation names the options take. Keras spells hardswish 'hard_swish' (Keras 3 also
 * 'hard_silu'). A Map, so names of Object.prototype ("toString", "__proto__") are not names.
 */
const ACTIVATION_NAMES: ReadonlyMap<string, Activation> = new Map([
  ...ACTIVATIONS.map((a) => [a, a] as const),
  ["hard_swish", "hardswish"],
  ["hard_silu", "hardswish"],
]);

const ACTIVATION_EXPECTED = `one of ${ACTIVATIONS.map(show).join(", ")} (or Keras's "hard_swish", "hard_silu")`;

function activation(op: string, arg: string, value: unknown): Activation {
  if (value === undefined) return "linear";
  if (typeof value !== "string") throw typeError(op, arg, value, ACTIVATION_EXPECTED);
  const known = ACTIVATION_NAMES.get(value);
  if (known === undefined) throw rangeError(op, arg, value, `be ${ACTIVATION_EXPECTED}`);
  return known;
}

function bias(op: string, arg: string, value: unknown): Float32Array | undefined {
  if (value === undefined) return undefined;
  if (!isFloat32Array(value)) throw typeError(op, arg, value, "a Float32Array");
  // A plain snapshot: later edits by the caller do not reach a prepared layer, and its length
  // is the one the engine copies.
  return new Float32Array(value);
}

export function checkBiasLength(op: string, arg: string, b: Float32Array | undefined, channels: number): void {
  if (b && b.length !== channels)
    throw rangeError(op, `${arg}.length`, b.length, `equal the output channels (${channels})`);
}

const CONV_KEYS = ["strides", "padding", "dilations", "bias", "activation"];
const SEPARABLE_KEYS = [...CONV_KEYS, "depthwiseBias", "depthwiseActivation"];

function checkKeys(op: string, options: unknown, allowed: string[]): Record<string, unknown> {
  if (options === undefined) return Object.create(null);
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw typeError(op, "options", options, "an object");
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key))
      throw new TypeError(`${op}: options.${key} is not an option (expected one of ${allowed.join(", ")})`);
  }
  // Own properties only, each read once: a polluted Object.prototype.activation is no option.
  const own: Record<string, unknown> = Object.create(null);
  for (const key of allowed) if (Object.hasOwn(options, key)) own[key] = (options as Record<string, unknown>)[key];
  return own;
}

export function windowOptions(op: string, options: ConvOptions | undefined): WindowOptions {
  const o = checkKeys(op, options, CONV_KEYS);
  return windowFrom(op, o);
}

export function separableOptions(op: string, options: SeparableOptions | undefined): SeparableWindowOptions {
  const o = checkKeys(op, options, SEPARABLE_KEYS);
  return {
    ...windowFrom(op, o),
    depthwiseBias: bias(op, "options.depthwiseBias", o.depthwiseBias),
    depthwiseActivation: activation(op, "options.depthwiseActivation", o.depthwiseActivation),
  };
}

function windowFrom(op: string, o: Record<string, unknown>): WindowOptions {
  const [strideH, strideW] = o.strides === undefined ? [1, 1] : pair(op, "options.strides", o.strides);
  const [dilationH, dilationW] = o.dilations === undefined ? [1, 1] : pair(op, "options.dilations", o.dilations);
  return {
    strideH,
    strideW,
    dilationH,
    dilationW,
    padding: o.padding === undefined ? "valid" : padding(op, o.padding),
    bias: bias(op, "options.bias", o.bias),
    activation: activation(op, "options.activation", o.activation),
  };
}

/** One axis: [padBefore, padAfter, out] by TensorFlow's rules. */
function axis(size: number, k: number, stride: number, dilation: number, pad: "same" | "valid" | [number, number]) {
  const span = (k - 1) * dilation + 1;
  if (pad === "same") {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + span - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2), out];
  }
  const [before, after] = pad === "valid" ? [0, 0] : pad;
  return [before, after, Math.floor((size + before + after - span) / stride) + 1];
}

/**
 * Largest stride, dilation, dilated kernel span and padded input extent: the kernels index with
 * 32-bit integers, and sums of two such values must not overflow.
 */
export const MAX_EXTENT = 2 ** 30;

/** Window geometry for an input of inH x inW and a kH x kW kernel; throws if the output is empty. */
export function geometry(op: string, inH: number, inW: number, kH: number, kW: number, w: WindowOptions): Geometry {
  const p = w.padding;
  if (w.strideH > MAX_EXTENT || w.strideW > MAX_EXTENT) {
    throw rangeError(op, "options.strides", [w.strideH, w.strideW], `be at most ${MAX_EXTENT}`);
  }
  if (w.dilationH > MAX_EXTENT || w.dilationW > MAX_EXTENT) {
    throw rangeError(op, "options.dilations", [w.dilationH, w.dilationW], `be at most ${MAX_EXTENT}`);
  }
  const spanH = (kH - 1) * w.dilationH + 1;
  const spanW = (kW - 1) * w.dilationW + 1;
  if (spanH > MAX_EXTENT || spanW > MAX_EXTENT) {
    throw new RangeError(
      `${op}: the dilated kernel spans ${spanH}x${spanW} pixels (kernel ${kH}x${kW}, ` +
        `options.dilations [${w.dilationH}, ${w.dilationW}]); it must span at most ${MAX_EXTENT}`,
    );
  }
  const [padTop, padBottom, outH] = axis(
    inH,
    kH,
    w.strideH,
    w.dilationH,
    p === "same" || p === "valid" ? p : [p[0], p[1]],
  );
  const [padLeft, padRight, outW] = axis(
    inW,
    kW,
    w.strideW,
    w.dilationW,
    p === "same" || p === "valid" ? p : [p[2], p[3]],
  );
  const paddedH = padTop + inH + padBottom;
  const paddedW = padLeft + inW + padRight;
  if (paddedH > MAX_EXTENT || paddedW > MAX_EXTENT) {
    throw new RangeError(
      `${op}: the padded input is ${paddedH}x${paddedW} (input ${inH}x${inW}, options.padding ${show(p)}` +
        `${typeof p === "string" ? `: pads [${padTop}, ${padBottom}, ${padLeft}, ${padRight}]` : ""}); ` +
        `it must be at most ${MAX_EXTENT} on each side`,
    );
  }
  if (outH < 1 || outW < 1) {
    throw new RangeError(
      `${op}: output would be empty (${outH}x${outW}): input ${inH}x${inW}, kernel ${kH}x${kW}, ` +
        `dilations [${w.dilationH}, ${w.dilationW}], padding ${show(w.padding)}`,
    );
  }
  return {
    kH,
    kW,
    strideH: w.strideH,
    strideW: w.strideW,
    dilationH: w.dilationH,
    dilationW: w.dilationW,
    padTop,
    padBottom,
    padLeft,
    padRight,
    outH,
    outW,
  };
}

/** wasm32 linear memory holds at most 4 GiB: no input and output pair can be larger. */
export const MAX_BYTES = 2 ** 32;

/**
 * Throws before anything is allocated when x and its output cannot both fit in WebAssembly
 * memory. Every backend checks it, so the plain-JS one fails the same way (rather than
 * allocating gigabytes, or failing with the engine's "Invalid typed array length").
 */
export function checkBufferSize(op: string, x: Tensor, outShape: readonly number[]): void {
  const bytes = 4 * (x.data.length + outShape[0] * outShape[1] * outShape[2] * outShape[3]);
  if (bytes > MAX_BYTES) {
    throw new RangeError(
      `${op}: x.shape ${show(x.shape)} and its output ${show(outShape)} would take ${bytes} bytes; ` +
        `they must fit in WebAssembly's 4 GiB memory (${MAX_BYTES} bytes)`,
    );
  }
}

/** Throws unless `out` is a tensor of exactly `shape` that does not share memory with x. */
export function checkOut(op: string, out: unknown, shape: readonly number[], x: Tensor): asserts out is Tensor {
  checkTensor(op, "out", out, 4);
  for (let i = 0; i < 4; i++) {
    if (out.shape[i] !== shape[i])
      throw rangeError(op, "out.shape", out.shape, `equal the output shape ${show(shape)}`);
  }
  checkNoOverlap(op, out, x);
}

/** Throws if out.data and x.data share memory (the kernels read x while they write out). */
export function checkNoOverlap(op: string, out: Tensor, x: Tensor): void {
  if (out.data.buffer === x.data.buffer) {
    const a = out.data.byteOffset,
      b = x.data.byteOffset;
    if (a < b + x.data.byteLength && b < a + out.data.byteLength) {
      throw rangeError(op, "out.data", out.data, "not overlap x.data (in-place is not supported)");
    }
  }
}
