// LiteRT.js (@litertjs/core 2.5.3: TFLite + XNNPACK compiled to wasm) as an oracle for .tflite
// files, in Node, on the CPU, single-threaded. What its code needs, read from its dist:
// - loadLiteRt(dir) picks the glue script by feature test: litert_wasm_internal.js when
//   WebAssembly.validate accepts a relaxed-SIMD module, else litert_wasm_compat_internal.js
//   (plain SIMD); the _threaded_ build only on request (and needs workers + shared memory), the
//   _jspi_ build only on request (no JSPI in Node 20). Both plain builds run in Node 20: the
//   relaxed one needs --experimental-wasm-relaxed-simd, which vitest.config.ts gives its forks,
//   so under vitest it is litert_wasm_internal.js; plain `node` gets the compat build.
// - @litertjs/wasm-utils' createWasmLib runs the glue with importScripts (if it is a function)
//   or a <script> tag, then calls `self.ModuleFactory`. The emscripten glue itself detects Node
//   (process.versions.node) and reads its .wasm with fs from `__dirname`, with `require`.
// So the shim (bench/litert.mjs, which this builds on, so that one process loads LiteRT once
// whichever oracle asks first: a second loadLiteRt throws "LiteRT is already loading / loaded")
// is: `self` = globalThis, importScripts = vm.runInThisContext of the file (its top-level
// `var ModuleFactory` becomes a global), __dirname = the wasm folder, require = createRequire.
// No fetch or document stub is needed. LiteRT warns once that it has no WebGPU device
// (`navigator` is undefined), harmlessly, and its wasm logs INFO lines to stderr.
// Its own declarations are not imported: they pull WebGPU and newer lib types into the tests'
// global typed-array types (see bench/litert.d.mts), so the few calls used are typed here.
import { liteRt } from "../../bench/litert.mjs";

export interface LitertTensorInfo {
  name: string;
  shape: number[];
  dtype: string;
}

export interface LitertOutput {
  name: string;
  shape: number[];
  data: Float32Array;
}

interface Details {
  readonly name: string;
  readonly dtype: string;
  readonly shape: Int32Array;
}
interface LrtTensor {
  readonly type: { dtype: string; layout: { dimensions: number[] } };
  toTypedArray(): ArrayLike<number>;
  delete(): void;
}
interface LrtCompiled {
  getInputDetails(): readonly Details[];
  getOutputDetails(): readonly Details[];
  run(inputs: LrtTensor[]): Promise<LrtTensor[]>;
  delete(): void;
}
interface Lrt {
  loadAndCompile(
    model: Uint8Array,
    options: { accelerator: "wasm"; cpuOptions: { numThreads: number } },
  ): Promise<LrtCompiled>;
  Tensor: new (data: Float32Array, shape: number[]) => LrtTensor;
  supportsFeature(feature: "relaxedSimd"): Promise<boolean>;
}

const lrt = liteRt as () => Promise<Lrt>;

function info(d: Details): LitertTensorInfo {
  return { name: d.name, shape: Array.from(d.shape), dtype: d.dtype };
}

async function compile(model: Uint8Array): Promise<LrtCompiled> {
  return (await lrt()).loadAndCompile(model, { accelerator: "wasm", cpuOptions: { numThreads: 1 } });
}

/** The glue script LiteRT loaded in this process (it chooses by relaxed-SIMD support). */
export async function litertBuild(): Promise<"litert_wasm_internal.js" | "litert_wasm_compat_internal.js"> {
  return (await (await lrt()).supportsFeature("relaxedSimd"))
    ? "litert_wasm_internal.js"
    : "litert_wasm_compat_internal.js";
}

/** The model's inputs and outputs, in order, as LiteRT reports them. */
export async function litertInfo(
  model: Uint8Array,
): Promise<{ inputs: LitertTensorInfo[]; outputs: LitertTensorInfo[] }> {
  const compiled = await compile(model);
  try {
    return { inputs: compiled.getInputDetails().map(info), outputs: compiled.getOutputDetails().map(info) };
  } finally {
    compiled.delete();
  }
}

/**
 * Runs a .tflite model on float32 inputs (in the model's input order, each of the shape the
 * model declares) and returns every output in the model's output order, copied out of wasm.
 */
export async function litertRun(model: Uint8Array, inputs: Float32Array[]): Promise<LitertOutput[]> {
  const { Tensor } = await lrt();
  const compiled = await compile(model);
  const tensors: LrtTensor[] = [];
  let results: LrtTensor[] = [];
  try {
    const ins = compiled.getInputDetails();
    const outs = compiled.getOutputDetails();
    if (inputs.length !== ins.length)
      throw new Error(`litertRun: the model has ${ins.length} inputs, got ${inputs.length}`);
    ins.forEach((d, i) => {
      const shape = Array.from(d.shape);
      const size = shape.reduce((a, b) => a * b, 1);
      if (d.dtype !== "float32") throw new Error(`litertRun: input ${i} (${d.name}) is ${d.dtype}, not float32`);
      if (inputs[i]!.length !== size) {
        throw new Error(`litertRun: input ${i} (${d.name}) is [${shape}] (${size} values), got ${inputs[i]!.length}`);
      }
      tensors.push(new Tensor(inputs[i]!, shape));
    });
    results = await compiled.run(tensors);
    return results.map((t, i) => {
      if (t.type.dtype !== "float32") throw new Error(`litertRun: output ${i} (${outs[i]!.name}) is ${t.type.dtype}`);
      return { name: outs[i]!.name, shape: [...t.type.layout.dimensions], data: Float32Array.from(t.toTypedArray()) };
    });
  } finally {
    for (const t of [...tensors, ...results]) t.delete();
    compiled.delete();
  }
}
