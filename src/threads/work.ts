// The work of one job, shared by every thread: the layout of the control block in shared memory
// and the loop that claims a job's items and runs them on this thread's instance.
//
// runItems and workerMain (./worker-main.ts) are stringified into the worker's source, so they
// refer to nothing outside themselves: the layout arrives as their `P` argument.

import type { Kernels } from "../runtime.js";

/** Word offsets of the control block (an Int32Array in shared memory) and the job kinds. */
export const PROTOCOL = {
  /** Bumped by the owning thread to publish a job; workers wait on it. */
  GEN: 0,
  /** (gen & GEN_MASK) << GEN_SHIFT | the next unclaimed item: claimed by compare-exchange. */
  NEXT: 1,
  /** Items finished in the current job. */
  DONE: 2,
  KIND: 3,
  COUNT: 4,
  /** Set when an item threw (its message is lost; the owner rethrows a generic error). */
  ERROR: 5,
  /** The job's arguments (per kind, below). */
  ARGS: 8,
  /** Per thread (0 = the owner): its scratch block (row pointers, gathered fields, band buffers). */
  SCRATCH: 32,
  /** Per thread: items it has run since the pool started (written by that thread only). */
  ITEMS: 32 + 64,
  WORDS: 32 + 64 + 64,
  GEN_SHIFT: 20,
  GEN_MASK: 0xfff,
  INDEX_MASK: 0xfffff,
  /** Job kinds. */
  GEMM: 1,
  DWCONV: 2,
  CONV: 3,
  CHAIN: 4,
  EXIT: 9,
} as const;

export type Protocol = typeof PROTOCOL;

/** The most threads the control block has scratch slots for. */
export const MAX_THREADS = PROTOCOL.ITEMS - PROTOCOL.SCRATCH;

/** The kernels a thread runs items with (the exports of its instance). */
export type ItemKernels = Pick<Kernels, "gemm" | "dwconvRows" | "conv2d" | "chain">;

/**
 * Claims and runs items of job `gen` on this thread until none are left. An item belongs to
 * the job whose generation its claim carries, so a thread that wakes late cannot take an item
 * of the next job's counter for this one. Every output is computed by one thread in the same
 * order as on one thread, so results are bit-identical whatever the split.
 */
export function runItems(k: ItemKernels, ctl: Int32Array, thread: number, gen: number, P: Protocol): void {
  const a = P.ARGS;
  const u = (i: number) => ctl[a + i] >>> 0;
  const scratch = ctl[P.SCRATCH + thread] >>> 0;
  const tag = gen & P.GEN_MASK;
  for (;;) {
    const v = Atomics.load(ctl, P.NEXT);
    const item = v & P.INDEX_MASK;
    if (v >>> P.GEN_SHIFT !== tag || item >= ctl[P.COUNT]) return;
    if (Atomics.compareExchange(ctl, P.NEXT, v, v + 1) !== v) continue;
    try {
      const kind = ctl[P.KIND];
      if (kind === P.GEMM) {
        // tile, a, rows, depth, aStride, packed, cols, c, cStride, act, rows per item, column items, panels per item
        const colItems = u(11);
        const ri = (item / colItems) | 0;
        const r0 = ri * u(10);
        const p0 = (item - ri * colItems) * u(12);
        const depth = u(3);
        const panelBytes = (depth + 1) * 32;
        k.gemm(
          u(0),
          u(1) + r0 * u(4) * 4,
          Math.min(u(10), u(2) - r0),
          depth,
          u(4),
          u(5) + p0 * panelBytes,
          Math.min(u(12) * 8, u(6) - p0 * 8),
          u(7) + (r0 * u(8) + p0 * 8) * 4,
          u(8),
          u(9),
        );
      } else if (kind === P.DWCONV) {
        // geometry, input, packed, output, zero row, outH, rows per item, inImage, outImage, out row bytes, row items
        const image = (item / u(10)) | 0;
        const r0 = (item - image * u(10)) * u(6);
        const r1 = Math.min(r0 + u(6), u(5));
        k.dwconvRows(u(0), u(1) + image * u(7), u(2), u(3) + image * u(8) + r0 * u(9), r0, r1, u(4), scratch);
      } else if (kind === P.CONV) {
        // as DWCONV (out row bytes unused: conv2d writes into the whole image's output)
        const image = (item / u(10)) | 0;
        const r0 = (item - image * u(10)) * u(6);
        k.conv2d(u(0), u(1) + image * u(7), u(2), u(3) + image * u(8), u(4), scratch, r0, Math.min(r0 + u(6), u(5)));
      } else if (kind === P.CHAIN) {
        // geometry, params, rows (batch x outH), rows per item
        const r0 = item * u(3);
        k.chain(u(0), u(1), r0, Math.min(r0 + u(3), u(2)), scratch);
      }
    } catch {
      Atomics.store(ctl, P.ERROR, 1);
    }
    ctl[P.ITEMS + thread]++;
    Atomics.add(ctl, P.DONE, 1);
  }
}
