// One instantiated wasm build: its kernels, its memory and the allocator over it.

import { KERNEL_NAMES, RECORD_BYTES, ROW_POINTER_BYTES } from "./abi.generated.js";
import { Heap } from "./memory.js";

import type { ThreadPool } from "./threads/pool.js";
import { ITEMS_PER_THREAD, MIN_PARALLEL_MACS, newSplit, rowsPerItem, splitGemm, splitUnits } from "./threads/split.js";
import { type ItemKernels, PROTOCOL as P } from "./threads/work.js";

export type WasmBackend = "relaxed-simd" | "simd" | "scalar";

/** Build ids returned by the module's buildKind() export, in its order. */
export const BUILD_KINDS: readonly WasmBackend[] = ["scalar", "simd", "relaxed-simd"];

/** The export list of assembly/index.ts; pointers are byte offsets into memory. */
export interface Kernels extends ItemKernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  buildKind(): number;
  dwPackedLength(outChannels: number, taps: number): number;
  dwPack(filter: number, bias: number, outChannels: number, taps: number, packed: number): void;
  gemmPackedLength(depth: number, cols: number): number;
  gemmPack(matrix: number, bias: number, depth: number, cols: number, packed: number): void;
  /** The depthwise microkernel's id (assembly/abi.ts) for a window; dwconvRows runs it. */
  dwconvKernel(
    kH: number,
    kW: number,
    strideH: number,
    strideW: number,
    dilationH: number,
    dilationW: number,
    multiplier: number,
  ): number;
  /** The GEMM microkernel's id that gemm runs for tile id `tile` in this build. */
  gemmKernel(tile: number): number;
  conv2dKernel(): number;
  /** Max (kind 0) or average (1) pooling of output rows [rowBegin, rowEnd) of one image; returns the kernel id. */
  pool2d(kind: number, geometry: number, input: number, output: number, rowBegin: number, rowEnd: number): number;
  /** y = 1 / (1 + exp(-x)) over n floats (a polynomial exp, about 2e-7 relative). */
  sigmoid(x: number, y: number, n: number): number;
  /** y = a + b over n floats. */
  add2(a: number, b: number, y: number, n: number): number;
  /** y = a * gate, the gate `period` floats per image repeated over its `perImage` floats. */
  mulGate(a: number, gate: number, y: number, images: number, perImage: number, period: number): number;
  /**
   * TensorFlow's bilinear or nearest resize of `batch` h x w x c images (assembly/image/resize.ts;
   * flags RESIZE_*, table: outW * RESIZE_*_COLUMN_BYTES bytes of scratch). Returns the kernel id.
   */
  resize2d(
    x: number,
    batch: number,
    h: number,
    w: number,
    c: number,
    y: number,
    outH: number,
    outW: number,
    flags: number,
    table: number,
  ): number;
  /**
   * An image's 8-bit pixels resized, normalised and reordered into float RGB (image/image.ts);
   * table: outW * RESIZE_BILINEAR_COLUMN_BYTES bytes of scratch, then the byte offset in src of
   * each of the h source rows (those the resize reads), filled by the caller.
   */
  imageBilinearU8(
    src: number,
    w: number,
    h: number,
    channels: number,
    dst: number,
    outH: number,
    outW: number,
    alignCorners: number,
    halfPixel: number,
    scale0: number,
    scale1: number,
    scale2: number,
    shift0: number,
    shift1: number,
    shift2: number,
    bgr: number,
    table: number,
  ): number;
}

export { ROW_POINTER_BYTES } from "./abi.generated.js";

export class Runtime {
  readonly heap: Heap;
  /**
   * The GEMM microkernel id layers made now take (src/dispatch.ts sets it at init; each layer
   * keeps the one it was made with). 4x8 until init chooses.
   */
  gemmTile: number = KERNEL_NAMES.indexOf("gemm_4x8");

  /** The worker threads kernel calls are shared with, or null for one thread. */
  pool: ThreadPool | null = null;
  private readonly split = newSplit();

  constructor(
    readonly backend: WasmBackend,
    readonly kernels: Kernels,
    memory: WebAssembly.Memory = kernels.memory,
  ) {
    this.heap = new Heap(memory, kernels.heapBase());
  }

  /**
   * Per-thread scratch the calls of a layer need, in bytes (with threads; nothing otherwise).
   * Layers call it when they bind, so that running allocates nothing.
   */
  needThreadScratch(bytes: number): void {
    this.pool?.ensureScratch(bytes);
  }

