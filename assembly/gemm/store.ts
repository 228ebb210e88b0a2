// Storing an 8-wide tile row: bias and activation are already in the accumulators' path,
// the column tail writes only the lanes that exist.

import { activate4, storeLanes } from "../common";

// Not inlined: it runs once per tile row after the whole k loop, and inlining its four
// activations into every row of every tile cost ~10 KB per build.
export function storeRow8(ptr: usize, lo: v128, hi: v128, colsLeft: i32, act: i32): void {
  if (colsLeft >= 8) {
    v128.store(ptr, activate4(lo, act));
    v128.store(ptr, activate4(hi, act), 16);
  } else {
    storeLanes(ptr, activate4(lo, act), colsLeft);
    if (colsLeft > 4) storeLanes(ptr + 16, activate4(hi, act), colsLeft - 4);
  }
}
