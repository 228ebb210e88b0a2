// A TFLite model's first subgraph -> sepconv's graph: each operator becomes the node the layers
// and graph-model paths make for the same computation (so folding, chains and the arena plan
// apply alike). Constants are taken where they are read: float32 and float16 weights (a
// DEQUANTIZE of a float16 constant is folded at load), int32 paddings, axes and sizes. TFLite
// stores conv filters [out, kH, kW, in] and dense weights [units, in]; they are transposed to
// the [kH, kW, in, out] and [in, units] the kernels pack. Fused activations become the
// node's activation or a node after it. Unknown ops are refused by name and index.

import { show } from "../../shapes.js";
import { constantAffine, padsOf } from "../convert-common.js";
import { halfToFloat } from "../float16.js";
import type { Act, Graph, Node, Window } from "../graph.js";
import { fail, readTflite, type TfliteGraph, type TfliteOperator, type TfliteTensor } from "./read.js";
import { ACTIVATION_FUNCTION_NAMES } from "./schema/names.js";
import { ActivationFunctionType } from "./schema/tflite/activation-function-type.js";
import { BuiltinOptions } from "./schema/tflite/builtin-options.js";
import { ConcatenationOptions } from "./schema/tflite/concatenation-options.js";
import { Conv2DOptions } from "./schema/tflite/conv2-doptions.js";
import { DepthwiseConv2DOptions } from "./schema/tflite/depthwise-conv2-doptions.js";
import { FullyConnectedOptions } from "./schema/tflite/fully-connected-options.js";
import { LeakyReluOptions } from "./schema/tflite/leaky-relu-options.js";
import { Padding } from "./schema/tflite/padding.js";
import { Pool2DOptions } from "./schema/tflite/pool2-doptions.js";
import { ReducerOptions } from "./schema/tflite/reducer-options.js";
import { ResizeBilinearOptions } from "./schema/tflite/resize-bilinear-options.js";
import { ResizeNearestNeighborOptions } from "./schema/tflite/resize-nearest-neighbor-options.js";
import { SoftmaxOptions } from "./schema/tflite/softmax-options.js";
import { TransposeConvOptions } from "./schema/tflite/transpose-conv-options.js";

type Value = { kind: "const"; data: Float32Array; shape: number[] } | { kind: "tensor"; name: string };

/** Options with a fused activation function. */
interface Fused {
  fusedActivationFunction(): ActivationFunctionType;
}

class Converter {
  readonly nodes: Node[] = [];
  private readonly values = new Map<number, Value>();
  private readonly names = new Map<number, string>();

  constructor(readonly file: TfliteGraph) {
    // Node names are tensor names, made unique (a file may repeat one).
    const taken = new Set<string>();
    for (const t of file.tensors) {
      let name = t.name;
      for (let k = 1; taken.has(name); k++) name = `${t.name}_${k}`;
      taken.add(name);
      this.names.set(t.index, name);
    }
  }

  fail(o: TfliteOperator, message: string): never {
    return fail(`operator ${o.index} (${o.op}): ${message}`);
  }

  tensorOf(i: number): TfliteTensor {
    return this.file.tensors[i];
  }

  nameOf(i: number): string {
    return this.names.get(i) as string;
  }

  /** The value of tensor i: a constant's floats (decoded once), or the node computing it. */
  value(o: TfliteOperator, k: number): Value {
    const i = o.inputs[k];
    if (i === undefined || i < 0) this.fail(o, `has no input ${k}`);
    const known = this.values.get(i);
    if (known) return known;
    const t = this.tensorOf(i);
    if (!t.data) this.fail(o, `input ${k} ('${t.name}') is computed by no earlier operator and is no constant`);
    const value: Value = { kind: "const", data: decode(t, (m) => this.fail(o, m)), shape: t.shape };
    this.values.set(i, value);
    return value;
  }

  tensor(o: TfliteOperator, k: number): string {
    const v = this.value(o, k);
    if (v.kind !== "tensor")
      this.fail(o, `input ${k} ('${this.tensorOf(o.inputs[k]).name}') must be computed, not a constant`);
    return v.name;
  }

  constant(o: TfliteOperator, k: number, what: string): { data: Float32Array; shape: number[] } {
    const v = this.value(o, k);
    if (v.kind !== "const") this.fail(o, `input ${k} (${what}) must be a constant`);
    return v;
  }

