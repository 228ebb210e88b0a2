// Graph models written node by node, as tfjs-converter writes them (GraphDef JSON: int64 attrs
// as strings, strings base64, constants as weights named by their Const node), so one file
// runs both in TensorFlow.js's graph executor (the oracle) and in loadGraphModel.

import type * as tf from "@tensorflow/tfjs-core";
import type { ModelArtifacts, WeightSpec } from "../src/index.js";
import { rng } from "./helpers.js";

type Attr = Record<string, unknown>;

export const attr = {
  ints: (values: number[]): Attr => ({ list: { i: values.map(String) } }),
  int: (value: number): Attr => ({ i: String(value) }),
  float: (value: number): Attr => ({ f: value }),
  bool: (value: boolean): Attr => ({ b: value }),
  string: (value: string): Attr => ({ s: btoa(value) }),
  strings: (values: string[]): Attr => ({ list: { s: values.map((v) => btoa(v)) } }),
  type: (): Attr => ({ type: "DT_FLOAT" }),
};

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, Attr>;
}

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  private readonly specs: WeightSpec[] = [];
  private readonly data: Float32Array[] = [];
  private readonly ints: Int32Array[] = [];
  private readonly random: () => number;
  private count = 0;

  constructor(seed = 1) {
    this.random = rng(seed);
  }

  private fresh(prefix: string): string {
    return `${prefix}_${this.count++}`;
  }

  input(shape: number[], name = "input"): string {
    const dim = shape.map((d) => ({ size: String(d) }));
    this.nodes.push({ name, op: "Placeholder", attr: { shape: { shape: { dim } }, dtype: attr.type() } });
    return name;
  }

  /** A float constant: `values`, or seeded values in [-scale, scale] (or [low, high]). */
  const(shape: number[], values?: number[] | Float32Array, range: [number, number] = [-0.5, 0.5]): string {
    const name = this.fresh("const");
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = values ? values[i] : range[0] + (range[1] - range[0]) * this.random();
    this.addConst(name, shape, "float32", data);
    return name;
  }

  /** An int32 constant (axes, shapes, paddings, sizes). */
  intConst(shape: number[], values: number[]): string {
    const name = this.fresh("int");
    this.addConst(name, shape, "int32", Int32Array.from(values));
    return name;
  }

  private addConst(name: string, shape: number[], dtype: "float32" | "int32", data: Float32Array | Int32Array): void {
    const tfType = dtype === "float32" ? "DT_FLOAT" : "DT_INT32";
    const tensorShape = { dim: shape.map((d) => ({ size: String(d) })) };
    this.nodes.push({
      name,
      op: "Const",
      attr: { value: { tensor: { dtype: tfType, tensorShape } }, dtype: { type: tfType } },
    });
    this.specs.push({ name, shape, dtype });
    if (dtype === "float32") this.data.push(data as Float32Array);
    else this.data.push(new Float32Array((data as Int32Array).buffer));
    this.ints.push(dtype === "int32" ? (data as Int32Array) : new Int32Array(0));
  }

  op(op: string, input: string[], attrs: Record<string, Attr> = {}, name?: string): string {
    const id = name ?? this.fresh(op);
    this.nodes.push({ name: id, op, input, attr: { T: attr.type(), ...attrs } });
    return id;
  }

  artifacts(): ModelArtifacts & tf.io.ModelArtifacts {
    const total = this.data.reduce((n, d) => n + d.byteLength, 0);
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const d of this.data) {
      bytes.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), offset);
      offset += d.byteLength;
    }
    return {
      format: "graph-model",
      modelTopology: { node: structuredClone(this.nodes), versions: { producer: 1 } },
      weightSpecs: this.specs.map((s) => ({ ...s })),
      weightData: bytes.buffer,
    } as ModelArtifacts & tf.io.ModelArtifacts;
  }
}

/** Conv-style attrs: strides/dilations [1, s, s, 1], padding, data_format NHWC. */
export function convAttrs(stride: number, padding: "SAME" | "VALID" | "EXPLICIT", dilation = 1): Record<string, Attr> {
  return {
    strides: attr.ints([1, stride, stride, 1]),
    dilations: attr.ints([1, dilation, dilation, 1]),
    padding: attr.string(padding),
    data_format: attr.string("NHWC"),
  };
}

/** Fused-op attrs of _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul. */
export function fused(ops: string[], extra: Record<string, Attr> = {}): Record<string, Attr> {
  return { fused_ops: attr.strings(ops), num_args: attr.int(ops.includes("BiasAdd") ? 1 : 0), ...extra };
}
