// Times the peak kernels (bench/peak/peak.ts, compiled per build) in whatever runtime runs it:
// each variant best-of-`repeats` over `iterations` loop trips, enough to dwarf the call. Shared
// by bench/peak.mjs (the suite) and bench/kernels-core.mjs (the per-kernel CLI and web page).

const VARIANTS = { peak12: 12 * 8, peak8: 8 * 8 }; // export -> flops per iteration

/**
 * @param {Record<string, Uint8Array>} modules the compiled peak module of each build
 * @returns {Promise<Record<string, { gflops: number, variants: Record<string, number> }>>}
 *   per build this engine validates: the best variant's GFLOP/s and every variant's.
 */
export async function timePeaks(modules, { iterations = 2_000_000, repeats = 150 } = {}) {
  const result = {};
  for (const [build, bytes] of Object.entries(modules)) {
    if (!bytes || !WebAssembly.validate(bytes)) continue;
    const { instance } = await WebAssembly.instantiate(bytes);
    const variants = {};
    for (const [name, flops] of Object.entries(VARIANTS)) {
      const fn = instance.exports[name];
      fn(100_000); // tier up to the optimizing compiler
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
