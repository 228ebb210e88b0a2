// Shared helpers for every kernel: activations, multiply-add and partial stores.
// Everything here is @inline so the builds specialise it at each call site.

import { ACT_HARDSWISH, ACT_RELU, ACT_RELU6 } from "./abi";

/** Bytes per f32. */
export const F32: usize = 4;

/**
 * Scalar activation. Written as compares and selects, not min/max: wasm's f32.min/max must
 * handle NaN and -0 specially and V8 expands each into several instructions. The compares are
 * ordered so a NaN input falls through to the NaN result, as in TensorFlow.
 */
// @ts-ignore: decorator
@inline export function activate(x: f32, act: i32): f32 {
  if (act == ACT_RELU) return x < 0 ? 0 : x;
  if (act == ACT_RELU6) return x < 0 ? 0 : x > 6 ? 6 : x;
  if (act == ACT_HARDSWISH) {
    const t = x + 3;
    return (x * (t < 0 ? 0 : t > 6 ? 6 : t)) * (<f32>1 / 6);
  }
  return x;
}

/**
 * Vector activation with the same formulas. pmax(v, c) = v < c ? c : v and pmin(v, c) =
 * c < v ? c : v are one maxps/minps each (f32x4.max/min are about eight instructions in V8),
 * and with v first a NaN lane stays NaN.
 */
// @ts-ignore: decorator
@inline export function activate4(v: v128, act: i32): v128 {
  if (act == ACT_RELU) return f32x4.pmax(v, f32x4.splat(0));
  if (act == ACT_RELU6) return f32x4.pmin(f32x4.pmax(v, f32x4.splat(0)), f32x4.splat(6));
  if (act == ACT_HARDSWISH) {
    const gate = f32x4.pmin(f32x4.pmax(f32x4.add(v, f32x4.splat(3)), f32x4.splat(0)), f32x4.splat(6));
    return f32x4.mul(f32x4.mul(v, gate), f32x4.splat(<f32>1 / 6));
  }
  return v;
}

/**
 * The clamp limits of an activation code as vectors: [0, 6] for relu6, [0, inf) for relu and
 * (-inf, inf) otherwise. clamp4(v, low, high) then equals activate4(v, act) for every code but
 * hard-swish, bit for bit (NaN included), without a branch: kernels compute the limits once
 * per call, so the stores after a tile's multiply-adds stay in one basic block and V8 does not
 * sink each accumulator's chain behind the previous accumulator's activation.
 */
// @ts-ignore: decorator
@inline export function clampLow4(act: i32): v128 {
  return f32x4.splat(act == ACT_RELU || act == ACT_RELU6 ? 0 : -Infinity);
}

// @ts-ignore: decorator
@inline export function clampHigh4(act: i32): v128 {
  return f32x4.splat(act == ACT_RELU6 ? 6 : Infinity);
}

// @ts-ignore: decorator
@inline export function clamp4(v: v128, low: v128, high: v128): v128 {
  return f32x4.pmin(f32x4.pmax(v, low), high);
}

/** acc + a * b: one fused instruction in the relaxed-simd build, mul + add otherwise. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(f32x4.mul(a, b), acc);
}

/** Stores the first `lanes` (1..4) lanes of v; never writes past them. */
// @ts-ignore: decorator
@inline export function storeLanes(ptr: usize, v: v128, lanes: i32): void {
  if (lanes >= 4) {
    v128.store(ptr, v);
  } else {
    v128.store32_lane(ptr, v, 0);
    if (lanes > 1) v128.store32_lane(ptr, v, 1, 4);
    if (lanes > 2) v128.store32_lane(ptr, v, 2, 8);
  }
}

/** Smallest k >= 0 with origin + k * step >= 0 (the first tap inside the image). */
// @ts-ignore: decorator
@inline export function firstTapInside(origin: i32, step: i32): i32 {
  return origin >= 0 ? 0 : (step - 1 - origin) / step;
}

/** Smallest k with origin + k * step >= size, capped at taps (one past the last tap inside). */
// @ts-ignore: decorator
@inline export function endTapInside(origin: i32, step: i32, size: i32, taps: i32): i32 {
  const room = size - origin;
  if (room <= 0) return 0;
  return min<i32>(taps, (room + step - 1) / step);
}
