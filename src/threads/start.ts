// init({ threads }): whether this runtime can run threads, and if so a runtime of the shared-memory
// build whose kernel calls a pool of workers shares. Where it cannot, the answer is one thread and a
// one-line reason (threads() reports it); an explicit count then falls back the same way.

import { knownAnswerError } from "../known-answer.js";
import { importNodeBuiltin } from "../node-builtin.js";
import { Runtime, type ThreadsReport, type WasmBackend } from "../runtime.js";
import { ThreadPool } from "./pool.js";
import { isNode } from "./spawn.js";
import { MAX_THREADS } from "./work.js";

/** Pages of shared memory to reserve, most first: 4 GiB (wasm32's whole space), then less where address space is short. */
const MAXIMUM_PAGES = [65536, 16384, 4096];

export type ThreadsOption = number | "auto";

/** Cores this host reports (navigator.hardwareConcurrency, or Node's os.availableParallelism). */
async function cores(): Promise<number> {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (typeof n === "number" && n > 0) return n;
  if (isNode()) {
    const os = await importNodeBuiltin<typeof import("node:os")>("os");
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return 1;
}

/** Threads 'auto' asks for: as ONNX Runtime Web and tfjs-wasm choose, min(4, ceil(cores / 2)). */
export async function autoThreads(): Promise<{ count: number; cores: number }> {
  const c = await cores();
  return { count: Math.max(1, Math.min(4, Math.ceil(c / 2))), cores: c };
}

/** Why this host cannot run threads, or undefined if it may. */
export function threadsUnavailable(backend: WasmBackend): string | undefined {
  if (backend === "scalar") return "the scalar build runs on one thread";
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean; Worker?: unknown };
  if (g.crossOriginIsolated === false || typeof g.SharedArrayBuffer !== "function") {
    return "SharedArrayBuffer is not available (a page must be cross-origin isolated: COOP and COEP headers)";
  }
  if (!isNode() && typeof g.Worker !== "function") return "this runtime has no Worker (e.g. Cloudflare Workers)";
  return undefined;
}

/** A shared memory with the largest maximum the engine grants, or undefined. */
function sharedMemory(): WebAssembly.Memory | undefined {
  for (const maximum of MAXIMUM_PAGES) {
    try {
      return new WebAssembly.Memory({ initial: 1, maximum, shared: true });
    } catch {
      // Less address space: try a smaller reservation.
    }
  }
  return undefined;
}

/**
 * A runtime of `module` (the shared-memory twin of `backend`) over a new shared memory, with
 * `count` threads, or the reason it could not be started. Checks that the threads compute what
 * one thread does (an engine whose workers' writes to shared memory are not seen fails here).
 */
export async function startThreads(
  backend: WasmBackend,
  compiling: Promise<WebAssembly.Module>,
  count: number,
  requested: ThreadsOption,
  workerUrl: string | URL | undefined,
): Promise<Runtime | string> {
  const memory = sharedMemory();
  if (memory === undefined) return "the engine refused to reserve a shared WebAssembly.Memory";
  let runtime: Runtime | undefined;
  let refusal: string | undefined;
  // The owner's instance is made and checked while the workers boot.
  const owner = compiling.then((module) => {
    try {
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      runtime = new Runtime(backend, instance.exports as never, memory);
    } catch (error) {
      refusal = `the shared-memory build did not instantiate (${(error as Error).message})`;
      throw error;
    }
    const failure = knownAnswerError(runtime);
    if (failure) {
      refusal = `the shared-memory build computes wrong results on this engine (${failure})`;
      throw new Error(refusal);
    }
    return { module, heap: runtime.heap };
  });
  let pool: ThreadPool;
  try {
    pool = await ThreadPool.start(owner, memory, count, workerUrl);
  } catch (error) {
    return refusal ?? `the worker threads did not start (${(error as Error).message})`;
  }
  if (runtime === undefined) return "the shared-memory build did not instantiate";
  runtime.pool = pool;
  if (!splitMatchesOneThread(runtime)) {
    pool.stop();
    runtime.pool = null;
    return "the worker threads' results differ from one thread's (their writes to shared memory are not seen)";
  }
  runtime.threads = { count, requested, reason: `${count - 1} worker thread(s) and the calling thread` };
  return runtime;
}

/** Validates options.threads: 'auto' or a whole number from 1 to MAX_THREADS. */
export function checkThreads(op: string, threads: unknown): ThreadsOption | undefined {
  if (threads === undefined || threads === "auto") return threads;
  if (typeof threads !== "number") {
    throw new TypeError(`${op}: options.threads (${String(threads)}) must be "auto" or a number of threads`);
  }
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(`${op}: options.threads (${threads}) must be a whole number from 1 to ${MAX_THREADS}`);
  }
  return threads;
}

/** The report of a runtime that runs one thread. */
export function oneThread(requested: ThreadsOption, reason: string): ThreadsReport {
  return { count: 1, requested, reason };
}

/** One GEMM split over every thread against the same GEMM on the owner alone: equal bit for bit? */
function splitMatchesOneThread(rt: Runtime): boolean {
  const rows = 96;
  const depth = 64;
  const cols = 64;
  const k = rt.kernels;
  const heap = rt.heap;
  const packedLength = k.gemmPackedLength(depth, cols);
  const [a, w, bias, packed, one, split] = heap.allocAll(
    [rows * depth * 4, depth * cols * 4, cols * 4, packedLength * 4, rows * cols * 4, rows * cols * 4],
    "init: the threads' check",
  );
  try {
    const f32 = heap.f32();
    for (let i = 0; i < rows * depth; i++) f32[(a >>> 2) + i] = ((i * 7919) % 97) / 97 - 0.5;
    for (let i = 0; i < depth * cols; i++) f32[(w >>> 2) + i] = ((i * 104729) % 89) / 89 - 0.5;
    for (let i = 0; i < cols; i++) f32[(bias >>> 2) + i] = i / cols;
    f32.fill(0, one >>> 2, (one >>> 2) + rows * cols);
    f32.fill(0, split >>> 2, (split >>> 2) + rows * cols);
    k.gemmPack(w, bias, depth, cols, packed);
    k.gemm(rt.gemmTile, a, rows, depth, depth, packed, cols, one, cols, 0);
    rt.gemm(rt.gemmTile, a, rows, depth, depth, packed, cols, split, cols, 0);
    const view = heap.f32();
    for (let i = 0; i < rows * cols; i++) {
      if (!Object.is(view[(one >>> 2) + i], view[(split >>> 2) + i])) return false;
    }
    return true;
  } finally {
    for (const ptr of [a, w, bias, packed, one, split]) heap.release(ptr);
  }
}
