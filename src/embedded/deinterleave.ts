// Undoes scripts/interleave.mjs: the two SIMD builds are embedded as one string of alternating
// chunks so that gzip can share their near-identical bytes (see there).

/** The two strings of lengths aLength and bLength that interleave(a, b, chunk) joined. */
export function deinterleave(text: string, chunk: number, aLength: number, bLength: number): [string, string] {
  const a: string[] = [];
  const b: string[] = [];
  let at = 0;
  for (let i = 0; i < Math.max(aLength, bLength); i += chunk) {
    const na = Math.max(0, Math.min(chunk, aLength - i));
    const nb = Math.max(0, Math.min(chunk, bLength - i));
    a.push(text.slice(at, at + na));
    at += na;
    b.push(text.slice(at, at + nb));
    at += nb;
  }
  return [a.join(""), b.join("")];
}
