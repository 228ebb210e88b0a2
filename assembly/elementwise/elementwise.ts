// Elementwise layers of a model that read each value once or twice: the add of two tensors,
// the product with a per-image gate (squeeze-excite) or with a tensor of the same shape, and
// the sigmoid. (Resizes are assembly/image/resize.ts.) SIMD four floats (or channels) at a time, the rest one by one;
// each returns the id of the kernel that ran.

import { ADD_C4, MUL_C4, SIGMOID_C4 } from "../abi";
import { F32 } from "../common";

/** y[i] = a[i] + b[i] for i < n. */
export function add2(a: usize, b: usize, y: usize, n: i32): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i * F32;
      v128.store(y + at, f32x4.add(v128.load(a + at), v128.load(b + at)));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i * F32;
    store<f32>(y + at, load<f32>(a + at) + load<f32>(b + at));
  }
  return ADD_C4;
}

/**
 * y = a * gate over `images` images of `perImage` values each, the gate `period` values per
 * image repeated over its pixels (period == perImage: two tensors of one shape).
 */
export function mulGate(a: usize, gate: usize, y: usize, images: i32, perImage: i32, period: i32): i32 {
  for (let image = 0; image < images; image++) {
    const x = a + <usize>image * <usize>perImage * F32;
    const out = y + <usize>image * <usize>perImage * F32;
    const g = gate + <usize>image * <usize>period * F32;
    for (let start = 0; start < perImage; start += period) {
      let c = 0;
      if (ASC_FEATURE_SIMD) {
        for (; c + 4 <= period; c += 4) {
          const at = <usize>(start + c) * F32;
          v128.store(out + at, f32x4.mul(v128.load(x + at), v128.load(g + <usize>c * F32)));
        }
      }
      for (; c < period; c++) {
        const at = <usize>(start + c) * F32;
        store<f32>(out + at, load<f32>(x + at) * load<f32>(g + <usize>c * F32));
      }
    }
  }
  return MUL_C4;
}

/**
 * exp(x) for four lanes: x = n ln2 + r (n rounded, ln2 in two parts), e^r by a degree-6
 * polynomial on |r| <= ln2/2 (relative error about 2e-7), times 2^n built in the exponent
 * bits. x is clamped to [-87, 80]: 2^n stays a normal float, and so does the sigmoid
 * 1 / (1 + e^80) = 1.8e-35, where e^88 would give a subnormal result (about 100 times slower
 * to compute on x86; such a pixel is 0 to 1e-34 either way).
 */
// @ts-ignore: decorator
@inline function exp4(v: v128): v128 {
  const x = f32x4.min(f32x4.max(v, f32x4.splat(-87)), f32x4.splat(80));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693145751953125)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(1.428606765330187e-6)));
  let p = f32x4.splat(1.0 / 720);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** exp4's method on one float (no table: Mathf.exp's tables would be data the shared-memory builds lay out apart). */
// @ts-ignore: decorator
@inline function exp1(v: f32): f32 {
  const x = min<f32>(max<f32>(v, -87), 80);
  const n: f32 = nearest<f32>(x * <f32>1.44269504);
  const r = x - n * <f32>0.693145751953125 - n * <f32>1.428606765330187e-6;
  let p: f32 = <f32>1.0 / 720;
  p = p * r + <f32>1.0 / 120;
  p = p * r + <f32>1.0 / 24;
  p = p * r + <f32>1.0 / 6;
  p = p * r + <f32>0.5;
  p = p * r + 1;
  p = p * r + 1;
  return p * reinterpret<f32>((<i32>n + 127) << 23);
}

/** y = 1 / (1 + exp(-x)) over n floats (a NaN stays NaN). */
export function sigmoid(x: usize, y: usize, n: i32): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i * F32;
      const v = v128.load(x + at);
      const s = f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(v))));
      // min/max of the clamp turn NaN into a number: put the NaN lanes back.
      v128.store(y + at, v128.bitselect(v, s, f32x4.ne(v, v)));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i * F32;
    const v = load<f32>(x + at);
    store<f32>(y + at, v != v ? v : <f32>1 / (<f32>1 + exp1(-v)));
  }
  return SIGMOID_C4;
}
