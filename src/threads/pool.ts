// A pool of worker threads over one shared WebAssembly.Memory. The owning thread (the one that
// called init) allocates everything, publishes one job at a time in the control block, works on
// it too, and returns when every item is done; workers never allocate and never see JS objects.

import type { Heap } from "../memory.js";
import { spawnWorkers, type ThreadWorker } from "./spawn.js";
import { type ItemKernels, PROTOCOL as P, runItems } from "./work.js";

/** How long an idle worker polls for the next job before it sleeps (see WorkerStart.spinMs). */
const SPIN_MS = 0.3;
/**
 * Deno keeps a process alive while any Worker lives and has no unref: there the workers end
 * after this long without a job, and start again (in the background) with the next job, which
 * meanwhile runs on the owner alone.
 */
const IDLE_MS = 500;

type Spawn = () => Promise<ThreadWorker[]>;

export class ThreadPool {
  private gen = 0;
  /** Jobs run so far, by kind (./work.ts): which calls were shared, for tests. */
  readonly jobs = new Map<number, number>();
  private scratchBytes = 0;
  private readonly scratch: number[] = [];

  /** The next job's arguments (./work.ts lists them per kind): written in place, so a run allocates nothing. */
  readonly args: Int32Array;

  private workers: readonly ThreadWorker[];
  private respawning = false;
  private idleGen = -1;

  private constructor(
    private readonly heap: Heap,
    private readonly ctl: Int32Array,
    workers: readonly ThreadWorker[],
    /** Threads jobs are split for: the workers and the owner. */
    readonly threads: number,
    private readonly spawn: Spawn,
  ) {
    this.args = ctl.subarray(P.ARGS, P.SCRATCH);
    this.workers = workers;
    const deno = (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno;
    if (deno?.unrefTimer) deno.unrefTimer(setInterval(() => this.endIfIdle(), IDLE_MS) as unknown as number);
  }

  /** Ends the workers if no job ran since the last look (Deno only: see IDLE_MS). */
  private endIfIdle(): void {
    if (this.gen !== this.idleGen) {
      this.idleGen = this.gen;
      return;
    }
    if (this.workers.length === 0) return;
    this.stop();
    this.workers = [];
  }

  /** Starts the workers again after endIfIdle, in the background. */
  private respawn(): void {
    if (this.respawning) return;
    this.respawning = true;
    this.spawn().then(
      (workers) => {
        this.workers = workers;
        this.respawning = false;
      },
      () => {
        this.respawning = false;
      },
    );
  }

  /**
   * Starts threads - 1 workers on the shared-memory build the owner's runtime will run over
   * `memory` (workers boot while `owner` compiles and checks it), and resolves once each has
   * instantiated it; rejects (ending the workers) if `owner` does. `workerUrl` replaces the
   * generated worker script (CSP).
   */
  static async start(
    owner: Promise<{ module: WebAssembly.Module; heap: Heap }>,
    memory: WebAssembly.Memory,
    threads: number,
    workerUrl: string | URL | undefined,
  ): Promise<ThreadPool> {
    let control = 0;
    const started = owner.then(({ module, heap }) => {
      control = heap.alloc(P.WORDS * 4, "init: the threads' control block");
      new Int32Array(memory.buffer, control, P.WORDS).fill(0);
      return { module, heap };
    });
    const startOf = async (thread: number) => ({
      module: (await started).module,
      memory,
      control,
      thread,
      spinMs: SPIN_MS,
    });
    const workers = await spawnWorkers(threads - 1, workerUrl, startOf);
    const { heap } = await started;
    const ctl = new Int32Array(memory.buffer, control, P.WORDS);
    return new ThreadPool(heap, ctl, workers, threads, () => spawnWorkers(threads - 1, workerUrl, startOf));
  }

  /** Items thread `thread` (0: the owner) has run: what tests check to know the workers took part. */
  itemsRun(thread: number): number {
    return Atomics.load(this.ctl, P.ITEMS + thread);
  }

  /** Ends the workers (a pool that failed its check; a running pool lives as long as its runtime). */
  stop(): void {
    const ctl = this.ctl;
    if (Atomics.load(ctl, P.DONE) < ctl[P.COUNT]) return; // never while a job runs
    ctl[P.KIND] = P.EXIT;
    this.gen = (this.gen + 1) | 0;
    Atomics.store(ctl, P.GEN, this.gen);
    Atomics.notify(ctl, P.GEN);
    for (const worker of this.workers) worker.terminate();
  }

  /**
   * Gives every thread a zeroed scratch block of at least `bytes` (row pointers, gathered fields,
   * band buffers). Called when a layer binds, never while it runs: blocks only grow.
   */
  ensureScratch(bytes: number): void {
    if (bytes <= this.scratchBytes) return;
    const size = Math.ceil(bytes / 64) * 64;
    const blocks = this.heap.allocAll(new Array(this.threads).fill(size), "the threads' scratch blocks");
    for (const ptr of this.scratch) this.heap.release(ptr);
    this.scratch.splice(0, this.scratch.length, ...blocks);
    const f32 = this.heap.f32();
    for (const [t, ptr] of blocks.entries()) {
      f32.fill(0, ptr >>> 2, (ptr + size) >>> 2);
      this.ctl[P.SCRATCH + t] = ptr | 0;
    }
    this.scratchBytes = size;
  }

  /**
   * Runs `count` items of a job of `kind` (its arguments already in `args`) on every thread, the
   * owner included with `kernels`, and returns when all are done.
   */
  run(kind: number, count: number, kernels: ItemKernels): void {
    const ctl = this.ctl;
    if (this.workers.length === 0) this.respawn();
    this.jobs.set(kind, (this.jobs.get(kind) ?? 0) + 1);
    ctl[P.KIND] = kind;
    ctl[P.COUNT] = count;
    Atomics.store(ctl, P.DONE, 0);
    Atomics.store(ctl, P.ERROR, 0);
    this.gen = (this.gen + 1) | 0;
    const gen = this.gen;
    Atomics.store(ctl, P.NEXT, (gen & P.GEN_MASK) << P.GEN_SHIFT);
    Atomics.store(ctl, P.GEN, gen);
    Atomics.notify(ctl, P.GEN);
    runItems(kernels, ctl, 0, gen, P);
    // The items left are in flight on workers, each a fraction of a millisecond: spin (a
    // browser's main thread may not block in Atomics.wait).
    while (Atomics.load(ctl, P.DONE) < count) {}
    if (ctl[P.ERROR] !== 0) throw new Error("sepconv: a kernel failed on a worker thread");
  }
}
