// .tflite files written op by op with the builders flatc generated (src/model/tflite/schema),
// so one file runs both in LiteRT.js (the oracle) and in loadTFLiteModel.

import { Builder } from "flatbuffers";
import { Buffer } from "../src/model/tflite/schema/tflite/buffer.js";
import { BuiltinOperator } from "../src/model/tflite/schema/tflite/builtin-operator.js";
import { BuiltinOptions } from "../src/model/tflite/schema/tflite/builtin-options.js";
import { Model } from "../src/model/tflite/schema/tflite/model.js";
import { Operator } from "../src/model/tflite/schema/tflite/operator.js";
import { OperatorCode } from "../src/model/tflite/schema/tflite/operator-code.js";
import { SubGraph } from "../src/model/tflite/schema/tflite/sub-graph.js";
import { Tensor } from "../src/model/tflite/schema/tflite/tensor.js";
import { TensorType } from "../src/model/tflite/schema/tflite/tensor-type.js";
import { rng } from "./helpers.js";

export { BuiltinOperator, BuiltinOptions };

interface TensorSpec {
  shape: number[];
  type: TensorType;
  data?: Uint8Array;
  name: string;
}

interface OpSpec {
  code: BuiltinOperator;
  inputs: number[];
  outputs: number[];
  optionsType: BuiltinOptions;
  options?: (b: Builder) => number;
}

export class TfliteBuilder {
  private readonly tensors: TensorSpec[] = [];
  private readonly ops: OpSpec[] = [];
  private readonly random: () => number;

  constructor(seed = 1) {
    this.random = rng(seed);
  }

  /** A computed float32 tensor. */
  tensor(shape: number[], name = `t${this.tensors.length}`): number {
    this.tensors.push({ shape, type: TensorType.FLOAT32, name });
    return this.tensors.length - 1;
  }

  /** A float32 constant: `values`, or seeded values in [low, high]. */
  weights(shape: number[], values?: number[], low = -0.5, high = 0.5): number {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: size }, (_, i) =>
      values ? values[i] : low + (high - low) * this.random(),
    );
    this.tensors.push({
      shape,
      type: TensorType.FLOAT32,
      data: new Uint8Array(data.buffer),
      name: `w${this.tensors.length}`,
    });
    return this.tensors.length - 1;
  }

  /** A float16 constant (stored as IEEE half bits) and the DEQUANTIZE op making it float32. */
  halfWeights(shape: number[]): number {
    const size = shape.reduce((a, b) => a * b, 1);
    const halves = new Uint16Array(size);
    for (let i = 0; i < size; i++) {
      // Values k/64 in [-0.5, 0.5]: exact in float16 (sign, exponent, 10-bit mantissa).
      const v = Math.round((this.random() - 0.5) * 64) / 64;
      halves[i] = toHalf(v);
    }
    this.tensors.push({
      shape,
      type: TensorType.FLOAT16,
      data: new Uint8Array(halves.buffer),
      name: `h${this.tensors.length}`,
    });
    const out = this.tensor(shape);
    this.op(BuiltinOperator.DEQUANTIZE, [this.tensors.length - 2], [out]);
    return out;
  }

  ints(shape: number[], values: number[]): number {
    const data = Int32Array.from(values);
    this.tensors.push({
      shape,
      type: TensorType.INT32,
      data: new Uint8Array(data.buffer),
      name: `i${this.tensors.length}`,
    });
    return this.tensors.length - 1;
  }

  op(
    code: BuiltinOperator,
    inputs: number[],
    outputs: number[],
    optionsType = BuiltinOptions.NONE,
    options?: (b: Builder) => number,
  ): void {
    this.ops.push({ code, inputs, outputs, optionsType, options });
  }

  bytes(inputs: number[], outputs: number[]): Uint8Array {
    const b = new Builder(1024);
    const codes = [...new Set(this.ops.map((o) => o.code))];
    const buffers = [Buffer.createBuffer(b, 0, 0n, 0n)];
    const bufferOf = new Map<number, number>();
    this.tensors.forEach((t, i) => {
      if (!t.data) return;
      b.startVector(1, t.data.length, 16);
      for (let k = t.data.length - 1; k >= 0; k--) b.addInt8(t.data[k]);
      const vector = b.endVector();
      buffers.push(Buffer.createBuffer(b, vector, 0n, 0n));
      bufferOf.set(i, buffers.length - 1);
    });
    const tensors = this.tensors.map((t, i) => {
      const name = b.createString(t.name);
      const shape = Tensor.createShapeVector(b, t.shape);
      Tensor.startTensor(b);
      Tensor.addShape(b, shape);
      Tensor.addType(b, t.type);
      Tensor.addBuffer(b, bufferOf.get(i) ?? 0);
      Tensor.addName(b, name);
      return Tensor.endTensor(b);
    });
    const operators = this.ops.map((o) => {
      const options = o.options ? o.options(b) : 0;
      const ins = Operator.createInputsVector(b, o.inputs);
      const outs = Operator.createOutputsVector(b, o.outputs);
      Operator.startOperator(b);
      Operator.addOpcodeIndex(b, codes.indexOf(o.code));
      Operator.addInputs(b, ins);
      Operator.addOutputs(b, outs);
      if (o.options) {
        Operator.addBuiltinOptionsType(b, o.optionsType);
        Operator.addBuiltinOptions(b, options);
      }
      return Operator.endOperator(b);
    });
    const graph = SubGraph.createSubGraph(
      b,
      SubGraph.createTensorsVector(b, tensors),
      SubGraph.createInputsVector(b, inputs),
      SubGraph.createOutputsVector(b, outputs),
      SubGraph.createOperatorsVector(b, operators),
      b.createString("main"),
      0,
    );
    const opcodes = Model.createOperatorCodesVector(
      b,
      codes.map((c) => OperatorCode.createOperatorCode(b, Math.min(c, 127), 0, 1, c)),
    );
    const subgraphs = Model.createSubgraphsVector(b, [graph]);
    const bufferVector = Model.createBuffersVector(b, buffers);
    Model.startModel(b);
    Model.addVersion(b, 3);
    Model.addOperatorCodes(b, opcodes);
    Model.addSubgraphs(b, subgraphs);
    Model.addBuffers(b, bufferVector);
    Model.finishModelBuffer(b, Model.endModel(b));
    return b.asUint8Array().slice();
  }
}

function toHalf(v: number): number {
  if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
  const sign = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  const e = Math.floor(Math.log2(a));
  const mantissa = Math.round((a / 2 ** e - 1) * 1024);
  return sign | ((e + 15) << 10) | mantissa;
}
