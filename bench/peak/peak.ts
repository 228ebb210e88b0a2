// @ts-nocheck: AssemblyScript (v128, f32x4, memory.data), compiled by asc, not by tsc.
// This machine's wasm-SIMD ceiling: `chains` independent f32x4 multiply-add chains
// (a = a * m + k), enough to cover the latency of the multiply and the add on every FP pipe.
// 4 lanes x 2 flops per chain step. bench/peak.mjs compiles this file twice with asc: with SIMD
// (separate f32x4.mul and f32x4.add) and with relaxed SIMD (one fused f32x4.relaxed_madd).

// Constants come from memory, not f32x4.splat: V8 rebuilds splats inside loops.
const CONSTANTS = memory.data<f32>([1.0000001, 1.0000001, 1.0000001, 1.0000001, 1e-7, 1e-7, 1e-7, 1e-7]);

// A one-liner that binaryen -O3 inlines (a decorator would not parse as TypeScript for Biome).
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** 12 chains: 12 x 8 = 96 flops per iteration. */
export function peak12(iterations: i32): f32 {
  const m = v128.load(CONSTANTS);
  const k = v128.load(CONSTANTS, 16);
  let a0 = m,
    a1 = k,
    a2 = m,
    a3 = k,
    a4 = m,
    a5 = k,
    a6 = m,
    a7 = k,
    a8 = m,
    a9 = k,
    a10 = m,
    a11 = k;
  for (let i = 0; i < iterations; i++) {
    a0 = madd(a0, m, k);
    a1 = madd(a1, m, k);
    a2 = madd(a2, m, k);
    a3 = madd(a3, m, k);
    a4 = madd(a4, m, k);
    a5 = madd(a5, m, k);
    a6 = madd(a6, m, k);
    a7 = madd(a7, m, k);
    a8 = madd(a8, m, k);
    a9 = madd(a9, m, k);
    a10 = madd(a10, m, k);
    a11 = madd(a11, m, k);
  }
  // Sum every chain so none is dead code.
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))),
    f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)),
  );
  return f32x4.extract_lane(s, 0);
}

/** 8 chains: 8 x 8 = 64 flops per iteration (fewer than the latency needs without FMA). */
export function peak8(iterations: i32): f32 {
  const m = v128.load(CONSTANTS);
  const k = v128.load(CONSTANTS, 16);
  let a0 = m,
    a1 = k,
    a2 = m,
    a3 = k,
    a4 = m,
    a5 = k,
    a6 = m,
    a7 = k;
  for (let i = 0; i < iterations; i++) {
    a0 = madd(a0, m, k);
    a1 = madd(a1, m, k);
    a2 = madd(a2, m, k);
    a3 = madd(a3, m, k);
    a4 = madd(a4, m, k);
    a5 = madd(a5, m, k);
    a6 = madd(a6, m, k);
    a7 = madd(a7, m, k);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(s, 0);
}
