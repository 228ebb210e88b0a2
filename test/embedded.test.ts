// The embedded builds: the SIMD pair is stored interleaved in chunks (scripts/interleave.mjs) so
// gzip shares their bytes; init() must get back exactly the shipped .wasm files (test/init-sync.test.ts decodes them).

import { describe, expect, it } from "vitest";
import { CHUNK, interleave } from "../scripts/interleave.mjs";
import { deinterleave } from "../src/embedded/deinterleave.js";
import { chunk } from "../src/embedded/wasm.generated.js";

describe("embedded builds", () => {
  it("interleaving and its inverse round-trip strings of every length relation to the chunk", () => {
    const text = (n: number, c: string) =>
      Array.from({ length: n }, (_, i) => String.fromCharCode(65 + ((i * 7 + c.charCodeAt(0)) % 26))).join("");
    const n = 8;
    for (const [la, lb] of [
      [0, 0],
      [1, 0],
      [0, 5],
      [n, n],
      [n - 1, n + 1],
      [3 * n, n],
      [n, 3 * n + 2],
      [5 * n + 3, 5 * n + 3],
    ]) {
      const a = text(la, "a");
      const b = text(lb, "b");
      const joined = interleave(a, b, n);
      expect(joined.length).toBe(la + lb);
      expect(deinterleave(joined, n, la, lb)).toEqual([a, b]);
    }
  });

  it("the build used the chunk the decoder is given", () => {
    expect(chunk).toBe(CHUNK);
  });
});