  isConst(o: TfliteOperator, k: number): boolean {
    return this.value(o, k).kind === "const";
  }

  inShape(o: TfliteOperator, k: number): number[] {
    return this.tensorOf(o.inputs[k]).shape;
  }

  outShape(o: TfliteOperator): number[] {
    return this.tensorOf(o.outputs[0]).shape;
  }

  /** Adds `node` for operator o's output, then its fused activation (if any) as the node after. */
  emit(o: TfliteOperator, made: Record<string, unknown> & { op: Node["op"]; inputs: string[] }, fused?: Act): void {
    const out = o.outputs[0];
    if (out === undefined) this.fail(o, "has no output");
    const name = this.nameOf(out);
    const kernelAct = made.act !== undefined;
    const own = fused && !kernelAct ? `${name}/pre-activation` : name;
    // Parameters as TFLite counts them: the weights and biases the op holds.
    const weights = (made.filter ?? made.kernel) as Float32Array | undefined;
    const params = (weights?.length ?? 0) + ((made.bias as Float32Array | undefined)?.length ?? 0);
    this.nodes.push({ name: own, className: o.op, params, ...made } as unknown as Node);
    if (own !== name) {
      this.nodes.push({ name, className: o.op, params: 0, op: "activation", inputs: [own], act: fused } as Node);
    }
    this.values.set(out, { kind: "tensor", name });
  }

  input(i: number): void {
    const t = this.tensorOf(i);
    if (t.type !== "FLOAT32") fail(`the input '${t.name}' is ${t.type}; only float32 inputs are supported`);
    const name = this.nameOf(i);
    this.nodes.push({ name, className: "Input", params: 0, op: "input", inputs: [] });
    this.values.set(i, { kind: "tensor", name });
  }

  alias(o: TfliteOperator, value: Value): void {
    this.values.set(o.outputs[0], value);
  }

  output(i: number): string {
    const v = this.values.get(i);
    if (v?.kind !== "tensor") fail(`the output '${this.tensorOf(i).name}' is computed by no operator`);
    return v.name;
  }
}

