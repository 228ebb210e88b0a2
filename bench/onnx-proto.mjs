// A minimal protobuf encoder for the few ONNX messages the benchmark needs, so the ONNX
// Runtime peer can run graphs built in-process without adding a protobuf or onnx dependency.
// Field numbers are those of onnx/onnx.proto (proto2). Repeated scalars are written unpacked,
// the proto2 default for `repeated int64 dims` and `repeated int64 ints`; every parser must
// accept that form.

const utf8 = new TextEncoder();

/** Base-128 varint of a non-negative integer up to 2^53. */
function varint(n) {
  const out = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// Wire types: 0 varint, 2 length-delimited, 5 fixed32.
const int = (field, n) => Uint8Array.from([...varint(field * 8), ...varint(n)]);
const bytes = (field, b) => concat([Uint8Array.from([...varint(field * 8 + 2), ...varint(b.length)]), b]);
const str = (field, s) => bytes(field, utf8.encode(s));
const ints = (field, list) => concat(list.map((n) => int(field, n)));
const strs = (field, list) => concat(list.map((s) => str(field, s)));
const msgs = (field, list) => concat(list.map((m) => bytes(field, m)));

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_INT = 2; // AttributeProto.AttributeType.INT
const ATTR_INTS = 7; // AttributeProto.AttributeType.INTS

/** TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian float32). */
export function tensor(name, dims, data) {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return concat([ints(1, dims), int(2, FLOAT), str(8, name), bytes(9, raw)]);
}

/**
 * ValueInfoProto { name = 1, type = 2 } with TypeProto { tensor_type = 1 },
 * TypeProto.Tensor { elem_type = 1, shape = 2 }, TensorShapeProto { dim = 1 },
 * Dimension { dim_value = 1 }.
 */
export function valueInfo(name, dims) {
  const shape = msgs(
    1,
    dims.map((d) => int(1, d)),
  );
  const tensorType = concat([int(1, FLOAT), bytes(2, shape)]);
  return concat([str(1, name), bytes(2, bytes(1, tensorType))]);
}

/** AttributeProto: name = 1, i = 3, ints = 8, type = 20. */
export function attr(name, value) {
  return Array.isArray(value)
    ? concat([str(1, name), ints(8, value), int(20, ATTR_INTS)])
    : concat([str(1, name), int(3, value), int(20, ATTR_INT)]);
}

/** NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5. */
export function node(opType, inputs, outputs, attributes = {}) {
  return concat([
    strs(1, inputs),
    strs(2, outputs),
    str(3, `${opType}_${outputs[0]}`),
    str(4, opType),
    msgs(
      5,
      Object.entries(attributes).map(([k, v]) => attr(k, v)),
    ),
  ]);
}

/** GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12. */
export function graph({ name, nodes, initializers, inputs, outputs }) {
  return concat([msgs(1, nodes), str(2, name), msgs(5, initializers), msgs(11, inputs), msgs(12, outputs)]);
}

/**
 * ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 with
 * OperatorSetIdProto { domain = 1, version = 2 } (empty domain = the default ai.onnx set).
 */
export function model(graphBytes, { irVersion = 8, opset = 13 } = {}) {
  return concat([int(1, irVersion), str(2, "sepconv-bench"), bytes(7, graphBytes), bytes(8, int(2, opset))]);
}
