// This machine's wasm-SIMD peak: bench/peak/peak.ts compiled with asc into build/ (SIMD, and
// relaxed SIMD when the engine validates it), each variant timed best-of-N over enough
// iterations to dwarf the call. Run alone: node --experimental-wasm-relaxed-simd bench/peak.mjs
import { fileURLToPath } from "node:url";
import { peakBytes } from "./peak-bytes.mjs";
import { timePeaks } from "./peak-time.mjs";

/** The peak of each SIMD build, compiled here (bench/peak-bytes.mjs) and timed by bench/peak-time.mjs. */
export function measurePeak(options) {
  return timePeaks({ simd: peakBytes("simd"), "relaxed-simd": peakBytes("relaxed-simd") }, options);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [build, { gflops, variants }] of Object.entries(await measurePeak())) {
    const all = Object.entries(variants).map(([v, g]) => `${v} ${g.toFixed(1)}`);
    console.log(`wasm ${build} peak: ${gflops.toFixed(1)} GFLOP/s (${all.join(", ")})`);
  }
}