/** A constant tensor's values as float32 (float16 widened, int32 exact). */
function decode(t: TfliteTensor, error: (message: string) => never): Float32Array {
  const bytes = t.data as Uint8Array;
  const size = t.shape.reduce((a, b) => a * b, 1);
  const width = t.type === "FLOAT16" ? 2 : t.type === "FLOAT32" || t.type === "INT32" ? 4 : 0;
  if (width === 0 || t.quantized)
    error(
      `constant '${t.name}' is ${t.quantized ? "quantized " : ""}${t.type}; float32, float16 and int32 constants are supported`,
    );
  if (bytes.byteLength !== size * width) {
    error(
      `constant '${t.name}' of shape ${show(t.shape)} has ${bytes.byteLength} bytes; ${t.type} needs ${size * width}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    out[i] =
      width === 2
        ? halfToFloat(view.getUint16(2 * i, true))
        : t.type === "INT32"
          ? view.getInt32(4 * i, true)
          : view.getFloat32(4 * i, true);
  }
  return out;
}

function fusedAct(c: Converter, o: TfliteOperator, options: Fused | null): Act | undefined {
  const f = options ? options.fusedActivationFunction() : ActivationFunctionType.NONE;
  if (f === ActivationFunctionType.NONE) return undefined;
  if (f === ActivationFunctionType.RELU) return "relu";
  if (f === ActivationFunctionType.RELU6) return "relu6";
  // TANH and SIGN_BIT are refused: TFLite's own kernels clamp with the activation's range and
  // treat them as no activation, so a file using them does not mean what it says.
  return c.fail(o, `fused activation ${ACTIVATION_FUNCTION_NAMES[f] || f} is not supported`);
}

/** The operator's builtin options as table T, or null when absent (defaults apply). */
function optionsOf<T>(o: TfliteOperator, type: BuiltinOptions, make: () => T): T | null {
  return o.raw.builtinOptionsType() === type ? (o.raw.builtinOptions(make()) as T) : null;
}

function windowOf(
  c: Converter,
  o: TfliteOperator,
  kH: number,
  kW: number,
  opts: { padding(): Padding; strideH(): number; strideW(): number } | null,
  dilation: [number, number],
): Window {
  const strideH = opts?.strideH() ?? 1;
  const strideW = opts?.strideW() ?? 1;
  const [dilationH, dilationW] = dilation;
  for (const [what, v] of [
    ["stride", strideH],
    ["stride", strideW],
    ["dilation", dilationH],
    ["dilation", dilationW],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 1 && v <= 1024)) c.fail(o, `${what} ${v} must be an integer from 1 to 1024`);
  }
  const mode = (opts?.padding() ?? Padding.SAME) === Padding.VALID ? "valid" : "same";
  return { kH, kW, strideH, strideW, dilationH, dilationW, pad: { pads: [0, 0, 0, 0], mode } };
}

function bias(c: Converter, o: TfliteOperator, k: number, channels: number): Float32Array | undefined {
  if (o.inputs[k] === undefined || o.inputs[k] < 0) return undefined;
  const b = c.constant(o, k, "bias").data;
  if (b.length !== channels) c.fail(o, `its bias has ${b.length} values; expected ${channels}`);
  return b;
}

/** [out, kH, kW, in] -> [kH, kW, in, out]. */
function ohwiToHwio(w: Float32Array, out: number, kH: number, kW: number, inC: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let o = 0; o < out; o++)
    for (let p = 0; p < kH * kW; p++)
      for (let i = 0; i < inC; i++) t[(p * inC + i) * out + o] = w[(o * kH * kW + p) * inC + i];
  return t;
}

function filter4(c: Converter, o: TfliteOperator, k: number): { data: Float32Array; shape: number[] } {
  const f = c.constant(o, k, "filter");
  if (f.shape.length !== 4 || f.shape.some((d) => d < 1))
    c.fail(o, `filter shape ${show(f.shape)} must have 4 positive sizes`);
  return f;
}

function conv(c: Converter, o: TfliteOperator): void {
  const opts = optionsOf(o, BuiltinOptions.Conv2DOptions, () => new Conv2DOptions());
  const x = c.tensor(o, 0);
  const f = filter4(c, o, 1);
  const [outC, kH, kW, inC] = f.shape;
  const window = windowOf(c, o, kH, kW, opts, [opts?.dilationHFactor() ?? 1, opts?.dilationWFactor() ?? 1]);
  const act = fusedAct(c, o, opts);
  const filter = ohwiToHwio(f.data, outC, kH, kW, inC);
  const b = bias(c, o, 2, outC);
  c.emit(o, {
    op: "conv",
    inputs: [x],
    window,
    filter,
    inChannels: inC,
    outChannels: outC,
    bias: b,
    act: act ?? "linear",
  });
}

function depthwise(c: Converter, o: TfliteOperator): void {
  const opts = optionsOf(o, BuiltinOptions.DepthwiseConv2DOptions, () => new DepthwiseConv2DOptions());
  const x = c.tensor(o, 0);
  const f = filter4(c, o, 1);
  const [one, kH, kW, outC] = f.shape;
  const channels = c.inShape(o, 0)[3];
  if (one !== 1 || !(channels > 0) || outC % channels !== 0) {
    c.fail(o, `filter shape ${show(f.shape)} must be [1, kH, kW, channels * multiplier] for ${channels} channels`);
  }
  const window = windowOf(c, o, kH, kW, opts, [opts?.dilationHFactor() ?? 1, opts?.dilationWFactor() ?? 1]);
  const act = fusedAct(c, o, opts);
  const b = bias(c, o, 2, outC);
  c.emit(o, {
    op: "depthwise",
    inputs: [x],
    window,
    filter: f.data,
    channels,
    multiplier: outC / channels,
    bias: b,
    act: act ?? "linear",
  });
}

function fullyConnected(c: Converter, o: TfliteOperator): void {
  const opts = optionsOf(o, BuiltinOptions.FullyConnectedOptions, () => new FullyConnectedOptions());
  let x = c.tensor(o, 0);
  const w = c.constant(o, 1, "weights");
  if (w.shape.length !== 2) c.fail(o, `weights shape ${show(w.shape)} must be [units, inUnits]`);
  const [units, inUnits] = w.shape;
  const inShape = c.inShape(o, 0);
  if (inShape.length > 2) {
    // TFLite flattens all but the last axis; a batch-1 input becomes [1, inUnits].
    const flat = `${c.nameOf(o.outputs[0])}/flattened`;
    c.nodes.push({ name: flat, className: o.op, params: 0, op: "reshape", inputs: [x], target: [inUnits] });
    x = flat;
  }
  const kernel = new Float32Array(units * inUnits);
  for (let u = 0; u < units; u++) for (let i = 0; i < inUnits; i++) kernel[i * units + u] = w.data[u * inUnits + i];
  const act = fusedAct(c, o, opts);
  c.emit(o, { op: "dense", inputs: [x], kernel, inUnits, units, bias: bias(c, o, 2, units), act: act ?? "linear" });
}

function binary(c: Converter, o: TfliteOperator): void {
  const type = {
    ADD: BuiltinOptions.AddOptions,
    SUB: BuiltinOptions.SubOptions,
    MUL: BuiltinOptions.MulOptions,
    DIV: BuiltinOptions.DivOptions,
  }[o.op as "ADD"];
  const fusedCode = readFused(o, type);
  const act = fusedCode === undefined ? undefined : fusedAct(c, o, { fusedActivationFunction: () => fusedCode });
  const constA = c.isConst(o, 0);
  const constB = c.isConst(o, 1);
  if (!constA && !constB) {
    const inputs = [c.tensor(o, 0), c.tensor(o, 1)];
    if (o.op !== "ADD" && o.op !== "MUL") c.fail(o, "of two computed tensors is not supported (only ADD and MUL are)");
    c.emit(o, { op: o.op === "ADD" ? "add" : "mul", inputs }, act);
    return;
  }
  if (constA && constB) c.fail(o, "of two constants is not supported");
  const x = c.tensor(o, constA ? 1 : 0);
  const k = c.constant(o, constA ? 0 : 1, "operand");
  const kind = ({ ADD: "add", SUB: "sub", MUL: "mul", DIV: "div" } as const)[o.op as "ADD"];
  const { scale, shift } = constantAffine(kind, constA, k, (message) => c.fail(o, message));
  c.emit(o, { op: "affine", inputs: [x], scale, shift }, act);
}

/** The fused activation of an ADD/SUB/MUL/DIV (their options tables all start with it). */
function readFused(o: TfliteOperator, type: BuiltinOptions): ActivationFunctionType | undefined {
  if (o.raw.builtinOptionsType() !== type) return undefined;
  // AddOptions, SubOptions, MulOptions and DivOptions all hold fused_activation_function first.
  const table = o.raw.builtinOptions(new ConcatenationOptions()) as ConcatenationOptions;
  const bb = table.bb as NonNullable<typeof table.bb>;
  const offset = bb.__offset(table.bb_pos, 4);
  return offset ? bb.readInt8(table.bb_pos + offset) : ActivationFunctionType.NONE;
}

function activation(c: Converter, o: TfliteOperator): void {
  let act: Act;
  if (o.op === "LEAKY_RELU") {
    const opts = optionsOf(o, BuiltinOptions.LeakyReluOptions, () => new LeakyReluOptions());
    act = { kind: "keras-relu", maxValue: Infinity, negativeSlope: opts?.alpha() ?? 0.2, threshold: 0 };
  } else {
    act = (
      { RELU: "relu", RELU6: "relu6", LOGISTIC: "sigmoid", TANH: "tanh", HARD_SWISH: "hardswish", ELU: "elu" } as const
    )[o.op as "RELU"];
  }
  c.emit(o, { op: "activation", inputs: [c.tensor(o, 0)], act });
}

function softmax(c: Converter, o: TfliteOperator): void {
  const beta = optionsOf(o, BuiltinOptions.SoftmaxOptions, () => new SoftmaxOptions())?.beta() ?? 1;
  if (beta !== 1) c.fail(o, `beta ${beta} is not supported (expected 1)`);
  c.emit(o, { op: "activation", inputs: [c.tensor(o, 0)], act: "softmax" });
}

function pool(c: Converter, o: TfliteOperator): void {
  const opts = optionsOf(o, BuiltinOptions.Pool2DOptions, () => new Pool2DOptions());
  const kH = opts?.filterHeight() ?? 0;
  const kW = opts?.filterWidth() ?? 0;
  if (!(kH >= 1 && kW >= 1 && kH <= 1024 && kW <= 1024)) c.fail(o, `window ${kH}x${kW} must be 1 to 1024 on each side`);
  const window = windowOf(c, o, kH, kW, opts, [1, 1]);
  const kind = o.op === "MAX_POOL_2D" ? "max" : "avg";
  c.emit(o, { op: "pool", inputs: [c.tensor(o, 0)], kind, window }, fusedAct(c, o, opts));
}

function mean(c: Converter, o: TfliteOperator): void {
  const axes = [...c.constant(o, 1, "axes").data].map((a) => (a < 0 ? a + 4 : a)).sort();
  if (axes.length !== 2 || axes[0] !== 1 || axes[1] !== 2)
    c.fail(o, `axes ${show(axes)} are not supported; expected [1, 2]`);
  const keepDims = optionsOf(o, BuiltinOptions.ReducerOptions, () => new ReducerOptions())?.keepDims() ?? false;
  c.emit(o, { op: "global-avg-pool", inputs: [c.tensor(o, 0)], keepDims });
}

function pad(c: Converter, o: TfliteOperator): void {
  const { pads, channelPads } = padsOf(c.constant(o, 1, "paddings"), true, (message) => c.fail(o, message));
  if (o.op === "PADV2" && o.inputs.length > 2 && c.constant(o, 2, "constant value").data.some((x) => x !== 0)) {
    c.fail(o, "padding with a value other than 0 is not supported");
  }
  c.emit(o, { op: "pad", inputs: [c.tensor(o, 0)], pads, ...(channelPads ? { channelPads } : {}) });
}

function concat(c: Converter, o: TfliteOperator): void {
  const opts = optionsOf(o, BuiltinOptions.ConcatenationOptions, () => new ConcatenationOptions());
  const rank = c.outShape(o).length;
  let axis = opts?.axis() ?? 0;
  if (axis < 0) axis += rank;
  if (!(axis >= 1 && axis < rank))
    c.fail(o, `axis ${opts?.axis()} is not supported (the batch axis, or outside rank ${rank})`);
  const inputs = o.inputs.map((_, k) => c.tensor(o, k));
  // TFLite's CONCATENATION kernel requires no fused activation (LiteRT ignores one).
  if ((opts?.fusedActivationFunction() ?? ActivationFunctionType.NONE) !== ActivationFunctionType.NONE) {
    c.fail(o, "a fused activation on CONCATENATION is not supported (TFLite's kernel takes none)");
  }
  c.emit(o, { op: "concat", inputs, axis: axis - 1 });
}

function reshape(c: Converter, o: TfliteOperator): void {
  const from = c.inShape(o, 0);
  const to = c.outShape(o);
  if (to.length === 0 || to[0] !== from[0] || to.some((d) => !(d >= 1))) {
    c.fail(o, `reshaping ${show(from)} to ${show(to)} is not supported (the batch must stay the first axis)`);
  }
  c.emit(o, { op: "reshape", inputs: [c.tensor(o, 0)], target: to.length > 1 ? to.slice(1) : [1] });
}

function resize(c: Converter, o: TfliteOperator): void {
  const size = c.constant(o, 1, "size").data;
  if (size.length !== 2 || !(size[0] >= 1 && size[1] >= 1))
    c.fail(o, `size ${show([...size])} must be [height, width]`);
  const bilinear = o.op === "RESIZE_BILINEAR";
  const opts = bilinear
    ? optionsOf(o, BuiltinOptions.ResizeBilinearOptions, () => new ResizeBilinearOptions())
    : optionsOf(o, BuiltinOptions.ResizeNearestNeighborOptions, () => new ResizeNearestNeighborOptions());
  c.emit(o, {
    op: "resize",
    inputs: [c.tensor(o, 0)],
    method: bilinear ? "bilinear" : "nearest",
    height: size[0],
    width: size[1],
    byFactor: false,
    alignCorners: opts?.alignCorners() ?? false,
    halfPixelCenters: opts?.halfPixelCenters() ?? false,
  });
}

/** TRANSPOSE_CONV: inputs [output shape, filter, x, bias?]. MediaPipe's custom op: [x, filter, bias]. */
function convTranspose(c: Converter, o: TfliteOperator): void {
  const custom = o.custom;
  const [xk, fk, bk] = custom ? [0, 1, 2] : [2, 1, 3];
  const x = c.tensor(o, xk);
  const f = filter4(c, o, fk);
  const [outC, kH, kW, inC] = f.shape;
  let padding: "same" | "valid";
  let strideH: number;
  let strideW: number;
  if (custom) {
    // MediaPipe's Convolution2DTransposeBias options: TfLiteTransposeConvParams as three int32s,
    // padding (1 same, 2 valid), stride width, stride height.
    const bytes = o.raw.customOptionsArray();
    if (!bytes || bytes.byteLength < 12)
      c.fail(o, "its options must be 12 bytes (padding, stride width, stride height)");
    const view = new DataView(bytes.buffer, bytes.byteOffset, 12);
    const code = view.getInt32(0, true);
    if (code !== 1 && code !== 2) c.fail(o, `padding code ${code} must be 1 (same) or 2 (valid)`);
    padding = code === 1 ? "same" : "valid";
    strideW = view.getInt32(4, true);
    strideH = view.getInt32(8, true);
  } else {
    const opts = optionsOf(o, BuiltinOptions.TransposeConvOptions, () => new TransposeConvOptions());
    padding = (opts?.padding() ?? Padding.SAME) === Padding.VALID ? "valid" : "same";
    strideH = opts?.strideH() ?? 1;
    strideW = opts?.strideW() ?? 1;
    if (fusedAct(c, o, opts)) c.fail(o, "a fused activation on TRANSPOSE_CONV is not supported");
  }
  windowOf(c, o, kH, kW, { padding: () => Padding.SAME, strideH: () => strideH, strideW: () => strideW }, [1, 1]);
  const out = c.outShape(o);
  const inShape = c.inShape(o, xk);
  const expect = (s: number, k: number, st: number) => (padding === "same" ? s * st : (s - 1) * st + k);
  if (out[1] !== expect(inShape[1], kH, strideH) || out[2] !== expect(inShape[2], kW, strideW)) {
    c.fail(
      o,
      `output shape ${show(out)} is not the ${padding} output of ${show(inShape)} at stride ${strideH}x${strideW}`,
    );
  }
  const b = o.inputs.length > bk ? bias(c, o, bk, outC) : undefined;
  c.emit(o, {
    op: "conv-transpose",
    inputs: [x],
    filter: f.data,
    kH,
    kW,
    strideH,
    strideW,
    inChannels: inC,
    outChannels: outC,
    padding,
    bias: b,
  });
}

function dequantize(c: Converter, o: TfliteOperator): void {
  const v = c.value(o, 0);
  if (v.kind !== "const") c.fail(o, "of a computed tensor is not supported (only of float16 constants)");
  c.alias(o, v);
}

const CONVERTERS = new Map<string, (c: Converter, o: TfliteOperator) => void>([
  ["CONV_2D", conv],
  ["DEPTHWISE_CONV_2D", depthwise],
  ["FULLY_CONNECTED", fullyConnected],
  ["ADD", binary],
  ["SUB", binary],
  ["MUL", binary],
  ["DIV", binary],
  ["RELU", activation],
  ["RELU6", activation],
  ["LOGISTIC", activation],
  ["TANH", activation],
  ["HARD_SWISH", activation],
  ["ELU", activation],
  ["LEAKY_RELU", activation],
  ["SOFTMAX", softmax],
  ["MAX_POOL_2D", pool],
  ["AVERAGE_POOL_2D", pool],
  ["MEAN", mean],
  ["PAD", pad],
  ["PADV2", pad],
  ["CONCATENATION", concat],
  ["RESHAPE", reshape],
  ["RESIZE_BILINEAR", resize],
  ["RESIZE_NEAREST_NEIGHBOR", resize],
  ["TRANSPOSE_CONV", convTranspose],
  ["Convolution2DTransposeBias", convTranspose],
  ["DEQUANTIZE", dequantize],
]);

/** The graph of a .tflite file's first subgraph. */
export function graphFromTflite(bytes: Uint8Array): Graph {
  const file = readTflite(bytes);
  if (file.inputs.length !== 1) {
    fail(`the model has ${file.inputs.length} inputs; models with one input are supported`);
  }
  const c = new Converter(file);
  c.input(file.inputs[0]);
  for (const o of file.operators) {
    const convert = CONVERTERS.get(o.op);
    if (!convert) {
      fail(
        `operator ${o.index}: ${o.custom ? "custom op" : "op"} ${show(o.op)} is not supported (supported: ${[...CONVERTERS.keys()].join(", ")})`,
      );
    }
    convert(c, o);
  }
  const outputs = file.outputs.map((i) => c.output(i));
  const outputNames = file.outputs.map((i) => file.names.get(i) ?? file.tensors[i].name);
  const inputShape = file.tensors[file.inputs[0]].shape.slice(1);
  return { nodes: c.nodes, outputs, outputNames, inputShape };
}
