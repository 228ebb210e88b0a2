// The work of one job, shared by every thread: the layout of the control block in shared memory
// and the loop that claims a job's items and runs them on this thread's instance.
//
// runItems and workerMain (./worker-main.ts) are stringified into the worker's source, so they
// refer to nothing outside themselves: the layout arrives as their `P` argument.

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

/** The kernels a thread runs items with: the exports of its instance that do the work (Kernels in ../runtime.ts has the rest). */
export interface ItemKernels {
  /** rows: ROW_POINTER_BYTES of the caller's memory for the kernel's row pointers. Returns the id that ran. */
  dwconvRows(
    geometry: number,
    input: number,
    packed: number,
    output: number,
    rowBegin: number,
    rowEnd: number,
    zeroRow: number,
    rows: number,
  ): number;
  /** tile: a GEMM microkernel id (the dispatch table's choice, Runtime.gemmTile). Returns the id that ran. */
  gemm(
    tile: number,
    input: number,
    rows: number,
    depth: number,
    inStride: number,
    packed: number,
    cols: number,
    output: number,
    outStride: number,
    activation: number,
  ): number;
  /** Output rows [rowBegin, rowEnd) of one image (output: the image's). Returns the id of the kernel that ran. */
  conv2d(
    geometry: number,
    input: number,
    packed: number,
    output: number,
    zero: number,
    scratch: number,
    rowBegin: number,
    rowEnd: number,
  ): number;
  /**
   * Output rows [row0, row1) of a fused chain, over its batch (records: src/ops/chain-params.ts); thread 0 for the
   * owner's scratch, else a block of the thread's own. Returns the ids that ran: depthwise |
   * project GEMM << 8 | expand GEMM << 16 (255: none).
   */
  chain(geometry: number, params: number, row0: number, row1: number, thread: number): number;
}

/**
 * Claims and runs items of job `gen` on this thread until none are left. An item belongs to
 * the job whose generation its claim carries, so a thread that wakes late cannot take an item
 * of the next job's counter for this one. Every output is computed by one thread in the same
 * order as on one thread, so results are bit-identical whatever the split.
 */
export function runItems(k: ItemKernels, ctl: Int32Array, thread: number, gen: number, P: Protocol): void {
  // Arguments are read as ctl[A + i] >>> 0 in place: a helper closure would be allocated on
  // every call, and the steady state allocates nothing.
  const A = P.ARGS;
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
        const colItems = ctl[A + 11] >>> 0;
        const ri = (item / colItems) | 0;
        const rowsPer = ctl[A + 10] >>> 0;
        const panelsPer = ctl[A + 12] >>> 0;
        const r0 = ri * rowsPer;
        const p0 = (item - ri * colItems) * panelsPer;
        const depth = ctl[A + 3] >>> 0;
        const aStride = ctl[A + 4] >>> 0;
        const cStride = ctl[A + 8] >>> 0;
        k.gemm(
          ctl[A] >>> 0,
          (ctl[A + 1] >>> 0) + r0 * aStride * 4,
          Math.min(rowsPer, (ctl[A + 2] >>> 0) - r0),
          depth,
          aStride,
          (ctl[A + 5] >>> 0) + p0 * (depth + 1) * 32,
          Math.min(panelsPer * 8, (ctl[A + 6] >>> 0) - p0 * 8),
          (ctl[A + 7] >>> 0) + (r0 * cStride + p0 * 8) * 4,
          cStride,
          ctl[A + 9],
        );
      } else if (kind === P.DWCONV || kind === P.CONV) {
        // geometry, input, packed, output, zero, outH, rows per item, inImage, outImage,
        // out row bytes (depthwise: its output pointer is row r0's; conv2d's the image's), row items
        const rowItems = ctl[A + 10] >>> 0;
        const rowsPer = ctl[A + 6] >>> 0;
        const image = (item / rowItems) | 0;
        const r0 = (item - image * rowItems) * rowsPer;
        const r1 = Math.min(r0 + rowsPer, ctl[A + 5] >>> 0);
        const input = (ctl[A + 1] >>> 0) + image * (ctl[A + 7] >>> 0);
        const output = (ctl[A + 3] >>> 0) + image * (ctl[A + 8] >>> 0);
        if (kind === P.DWCONV) {
          const out = output + r0 * (ctl[A + 9] >>> 0);
          k.dwconvRows(ctl[A] >>> 0, input, ctl[A + 2] >>> 0, out, r0, r1, ctl[A + 4] >>> 0, scratch);
        } else {
          k.conv2d(ctl[A] >>> 0, input, ctl[A + 2] >>> 0, output, ctl[A + 4] >>> 0, scratch, r0, r1);
        }
      } else if (kind === P.CHAIN) {
        // geometry, params, rows (batch x outH), rows per item
        const r0 = item * (ctl[A + 3] >>> 0);
        k.chain(ctl[A] >>> 0, ctl[A + 1] >>> 0, r0, Math.min(r0 + (ctl[A + 3] >>> 0), ctl[A + 2] >>> 0), scratch);
      }
    } catch {
      Atomics.store(ctl, P.ERROR, 1);
    }
    ctl[P.ITEMS + thread]++;
    Atomics.add(ctl, P.DONE, 1);
  }
}
