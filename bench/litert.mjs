// LiteRT.js (@litertjs/core: TFLite + XNNPACK in wasm) in Node: the home runtime of .tflite
// files for bench/model.mjs and the oracle of the TFLite tests (test/oracles/litert-node.ts).
// LiteRT.js is written for browsers: its loader runs the emscripten glue script with
// importScripts (in a worker) or a <script> tag, and then reads `self.ModuleFactory`. In Node
// the glue takes its Node path (reading the .wasm with fs, relative to __dirname), so the shim
// is: `self` is globalThis, importScripts runs the file in this context (its top-level
// `var ModuleFactory` becomes a global), and __dirname / require are what the glue expects.
// LiteRT picks its relaxed-SIMD build when the engine validates relaxed SIMD (Node 20 with
// --experimental-wasm-relaxed-simd, Node 22+), else its "compat" build; CPU only, one thread.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const WASM_DIR = new URL("../node_modules/@litertjs/core/wasm/", import.meta.url);
let loaded;

/** LiteRT.js, loaded once per process. */
export function liteRt() {
  loaded ??= (async () => {
    globalThis.self ??= globalThis;
    globalThis.__dirname ??= fileURLToPath(WASM_DIR);
    globalThis.require ??= createRequire(import.meta.url);
    globalThis.importScripts ??= (url) => {
      const path = url.startsWith("file:") ? fileURLToPath(url) : url;
      vm.runInThisContext(readFileSync(path, "utf8"), { filename: path });
    };
    const lrt = await import("@litertjs/core");
    await lrt.loadLiteRt(WASM_DIR.href);
    return lrt;
  })();
  return loaded;
}

/** A compiled model: run() takes float32 inputs in the model's input order. */
export async function litertModel(model) {
  const lrt = await liteRt();
  const compiled = await lrt.loadAndCompile(model, { accelerator: "wasm" });
  const inputs = compiled.getInputDetails();
  const outputs = compiled.getOutputDetails();
  return {
    inputs: inputs.map((d) => ({ name: d.name, shape: Array.from(d.shape) })),
    outputs: outputs.map((d) => ({ name: d.name, shape: Array.from(d.shape) })),
    async run(data) {
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
