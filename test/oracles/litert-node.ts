// LiteRT.js (@litertjs/core: TFLite + XNNPACK in wasm) as the oracle for TFLite models, in
// Node. LiteRT.js is written for browsers: its loader runs the emscripten glue script with
// importScripts (in a worker) or a <script> tag, and the glue then reads `self.ModuleFactory`.
// In Node the glue takes its Node path (reading the .wasm with fs, relative to __dirname), so
// the shim is: `self` is globalThis, importScripts runs the file in this context (its top-level
// `var ModuleFactory` becomes a global), and __dirname / require are what the glue expects.
// LiteRT picks its relaxed-SIMD build when the engine validates relaxed SIMD (Node 20 with
// --experimental-wasm-relaxed-simd, Node 22+), else its "compat" build; CPU only (no WebGPU).
// Also used by bench/model.mjs as the home runtime of .tflite files.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const WASM_DIR = new URL("../../node_modules/@litertjs/core/wasm/", import.meta.url);

/**
 * The part of @litertjs/core used here, typed locally: its own declarations reference WebGPU
 * and newer lib types that change the global typed-array types of this project's tests.
 */
interface LiteRtTensor {
  toTypedArray(): ArrayLike<number>;
  delete(): void;
}
interface LiteRt {
  loadLiteRt(path: string): Promise<unknown>;
  loadAndCompile(
    model: Uint8Array,
    options: { accelerator: "wasm" },
  ): Promise<{
    getInputDetails(): { name: string; shape: ArrayLike<number> }[];
    getOutputDetails(): { name: string; shape: ArrayLike<number> }[];
    run(inputs: LiteRtTensor[]): Promise<LiteRtTensor[]>;
    delete(): void;
  }>;
  Tensor: new (data: Float32Array, shape: number[]) => LiteRtTensor;
}
const PACKAGE = "@litertjs/core";
let loaded: Promise<LiteRt> | undefined;

/** LiteRT.js loaded once per process, threads as given (1: its single-threaded build). */
export function liteRt(): Promise<LiteRt> {
  loaded ??= (async () => {
    const g = globalThis as Record<string, unknown>;
    g.self ??= globalThis;
    g.__dirname ??= fileURLToPath(WASM_DIR);
    g.require ??= createRequire(import.meta.url);
    g.importScripts ??= (url: string) => {
      const path = url.startsWith("file:") ? fileURLToPath(url) : url;
      vm.runInThisContext(readFileSync(path, "utf8"), { filename: path });
    };
    const lrt = (await import(PACKAGE)) as LiteRt;
    await lrt.loadLiteRt(WASM_DIR.href);
    return lrt;
  })();
  return loaded;
}

export interface OracleOutput {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** A compiled model: run() takes float32 inputs in the model's input order. */
export async function litertModel(model: Uint8Array) {
  const lrt = await liteRt();
  const compiled = await lrt.loadAndCompile(model, { accelerator: "wasm" });
  const inputs = compiled.getInputDetails();
  const outputs = compiled.getOutputDetails();
  return {
    inputs: inputs.map((d) => ({ name: d.name, shape: Array.from(d.shape) })),
    outputs: outputs.map((d) => ({ name: d.name, shape: Array.from(d.shape) })),
    async run(data: Float32Array[]): Promise<OracleOutput[]> {
      const tensors = data.map((x, i) => new lrt.Tensor(x, Array.from(inputs[i].shape)));
      const results = await compiled.run(tensors);
      const out = results.map((t, i) => ({
        name: outputs[i].name,
        shape: Array.from(outputs[i].shape),
        data: Float32Array.from(t.toTypedArray()),
      }));
      for (const t of [...tensors, ...results]) t.delete();
      return out;
    },
    delete: () => compiled.delete(),
  };
}
