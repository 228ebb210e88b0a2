// Stray-write detection for the wasm builds: fill every byte no kernel may write (free ranges
// and the slack after each block, Heap.unusedRanges) with a pattern, run, and check the pattern
// is intact. Only meaningful when the call allocates nothing (a prepared layer's steady state).

import { expect } from "vitest";
import { activeRuntime } from "../src/init.js";

const CANARY = 0xa5;

export function expectNoStrayWrites(run: () => void, label: string): void {
  const rt = activeRuntime("test");
  if (!rt) {
    run(); // the 'js' backend has no linear memory
    return;
  }
  const ranges = rt.heap.unusedRanges();
  const before = new Uint8Array(rt.heap.memory.buffer);
  for (const [start, end] of ranges) before.fill(CANARY, start, end);
  run();
  const bytes = new Uint8Array(rt.heap.memory.buffer);
  for (const [start, end] of ranges) {
    for (let i = start; i < end; i++) {
      if (bytes[i] !== CANARY) expect.fail(`${label}: byte ${i} outside every live block was written`);
    }
  }
}
