// This machine's wasm-SIMD peak: bench/peak/peak.ts compiled with asc into build/ (SIMD, and
// relaxed SIMD when the engine validates it), each variant timed best-of-N over enough
// iterations to dwarf the call. Run alone: node --experimental-wasm-relaxed-simd bench/peak.mjs
import { fileURLToPath } from "node:url";
import { peakBytes } from "./peak-bytes.mjs";

const VARIANTS = { peak12: 12 * 8, peak8: 8 * 8 }; // export -> flops per iteration

/**
 * @returns {Promise<Record<string, { gflops: number, variants: Record<string, number> }>>}
 *   per build ('simd', 'relaxed-simd'): the best variant's GFLOP/s and every variant's.
 */
export async function measurePeak({ iterations = 2_000_000, repeats = 150 } = {}) {
  const result = {};
  for (const build of ["simd", "relaxed-simd"]) {
    const bytes = peakBytes(build);
    if (!WebAssembly.validate(bytes)) continue;
    const { instance } = await WebAssembly.instantiate(bytes);
    const variants = {};
    for (const [name, flops] of Object.entries(VARIANTS)) {
      const fn = instance.exports[name];
      fn(100_000); // tier up to TurboFan
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < repeats; i++) {
        const t0 = performance.now();
        fn(iterations);
        best = Math.min(best, performance.now() - t0);
      }
      variants[name] = (iterations * flops) / best / 1e6;
    }
    result[build] = { gflops: Math.max(...Object.values(variants)), variants };
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [build, { gflops, variants }] of Object.entries(await measurePeak())) {
    const all = Object.entries(variants).map(([v, g]) => `${v} ${g.toFixed(1)}`);
    console.log(`wasm ${build} peak: ${gflops.toFixed(1)} GFLOP/s (${all.join(", ")})`);
  }
}
