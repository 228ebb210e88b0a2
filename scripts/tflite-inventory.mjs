// An inventory of .tflite files, as Markdown on stdout: per file its inputs and outputs, the
// operator codes and how often each is used, the dtypes of its constants, the fused activations,
// paddings, strides and other options its operators use, and the raw custom_options of its
// custom ops. It reads the files only through the accessors flatc generated from TFLite's schema
// (src/model/tflite/schema/), bundled on the fly with esbuild (a dev dependency already), so it
// needs no TypeScript runner. docs/tflite-models.md was written from its output.
// Usage: node scripts/tflite-inventory.mjs [file.tflite ...]   (default: the two MediaPipe models)

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEFAULT_FILES = [
  "node_modules/@mediapipe/face_detection/face_detection_short_range.tflite",
  "node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite",
];

/** The generated accessors and flatbuffers' ByteBuffer, as one module. */
async function loadSchema() {
  const result = await build({
    stdin: {
      contents:
        'export * from "./src/model/tflite/schema/tflite.ts";\n' +
        'export * from "./src/model/tflite/schema/names.ts";\n' +
        'export { ByteBuffer } from "flatbuffers";\n',
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    logLevel: "warning",
  });
  return import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString("base64")}`);
}

const S = await loadSchema();
const enumName = (e, v) => e[v] ?? `${v}`;
const arr = (n, at) => Array.from({ length: n }, (_, i) => at(i));
const shape = (s) => `[${s.join(", ")}]`;

/** Every field of a generated table object with a getter that takes no argument. */
function fields(obj) {
  const out = {};
  const proto = Object.getPrototypeOf(obj);
  for (const key of Object.getOwnPropertyNames(proto)) {
    const fn = proto[key];
    if (key === "constructor" || key.startsWith("__") || typeof fn !== "function" || fn.length !== 0) continue;
    if (key.endsWith("Length")) continue;
    const value = fn.call(obj);
    if (key.endsWith("Array")) out[key.slice(0, -5)] = value ? Array.from(value) : [];
    else out[key] = typeof value === "bigint" ? Number(value) : value;
  }
  return out;
}

/** Constant tensor data as numbers (int32 / float32 only; others by byte count). */
function constantValues(model, bytes, t) {
  const b = model.buffers(t.buffer());
  if (!b) return undefined;
  let data = b.dataArray();
  const offset = Number(b.offset());
  if (offset > 1) data = bytes.subarray(offset, offset + Number(b.size()));
  if (!data || data.length === 0) return undefined;
  const copy = data.slice();
  const type = enumName(S.TENSOR_TYPE_NAMES, t.type());
  if (type === "INT32") return Array.from(new Int32Array(copy.buffer));
  if (type === "FLOAT32") return Array.from(new Float32Array(copy.buffer));
  return undefined;
}

function constantBytes(model, t) {
  if (t.buffer() <= 0) return 0;
  const b = model.buffers(t.buffer());
  if (!b) return 0;
  const offset = Number(b.offset());
  return offset > 1 ? Number(b.size()) : b.dataLength();
}

function count(map, key, n = 1) {
  map.set(key, (map.get(key) ?? 0) + n);
}

function inventory(file) {
  const bytes = new Uint8Array(readFileSync(file));
  const bb = new S.ByteBuffer(bytes);
  const lines = [];
  const say = (s = "") => lines.push(s);
  const model = S.Model.getRootAsModel(bb);
  say(`## ${file.split("/").pop()}`);
  say();
  say(`- file: \`${file}\`, ${bytes.length} bytes, identifier \`${String.fromCharCode(...bytes.subarray(4, 8))}\``);
  say(
    `- schema version ${model.version()}, ${model.subgraphsLength()} subgraph(s), ${model.operatorCodesLength()} operator codes, ${model.buffersLength()} buffers, ${model.signatureDefsLength()} signature defs`,
  );
  say(`- description: ${JSON.stringify(model.description())}`);
  const metadata = arr(model.metadataLength(), (i) => {
    const m = model.metadata(i);
    const data = model.buffers(m.buffer())?.dataArray();
    const text =
      m.name() === "min_runtime_version" && data ? ` = "${Buffer.from(data).toString().replace(/\0+$/, "")}"` : "";
    return `\`${m.name()}\` (${data?.length ?? 0} bytes${text})`;
  });
  say(`- metadata: ${metadata.join(", ") || "none"}`);

  const codes = arr(model.operatorCodesLength(), (i) => {
    const c = model.operatorCodes(i);
    const code = Math.max(c.builtinCode(), c.deprecatedBuiltinCode());
    const custom = code === 32; // BuiltinOperator.CUSTOM
    return { name: custom ? c.customCode() : S.BUILTIN_OPERATOR_NAMES[code], custom, code, version: c.version() };
  });

  for (let g = 0; g < model.subgraphsLength(); g++) {
    const graph = model.subgraphs(g);
    const tensors = arr(graph.tensorsLength(), (i) => graph.tensors(i));
    const tShape = (i) => arr(tensors[i].shapeLength(), (k) => tensors[i].shape(k));
    const tType = (i) => enumName(S.TENSOR_TYPE_NAMES, tensors[i].type());
    const describe = (i) => `\`${tensors[i].name()}\` ${shape(tShape(i))} ${tType(i)}`;
    say();
    say(`### Subgraph ${g}${graph.name() ? ` (${graph.name()})` : ""}`);
    say();
    say(`- ${tensors.length} tensors, ${graph.operatorsLength()} operators`);
    say(`- inputs: ${arr(graph.inputsLength(), (k) => describe(graph.inputs(k))).join("; ")}`);
    say(`- outputs: ${arr(graph.outputsLength(), (k) => describe(graph.outputs(k))).join("; ")}`);

    const constants = new Map();
    const quantized = [];
    for (const [i, t] of tensors.entries()) {
      const n = constantBytes(model, t);
      if (n > 0) {
        const c = constants.get(tType(i)) ?? { tensors: 0, bytes: 0 };
        c.tensors++;
        c.bytes += n;
        constants.set(tType(i), c);
      }
      const q = t.quantization();
      if (q && q.scaleLength() > 0) quantized.push(t.name());
      if (t.sparsity()) quantized.push(`${t.name()} (sparse)`);
    }
    say(
      `- constants by dtype: ${[...constants].map(([type, c]) => `${type}: ${c.tensors} tensors, ${c.bytes} bytes`).join("; ")}`,
    );
    say(`- quantized or sparse tensors: ${quantized.length ? quantized.join(", ") : "none"}`);

    // Which operators read each tensor, as "OP input k".
    const consumers = new Map();
    for (let o = 0; o < graph.operatorsLength(); o++) {
      const op = graph.operators(o);
      for (let k = 0; k < op.inputsLength(); k++)
        consumers.set(op.inputs(k), [
          ...(consumers.get(op.inputs(k)) ?? []),
          `${codes[op.opcodeIndex()].name} input ${k}`,
        ]);
    }
    const ops = new Map();
    const activations = new Map();
    const paddings = new Map();
    const details = new Map();
    for (let o = 0; o < graph.operatorsLength(); o++) {
      const op = graph.operators(o);
      const code = codes[op.opcodeIndex()];
      count(ops, code.name);
      const ins = arr(op.inputsLength(), (k) => op.inputs(k));
      const outs = arr(op.outputsLength(), (k) => op.outputs(k));
      const io = `${ins.map((i) => (i < 0 ? "-" : shape(tShape(i)))).join(" ")} -> ${outs.map((i) => shape(tShape(i))).join(" ")}`;
      const note = (text) => count(details, `${code.name}: ${text}`);
      const typeName = enumName(S.BuiltinOptions, op.builtinOptionsType());
      let options = {};
      if (typeName !== "NONE" && S[typeName]) options = fields(op.builtinOptions(new S[typeName]()));
      if ("fusedActivationFunction" in options)
        count(activations, `${code.name} ${enumName(S.ACTIVATION_FUNCTION_NAMES, options.fusedActivationFunction)}`);
      if ("padding" in options) count(paddings, `${code.name} ${enumName(S.Padding, options.padding)}`);
      switch (code.name) {
        case "CONV_2D":
        case "DEPTHWISE_CONV_2D": {
          const w = tShape(ins[1]);
          const extra = code.name === "DEPTHWISE_CONV_2D" ? `, depth_multiplier ${options.depthMultiplier}` : "";
          note(
            `kernel ${w[1]}x${w[2]} ${enumName(S.Padding, options.padding)}, stride ${options.strideH}x${options.strideW}, dilation ${options.dilationHFactor}x${options.dilationWFactor}${extra}, bias ${ins[2] >= 0 ? "yes" : "no"}`,
          );
          break;
        }
        case "MAX_POOL_2D":
        case "AVERAGE_POOL_2D":
          note(
            `filter ${options.filterHeight}x${options.filterWidth} ${enumName(S.Padding, options.padding)}, stride ${options.strideH}x${options.strideW}`,
          );
          break;
        case "PAD":
        case "PADV2": {
          const pads = constantValues(model, bytes, tensors[ins[1]]);
          const pairs = pads ? arr(pads.length / 2, (k) => `[${pads[2 * k]}, ${pads[2 * k + 1]}]`).join(" ") : "?";
          note(`paddings ${pairs} (${io})`);
          break;
        }
        case "CONCATENATION":
          note(`axis ${options.axis}, ${ins.length} inputs (${io})`);
          break;
        case "RESIZE_BILINEAR":
        case "RESIZE_NEAREST_NEIGHBOR": {
          const size = constantValues(model, bytes, tensors[ins[1]]);
          note(
            `align_corners ${options.alignCorners}, half_pixel_centers ${options.halfPixelCenters}, size [${size}] (${io})`,
          );
          break;
        }
        case "RESHAPE":
          note(`new_shape [${options.newShape ?? ""}] (${io})`);
          break;
        case "MEAN":
        case "SUM":
        case "REDUCE_MAX":
          note(`axes [${constantValues(model, bytes, tensors[ins[1]])}], keep_dims ${options.keepDims} (${io})`);
          break;
        case "DEQUANTIZE": {
          const constant = constantBytes(model, tensors[ins[0]]) > 0 ? "a constant" : "an activation";
          const users = (consumers.get(outs[0]) ?? []).join(", ") || "no operator";
          note(`${tType(ins[0])} ${constant} -> ${tType(outs[0])}, read by ${users}`);
          break;
        }
        case "ADD":
        case "MUL":
        case "SUB":
        case "DIV": {
          const constant = ins.some((i) => constantBytes(model, tensors[i]) > 0);
          const [a, b] = ins.map((i) => shape(tShape(i)));
          note(constant ? "by a constant" : a === b ? "two tensors of one shape" : `broadcast ${a} by ${b}`);
          break;
        }
        default:
          if (code.custom) {
            const raw = op.customOptionsArray() ?? new Uint8Array();
            const ints = raw.length % 4 === 0 ? Array.from(new Int32Array(raw.slice().buffer)) : [];
            note(
              `custom_options_format ${enumName(S.CustomOptionsFormat, op.customOptionsFormat())}, ${raw.length} bytes ${Buffer.from(raw).toString("hex")} = int32 [${ints}]; inputs ${ins.map((i) => (i < 0 ? "-" : `${shape(tShape(i))} ${tType(i)}${tensors[i].buffer() > 0 && constantBytes(model, tensors[i]) > 0 ? " const" : ""}`)).join(", ")} -> ${io.split(" -> ")[1]}`,
            );
          } else if (Object.keys(options).length) {
            note(`${JSON.stringify(options)} (${io})`);
          } else {
            note("no options");
          }
      }
    }
    say();
    say("| operator code | kind | version | uses |");
    say("| --- | --- | --- | --- |");
    for (const c of codes)
      say(`| ${c.name} | ${c.custom ? "custom" : `builtin ${c.code}`} | ${c.version} | ${ops.get(c.name) ?? 0} |`);
    say();
    say(`- fused activations: ${[...activations].map(([k, n]) => `${k} ×${n}`).join(", ") || "none"}`);
    say(`- paddings: ${[...paddings].map(([k, n]) => `${k} ×${n}`).join(", ") || "none"}`);
    say("- options, by kind (×count):");
    for (const [k, n] of [...details].sort(([a], [b]) => (a < b ? -1 : 1))) say(`  - ${k} ×${n}`);
  }
  return lines.join("\n");
}

const files = process.argv.slice(2);
console.log((files.length ? files : DEFAULT_FILES).map((f) => inventory(f)).join("\n\n"));
