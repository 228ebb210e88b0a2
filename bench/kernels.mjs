// Per-microkernel benchmark: one row per kernel x layer shape (bench/models/*.txt), in place
// (input and output are createTensor tensors, so only the kernels run), with GFLOP/s and the
// percentage of this engine's measured wasm peak for that build. Every GEMM tile runs on every
// pointwise shape (init({ tiles }) pins it), which is how the dispatch table's per-engine choice
// (src/dispatch.ts) is measured. Runs in Node, Deno and Bun alike (and, through bench/web/, in
// browsers: bench/chromium.mjs drives it headless):
//   node --experimental-wasm-relaxed-simd bench/kernels.mjs [--quick] [--cold] [--ops pw,dw,conv]
//        [--models v1,v2,v3,large] [--builds relaxed-simd,simd,scalar] [--json FILE]
//   deno run -A bench/kernels.mjs ...      bun bench/kernels.mjs ...
// --cold rotates among enough copies of each layer and its tensors (up to 64 MiB) that every run
// starts with its weights and activations out of cache.
import { writeFileSync } from "node:fs";
import { distinctShapes, engineLabel, format, measurePeaks, runKernels } from "./kernels-core.mjs";
import { MODEL_KEYS } from "./model-shapes.mjs";
import { readModels } from "./models.mjs";
import { peakBytes } from "./peak-bytes.mjs";

const args = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const quick = flag("quick");
const cold = flag("cold");
const ops = option("ops", "pw,dw,conv").split(",");
const wanted = new Set(
  option("models", "v1,v2,v3,large")
    .split(",")
    .map((m) => MODEL_KEYS[m] ?? m),
);

const peakModules = { simd: peakBytes("simd"), "relaxed-simd": peakBytes("relaxed-simd") };
const builds = option("builds", "relaxed-simd,simd,scalar")
  .split(",")
  .filter((b) => b === "scalar" || WebAssembly.validate(peakModules[b]));
const peaks = await measurePeaks(peakModules, { quick });
const shapes = distinctShapes(
  readModels().filter((m) => wanted.has(m.model)),
  ops,
);

console.log(`sepconv microkernels, ${engineLabel()}, ${cold ? "cold (rotated copies)" : "warm"}`);
console.log(
  Object.entries(peaks)
    .map(([b, g]) => `peak ${b}: ${g.toFixed(1)} GFLOP/s`)
    .join("; "),
);
const results = await runKernels({ builds, shapes, peaks, quick, cold });
console.log(format(results, peaks));
const json = option("json");
if (json) writeFileSync(json, JSON.stringify({ engine: engineLabel(), cold, peaks, results }, null, 1));
