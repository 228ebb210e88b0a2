// Reading a TFLite model file (a FlatBuffer of TFLite's schema) through the accessors flatc
// generated (./schema/, from schema.fbs) into plain records: the first subgraph's tensors
// with their constant data, its operators with their op names and options, its inputs and
// outputs, and the signature names. The file may come from a stranger: every read goes
// through a ByteBuffer that refuses offsets outside the file, every vector's length is checked
// against the bytes that could hold it before it is walked, and nothing here recurses.

import { ByteBuffer } from "flatbuffers";
import { show } from "../../shapes.js";
import { BUILTIN_OPERATOR_NAMES, TENSOR_TYPE_NAMES } from "./schema/names.js";
import { BuiltinOperator } from "./schema/tflite/builtin-operator.js";
import { Model } from "./schema/tflite/model.js";
import type { Operator } from "./schema/tflite/operator.js";
import type { SubGraph } from "./schema/tflite/sub-graph.js";

const OP = "loadTFLiteModel";

export function fail(message: string): never {
  throw new RangeError(`${OP}: ${message}`);
}

/** A ByteBuffer whose reads stay inside the file: a corrupt offset is an error, not garbage. */
class CheckedByteBuffer extends ByteBuffer {
  private check(offset: number, size: number): void {
    if (!(offset >= 0 && offset + size <= this.capacity())) {
      fail(`the file (${this.capacity()} bytes) is truncated or corrupt: a read at byte ${offset} is outside it`);
    }
  }

  override readUint8(offset: number): number {
    this.check(offset, 1);
    return super.readUint8(offset);
  }

  override readUint16(offset: number): number {
    this.check(offset, 2);
    return super.readUint16(offset);
  }

  override readInt32(offset: number): number {
    this.check(offset, 4);
    return super.readInt32(offset);
  }

  /** A vector's length, refused when its elements (at least one byte each) cannot fit in the file. */
  override __vector_len(offset: number): number {
    const length = super.__vector_len(offset);
    const start = super.__vector(offset);
    if (length < 0 || start + length > this.capacity()) {
      fail(
        `the file (${this.capacity()} bytes) is truncated or corrupt: a vector of ${length} values at byte ${start}`,
      );
    }
    return length;
  }

  override __string(offset: number, encoding?: unknown): string | Uint8Array {
    const at = offset + this.readInt32(offset);
    const length = this.readInt32(at);
    this.check(at + 4, length);
    return super.__string(offset, encoding as never);
  }
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  /** A TensorType name: FLOAT32, FLOAT16, INT32, ... */
  type: string;
  /** The constant's bytes (a view of the file), or undefined for a computed tensor. */
  data: Uint8Array | undefined;
  quantized: boolean;
}

export interface TfliteOperator {
  index: number;
  /** A BuiltinOperator name (CONV_2D, ...), or the custom code of a CUSTOM op. */
  op: string;
  custom: boolean;
  inputs: number[];
  outputs: number[];
  raw: Operator;
}

export interface TfliteGraph {
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
  /** The signature's names of the inputs and outputs (by tensor index), when the file has one. */
  names: Map<number, string>;
}

function ints(length: number, at: (i: number) => number | null): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(at(i) ?? 0);
  return out;
}

