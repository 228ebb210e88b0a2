// The two SIMD builds are nearly the same bytes (relaxed-simd swaps mul + add for fused
// multiply-adds), but each is ~66 KB of base64, beyond gzip's 32 KB window: embedded one after
// the other, gzip finds nothing to share. Interleaved in chunks (simd chunk i, then relaxed chunk
// i), each chunk sits next to its near-twin, and the default entry's gzip shrinks by ~9 KB.
// src/embedded/deinterleave.ts undoes it at init.

/** Chunk length in base64 characters (a multiple of 4, so every chunk is valid base64 itself). */
export const CHUNK = 16384;

/** a and b in alternating chunks of CHUNK characters (the longer one's tail at the end). */
export function interleave(a, b, chunk = CHUNK) {
  const parts = [];
  for (let i = 0; i < Math.max(a.length, b.length); i += chunk)
    parts.push(a.slice(i, i + chunk), b.slice(i, i + chunk));
  return parts.join("");
}
