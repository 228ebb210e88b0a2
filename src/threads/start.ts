// init({ threads }): whether this runtime can run threads, and if so a runtime of the shared-memory
// build whose kernel calls a pool of workers shares. Where it cannot, the answer is one thread and a
// one-line reason (threads() reports it); an explicit count then falls back the same way.

import { knownAnswerError, pattern } from "../known-answer.js";
import { importNodeBuiltin } from "../node-builtin.js";
import { ConvLayer } from "../ops/conv-layer.js";
import { Runtime, type WasmBackend } from "../runtime.js";
import { convSpec } from "../specs.js";
import type { ThreadsReport } from "../types.js";
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

/**
 * A pointwise layer (the known-answer check's patterns and layer class) run on the owner alone,
 * then shared among every thread: equal bit for bit?
 */
function splitMatchesOneThread(rt: Runtime): boolean {
  // 96 pixels x 64 -> 64 channels: 1.5 x 2^18 multiply-adds, enough to be shared.
  const x = pattern([1, 12, 8, 64], 7);
  const layer = new ConvLayer(rt, convSpec("init", pattern([1, 1, 64, 64], 8), { bias: pattern([64], 9).data }));
  const pool = rt.pool;
  try {
    rt.pool = null;
    const one = layer.run(x).data.slice();
    // Other values in the layer's output block first, so that a row no thread writes shows.
    layer.run(pattern([1, 12, 8, 64], 10));
    rt.pool = pool;
    const split = layer.run(x).data;
    return one.every((v, i) => Object.is(v, split[i]));
  } finally {
    rt.pool = pool;
    layer.dispose();
  }
}
