// Shared test helpers: seeded data, tolerant comparison against the reference, build list.

import { expect } from "vitest";
import type { Backend, Tensor } from "../src/index.js";

/** Every backend the tests run the ops on; the wasm builds must all be supported here. */
export const WASM_BUILDS = ["scalar", "simd", "relaxed-simd"] as const;
export const ALL_BACKENDS: readonly Backend[] = [...WASM_BUILDS, "js"];

/** mulberry32: a small seeded generator, so every failure is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(random: () => number, length: number, scale = 1): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = (random() * 2 - 1) * scale;
  return data;
}

export function randomTensor(random: () => number, shape: number[], scale = 1): Tensor {
  return {
    data: randomArray(
      random,
      shape.reduce((a, b) => a * b, 1),
      scale,
    ),
    shape,
  };
}

export function randomInt(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/**
 * Asserts got ≈ want: per element |got - want| <= 1e-5 * max|want| + 1e-7 * reduction,
 * where `reduction` is the number of products summed per output. NaN never passes unless
 * both are NaN.
 */
export function expectClose(got: Tensor, want: Tensor, reduction: number, label: string): void {
  expect(got.shape, `${label}: shape`).toEqual(want.shape);
  expect(got.data.length, `${label}: length`).toBe(want.data.length);
  let maxAbs = 0;
  for (const v of want.data) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  const tolerance = 1e-5 * maxAbs + 1e-7 * reduction;
  for (let i = 0; i < want.data.length; i++) {
    const g = got.data[i];
    const w = want.data[i];
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    if (g === w) continue;
    if (!(Math.abs(g - w) <= tolerance)) {
      expect.fail(`${label}: element ${i} is ${g}, expected ${w} (tolerance ${tolerance.toExponential(2)})`);
    }
  }
}

/** The error `fn` throws; fails the test when it returns instead. */
export function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  return expect.fail("expected a throw, but the call returned");
}
