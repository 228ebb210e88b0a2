// The TFLite schema and its generated accessors without the compiler: schema.fbs hashes to what
// every generated file's header records (test/codegen.test.ts reruns flatc itself, this only
// reads files), the accessors import nothing but `flatbuffers` and each other, and they read
// MediaPipe's BlazeFace short range and selfie segmentation: identifier, schema version,
// subgraphs, operator codes with their use counts, inputs and outputs (docs/tflite-models.md).

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { ByteBuffer } from "flatbuffers";
import { describe, expect, it } from "vitest";
import { BUILTIN_OPERATOR_NAMES, TENSOR_TYPE_NAMES } from "../src/model/tflite/schema/names.js";
import { BuiltinOperator } from "../src/model/tflite/schema/tflite/builtin-operator.js";
import { Model } from "../src/model/tflite/schema/tflite/model.js";

const SCHEMA = "src/model/tflite/schema.fbs";
const OUT = "src/model/tflite/schema";

function generatedFiles(): string[] {
  return [
    ...readdirSync(OUT)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => `${OUT}/${f}`),
    ...readdirSync(`${OUT}/tflite`).map((f) => `${OUT}/tflite/${f}`),
  ];
}

describe("TFLite schema and generated accessors", () => {
  const schema = readFileSync(SCHEMA, "utf8");
  const files = generatedFiles();

  it("schema.fbs is TFLite's schema, version 3 (file identifier TFL3, root type Model)", () => {
    expect(schema).toMatch(/^\/\/ Copyright 2017 The TensorFlow Authors\. All Rights Reserved\./);
    expect(schema).toContain("Licensed under the Apache License, Version 2.0");
    expect(schema).toMatch(/^namespace tflite;$/m);
    expect(schema).toMatch(/\/\/ This corresponds to the version\.\s*file_identifier "TFL3";/);
    expect(schema).toMatch(/^root_type Model;$/m);
  });

  it("every generated file records schema.fbs's sha256, its schema version and where it came from", () => {
    const sha = createHash("sha256").update(schema).digest("hex").slice(0, 16);
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      const head = readFileSync(file, "utf8").split("\n").slice(0, 2).join("\n");
      const recorded = /sha256 ([0-9a-f]{16})…/.exec(head)?.[1];
      expect(recorded, `${file}: no schema hash in its header`).toBeDefined();
      expect(recorded, `${file} was generated from another schema.fbs; run node scripts/gen-tflite-schema.mjs`).toBe(
        sha,
      );
      expect(head, file).toMatch(/flatc version \d+\.\d+\.\d+/);
      expect(head, file).toContain("TFLite schema version 3,");
      expect(head, file).toContain("tensorflow/compiler/mlir/lite/schema/schema.fbs");
    }
  });

  it("the accessors import only the flatbuffers package and each other", () => {
    for (const file of files) {
      const specifiers = [...readFileSync(file, "utf8").matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gm)].map(
        (m) => m[1]!,
      );
      for (const s of specifiers) expect(s === "flatbuffers" || s.startsWith("./"), `${file} imports ${s}`).toBe(true);
    }
  });

  const MODELS = [
    {
      file: "node_modules/@mediapipe/face_detection/face_detection_short_range.tflite",
      tensors: 250,
      inputs: [["input", [1, 128, 128, 3]]],
      outputs: [
        ["regressors", [1, 896, 16]],
        ["classificators", [1, 896, 1]],
      ],
      ops: {
        CONV_2D: 21,
        RELU: 17,
        DEPTHWISE_CONV_2D: 16,
        ADD: 16,
        PAD: 11,
        MAX_POOL_2D: 3,
        RESHAPE: 4,
        CONCATENATION: 2,
        DEQUANTIZE: 74,
      },
    },
    {
      file: "node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite",
      tensors: 360,
      inputs: [["input_1", [1, 256, 256, 3]]],
      outputs: [["activation_10", [1, 256, 256, 1]]],
      ops: {
        CONV_2D: 43,
        HARD_SWISH: 11,
        RELU: 22,
        DEPTHWISE_CONV_2D: 11,
        AVERAGE_POOL_2D: 10,
        LOGISTIC: 11,
        MUL: 10,
        ADD: 14,
        RESIZE_BILINEAR: 3,
        Convolution2DTransposeBias: 1,
        DEQUANTIZE: 110,
      },
    },
  ] as const;

  for (const m of MODELS) {
    it(`reads ${m.file.split("/").pop()}: TFL3, version 3, one subgraph, its operator codes, inputs and outputs`, () => {
      const bb = new ByteBuffer(new Uint8Array(readFileSync(m.file)));
      expect(Model.bufferHasIdentifier(bb)).toBe(true);
      const model = Model.getRootAsModel(bb);
      expect(model.version()).toBe(3);
      expect(model.subgraphsLength()).toBe(1);
      const codes = Array.from({ length: model.operatorCodesLength() }, (_, i) => {
        const c = model.operatorCodes(i)!;
        const code = Math.max(c.builtinCode(), c.deprecatedBuiltinCode());
        return code === BuiltinOperator.CUSTOM ? c.customCode()! : BUILTIN_OPERATOR_NAMES[code]!;
      });
      expect(codes).toEqual(Object.keys(m.ops));
      const graph = model.subgraphs(0)!;
      expect(graph.tensorsLength()).toBe(m.tensors);
      const uses: Record<string, number> = {};
      for (let o = 0; o < graph.operatorsLength(); o++) {
        const name = codes[graph.operators(o)!.opcodeIndex()]!;
        uses[name] = (uses[name] ?? 0) + 1;
      }
      expect(uses).toEqual(m.ops);
      const tensor = (i: number) => {
        const t = graph.tensors(i)!;
        return [t.name(), Array.from(t.shapeArray() ?? []), TENSOR_TYPE_NAMES[t.type()]];
      };
      const io = (length: number, at: (k: number) => number | null) => Array.from({ length }, (_, k) => tensor(at(k)!));
      expect(io(graph.inputsLength(), (k) => graph.inputs(k))).toEqual(m.inputs.map((t) => [...t, "FLOAT32"]));
      expect(io(graph.outputsLength(), (k) => graph.outputs(k))).toEqual(m.outputs.map((t) => [...t, "FLOAT32"]));
    });
  }

  it("reads the custom op's options: Convolution2DTransposeBias as three int32s (padding SAME, stride 2x2)", () => {
    const bb = new ByteBuffer(
      new Uint8Array(readFileSync("node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite")),
    );
    const model = Model.getRootAsModel(bb);
    const graph = model.subgraphs(0)!;
    const custom = Array.from({ length: graph.operatorsLength() }, (_, o) => graph.operators(o)!).filter(
      (op) => model.operatorCodes(op.opcodeIndex())!.customCode() === "Convolution2DTransposeBias",
    );
    expect(custom).toHaveLength(1);
    const raw = custom[0]!.customOptionsArray()!;
    // TfLiteTransposeConvParams: padding (TfLitePadding: 1 SAME, 2 VALID), stride_width, stride_height.
    expect(Array.from(new Int32Array(raw.slice().buffer))).toEqual([1, 2, 2]);
    const shapes = [...Array.from(custom[0]!.inputsArray()!), ...Array.from(custom[0]!.outputsArray()!)].map((t) =>
      Array.from(graph.tensors(t)!.shapeArray()!),
    );
    // x, weights [out channels, kh, kw, in channels], bias, output: 128 -> 256 is stride 2.
    expect(shapes).toEqual([[1, 128, 128, 16], [1, 2, 2, 16], [1], [1, 256, 256, 1]]);
  });
});