/** The first subgraph of a .tflite file. */
export function readTflite(bytes: Uint8Array): TfliteGraph {
  if (bytes.byteLength < 8) fail(`the file has ${bytes.byteLength} bytes; a TFLite model has at least 8`);
  const bb = new CheckedByteBuffer(bytes);
  if (!bb.__has_identifier("TFL3")) {
    const id = String.fromCharCode(...bytes.subarray(4, 8));
    fail(`the file is not a TFLite model (its identifier is ${show(id)}, not "TFL3")`);
  }
  const model = Model.getRootAsModel(bb);
  const version = model.version();
  if (version !== 3) fail(`schema version ${version} is not supported (expected 3)`);
  if (model.subgraphsLength() < 1) fail("the file has no subgraph");
  const graph = model.subgraphs(0) as SubGraph;
  const codes = ints(model.operatorCodesLength(), (i) => {
    const code = model.operatorCodes(i);
    if (!code) return -1;
    // Files before schema 3a hold the code in deprecated_builtin_code (an int8).
    return Math.max(code.builtinCode(), code.deprecatedBuiltinCode());
  });
  const customCodes = ints(model.operatorCodesLength(), () => 0).map(
    (_, i) => model.operatorCodes(i)?.customCode() ?? "",
  );
  const buffersLength = model.buffersLength();
  const tensors: TfliteTensor[] = [];
  for (let i = 0; i < graph.tensorsLength(); i++) {
    const t = graph.tensors(i);
    if (!t) fail(`tensor ${i} is missing`);
    const shape = ints(t.shapeLength(), (k) => t.shape(k));
    const typeCode = t.type();
    const buffer = t.buffer();
    let data: Uint8Array | undefined;
    if (buffer > 0) {
      if (buffer >= buffersLength) fail(`tensor ${i} ('${t.name()}') names buffer ${buffer} of ${buffersLength}`);
      const b = model.buffers(buffer);
      const offset = Number(b?.offset() ?? 0n);
      const size = Number(b?.size() ?? 0n);
      if (offset > 1) {
        // Schema 3c: the constant is stored after the FlatBuffer, at a byte offset of the file.
        if (offset + size > bytes.byteLength)
          fail(`tensor ${i} ('${t.name()}'): its data (${size} bytes at ${offset}) is outside the file`);
        data = bytes.subarray(offset, offset + size);
      } else if (b && b.dataLength() > 0) {
        data = b.dataArray() ?? undefined;
      }
    }
    const q = t.quantization();
    tensors.push({
      index: i,
      name: t.name() ?? `tensor_${i}`,
      shape,
      type: TENSOR_TYPE_NAMES[typeCode] || `type ${typeCode}`,
      data,
      quantized: q !== null && q.scaleLength() > 0,
    });
  }
  const tensorIndex = (i: number, where: string) => {
    if (!(Number.isInteger(i) && i >= -1 && i < tensors.length))
      fail(`${where} names tensor ${i} of ${tensors.length}`);
    return i;
  };
  const operators: TfliteOperator[] = [];
  for (let i = 0; i < graph.operatorsLength(); i++) {
    const o = graph.operators(i) as Operator;
    const codeIndex = o.opcodeIndex();
    if (codeIndex >= codes.length) fail(`operator ${i} names operator code ${codeIndex} of ${codes.length}`);
    const code = codes[codeIndex];
    const custom = code === BuiltinOperator.CUSTOM;
    const where = `operator ${i}`;
    operators.push({
      index: i,
      op: custom ? customCodes[codeIndex] : BUILTIN_OPERATOR_NAMES[code] || `builtin op ${code}`,
      custom,
      inputs: ints(o.inputsLength(), (k) => o.inputs(k)).map((t) => tensorIndex(t, where)),
      outputs: ints(o.outputsLength(), (k) => o.outputs(k)).map((t) => tensorIndex(t, where)),
      raw: o,
    });
  }
  const inputs = ints(graph.inputsLength(), (k) => graph.inputs(k)).map((t) => tensorIndex(t, "the subgraph's inputs"));
  const outputs = ints(graph.outputsLength(), (k) => graph.outputs(k)).map((t) =>
    tensorIndex(t, "the subgraph's outputs"),
  );
  const names = new Map<number, string>();
  if (model.signatureDefsLength() > 0) {
    const sig = model.signatureDefs(0);
    for (const [length, at] of [
      [sig?.inputsLength() ?? 0, (k: number) => sig?.inputs(k)],
      [sig?.outputsLength() ?? 0, (k: number) => sig?.outputs(k)],
    ] as const) {
      for (let k = 0; k < length; k++) {
        const map = at(k);
        if (map?.name()) names.set(tensorIndex(map.tensorIndex(), "the signature"), map.name() as string);
      }
    }
  }
  return { tensors, operators, inputs, outputs, names };
}
