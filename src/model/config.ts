// Reading one Keras layer's config and weights, with errors that name the layer, its class,
// the option and its value.

import { show } from "../shapes.js";
import type { Act, Window } from "./graph.js";
import { own } from "./own.js";
import type { KerasLayer } from "./topology.js";
import type { Weight, WeightIndex } from "./weights.js";

const OP = "loadLayersModel";

/** Keras activation names sepconv runs ('hard_silu' is Keras 3's name for hard_swish). */
const ACTIVATIONS = new Map<string, Act>([
  ["linear", "linear"],
  ["relu", "relu"],
  ["relu6", "relu6"],
  ["sigmoid", "sigmoid"],
  ["softmax", "softmax"],
  ["tanh", "tanh"],
  ["elu", "elu"],
  ["swish", "swish"],
  ["silu", "swish"],
  ["hard_sigmoid", "hard-sigmoid"],
  ["hard_swish", "hardswish"],
  ["hard_silu", "hardswish"],
]);

export class LayerConfig {
  private readonly config: Record<string, unknown>;
  /** Weight values this layer consumed, for the parameter count. */
  params = 0;

  constructor(
    readonly layer: KerasLayer,
    private readonly weights: WeightIndex,
  ) {
    this.config = layer.config;
  }

  private get where(): string {
    return `layer '${this.layer.name}' (${this.layer.className})`;
  }

  /** An option with a value sepconv does not run. */
  unsupported(option: string, value: unknown, expected: string): RangeError {
    return new RangeError(`${OP}: ${this.where}: ${option} (${show(value)}) is not supported; expected ${expected}`);
  }

  /** An option whose value is malformed. */
  invalid(option: string, value: unknown, expected: string): TypeError {
    return new TypeError(`${OP}: ${this.where}: ${option} (${show(value)}) must be ${expected}`);
  }

  /** The option `key` as the file has it (an own property only; undefined when absent). */
  /**
   * The option's own value. Arrays (and arrays in them) come back as dense copies: a gap reads
   * as undefined, which the checks refuse, where every() would skip it and the gap reach the
   * kernels as NaN.
   */
  raw(key: string): unknown {
    return denseCopy(own(this.config, key));
  }

  /** data_format must be channels_last (NHWC), the only layout the kernels take. */
  channelsLast(): void {
    const format = this.raw("data_format");
    if (format !== undefined && format !== null && format !== "channels_last") {
      throw this.unsupported("data_format", format, '"channels_last"');
    }
  }

  positiveInteger(key: string, fallback?: number): number {
    const value = this.raw(key) ?? fallback;
    if (!Number.isInteger(value) || (value as number) < 1) throw this.invalid(key, value, "a positive integer");
    return value as number;
  }

  number(key: string, fallback: number): number {
    const value = this.raw(key) ?? fallback;
    if (typeof value !== "number" || Number.isNaN(value)) throw this.invalid(key, value, "a number");
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key) ?? fallback;
    if (typeof value !== "boolean") throw this.invalid(key, value, "true or false");
    return value;
  }

  /** An integer or [h, w] pair of positive integers. */
  pair(key: string, fallback?: [number, number]): [number, number] {
    const value = this.raw(key) ?? fallback;
    const ok = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
    if (ok(value)) return [value as number, value as number];
    if (Array.isArray(value) && value.length === 2 && value.every(ok)) return [value[0], value[1]];
    throw this.invalid(key, value, "a positive integer or a pair [h, w] of them");
  }

  padding(): "same" | "valid" {
    const value = this.raw("padding") ?? "valid";
    if (value !== "same" && value !== "valid") throw this.unsupported("padding", value, '"same" or "valid"');
    return value;
  }

  activation(key = "activation"): Act {
    const value = this.raw(key) ?? "linear";
    const act = typeof value === "string" ? ACTIVATIONS.get(value) : undefined;
    if (act === undefined) throw this.unsupported(key, value, `one of ${[...ACTIVATIONS.keys()].map(show).join(", ")}`);
    return act;
  }

  /** Kernel (or pool) size, strides (default: `stridesDefault`), dilations and padding. */
  window(sizeKey: string, stridesDefault: "ones" | "size", dilated: boolean): Window {
    const [kH, kW] = this.pair(sizeKey);
    const [strideH, strideW] = this.pair("strides", stridesDefault === "size" ? [kH, kW] : [1, 1]);
    const [dilationH, dilationW] = dilated ? this.pair("dilation_rate", [1, 1]) : [1, 1];
    return { kH, kW, strideH, strideW, dilationH, dilationW, pad: { pads: [0, 0, 0, 0], mode: this.padding() } };
  }

  /**
   * The weight `${layer}/${name}`; weights written with an extra scope in the middle
   * (layer/cell/name, as TensorFlow 2.2+ does) are found too.
   */
  private find(name: string): Weight {
    const found = this.weights.find(this.layer.name, name);
    if (found) return found;
    throw new RangeError(
      `${OP}: ${this.where} needs the weight '${this.layer.name}/${name}', which artifacts.weightSpecs lack`,
    );
  }

  /** A weight's values, checked against `shape`, and counted as the layer's parameters. */
  weight(name: string, shape: number[]): Float32Array {
    const found = this.find(name);
    if (found.shape.length !== shape.length || found.shape.some((d, i) => d !== shape[i])) {
      throw new RangeError(
        `${OP}: ${this.where}: weight '${this.layer.name}/${name}' has shape ${show(found.shape)}; expected ${show(shape)}`,
      );
    }
    this.params += found.data.length;
    return found.data;
  }

  /**
   * A weight's shape, for sizes only the weights tell (a kernel's input channels): one positive
   * size per entry of `dims` (what each dimension is, for the message).
   */
  weightShape(name: string, dims: string[]): number[] {
    const { shape } = this.find(name);
    if (shape.length !== dims.length || !shape.every((d) => d > 0)) {
      throw new RangeError(
        `${OP}: ${this.where}: weight '${this.layer.name}/${name}' has shape ${show(shape)}; ` +
          `expected ${dims.length} positive sizes [${dims.join(", ")}]`,
      );
    }
    return shape;
  }
}

/** value with arrays two levels deep copied densely (Keras options nest at most that far). */
function denseCopy(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return Array.from(value, (item) => (Array.isArray(item) ? Array.from(item) : item));
}