  /** The GEMM (Kernels.gemm), shared among the threads when it is large enough. Returns the tile id. */
  gemm(
    tile: number,
    a: number,
    rows: number,
    depth: number,
    aStride: number,
    packed: number,
    cols: number,
    c: number,
    cStride: number,
    act: number,
  ): number {
    const pool = this.pool;
    if (pool === null || rows * cols * depth < MIN_PARALLEL_MACS) {
      return this.kernels.gemm(tile, a, rows, depth, aStride, packed, cols, c, cStride, act);
    }
    const s = splitGemm(rows, cols, pool.threads, this.split);
    const args = pool.args;
    args[0] = tile;
    args[1] = a;
    args[2] = rows;
    args[3] = depth;
    args[4] = aStride;
    args[5] = packed;
    args[6] = cols;
    args[7] = c;
    args[8] = cStride;
    args[9] = act;
    args[10] = s.per;
    args[11] = s.colItems;
    args[12] = s.panelsPer;
    pool.run(P.GEMM, s.count, this.kernels);
    return this.kernels.gemmKernel(tile);
  }

  /**
   * Depthwise over a batch (Kernels.dwconvRows for every output row of every image), shared
   * among the threads by rows. `rows` is the caller's row-pointer block, used on one thread.
   */
  dwconv(
    geometry: number,
    input: number,
    packed: number,
    output: number,
    zeroRow: number,
    rows: number,
    outH: number,
    outRowBytes: number,
    batch: number,
    inImage: number,
    outImage: number,
    macs: number,
  ): void {
    const pool = this.pool;
    if (pool === null || macs < MIN_PARALLEL_MACS) {
      const k = this.kernels;
      for (let i = 0; i < batch; i++) {
        k.dwconvRows(geometry, input + i * inImage, packed, output + i * outImage, 0, outH, zeroRow, rows);
      }
      return;
    }
    this.rowsJob(pool, P.DWCONV, geometry, input, packed, output, zeroRow, outH, batch, inImage, outImage, outRowBytes);
  }

  /** conv2d over a batch (Kernels.conv2d), shared among the threads by output rows. */
  conv(
    geometry: number,
    input: number,
    packed: number,
    output: number,
    zero: number,
    scratch: number,
    outH: number,
    batch: number,
    inImage: number,
    outImage: number,
    macs: number,
  ): void {
    const pool = this.pool;
    if (pool === null || macs < MIN_PARALLEL_MACS) {
      const k = this.kernels;
      for (let i = 0; i < batch; i++) {
        k.conv2d(geometry, input + i * inImage, packed, output + i * outImage, zero, scratch, 0, outH);
      }
      return;
    }
    this.rowsJob(pool, P.CONV, geometry, input, packed, output, zero, outH, batch, inImage, outImage, 0);
  }

  /**
   * A depthwise or conv2d job over a batch, split by output rows of each image: the arguments
   * of src/threads/work.ts for both kinds (outRowBytes moves a depthwise item's output pointer;
   * conv2d writes into the whole image).
   */
  private rowsJob(
    pool: ThreadPool,
    kind: number,
    geometry: number,
    input: number,
    packed: number,
    output: number,
    zero: number,
    outH: number,
    batch: number,
    inImage: number,
    outImage: number,
    outRowBytes: number,
  ): void {
    const s = splitUnits(outH, batch, pool.threads, this.split);
    const args = pool.args;
    args[0] = geometry;
    args[1] = input;
    args[2] = packed;
    args[3] = output;
    args[4] = zero;
    args[5] = outH;
    args[6] = s.per;
    args[7] = inImage;
    args[8] = outImage;
    args[9] = outRowBytes;
    args[10] = s.colItems;
    pool.run(kind, s.count, this.kernels);
  }

  /**
   * A fused chain's `rows` output rows (all images: batch x outH), shared among the threads in
   * runs of adjacent rows, each cut into bands from its first row. With an expand stage, a run's
   * first band re-expands the input rows it shares with the run before, so there is one run per
   * thread; without, runs cost nothing extra and there are up to ITEMS_PER_THREAD per thread (so
   * a thread that starts late still gets its share), each at least a band (`bandRows`) long,
   * so the GEMMs keep their rows.
   */
  chain(geometry: number, params: number, rows: number, macs: number, expands: boolean, bandRows: number): void {
    const pool = this.pool;
    if (pool === null || macs < MIN_PARALLEL_MACS || rows < 2) {
      this.kernels.chain(geometry, params, 0, rows, 0);
      return;
    }
    const args = pool.args;
    args[0] = geometry;
    args[1] = params;
    args[2] = rows;
    args[3] = rowsPerItem(rows, pool.threads, bandRows, expands ? 1 : ITEMS_PER_THREAD);
    pool.run(P.CHAIN, Math.ceil(rows / args[3]), this.kernels);
  }
}

/** Per-thread scratch of a chain whose bands take `bandScratchBytes` (see assembly/chain/chain.ts). */
export function chainThreadScratch(bandScratchBytes: number): number {
  return RECORD_BYTES + ROW_POINTER_BYTES + bandScratchBytes;
}

export async function instantiate(module: WebAssembly.Module): Promise<Runtime> {
  const instance = await WebAssembly.instantiate(module, {});
  return runtimeOf(instance);
}

export function runtimeOf(instance: WebAssembly.Instance): Runtime {
  const kernels = instance.exports as unknown as Kernels;
  const backend = BUILD_KINDS[kernels.buildKind()];
  return new Runtime(backend, kernels);
}
