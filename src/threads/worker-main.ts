// What a worker thread runs: it instantiates the shared-memory build over the owner's memory,
// then waits for jobs and works on them (./work.ts). Stringified into the worker's source, so it
// refers to nothing outside itself: the layout, the item loop and the message port are arguments.

import type { ItemKernels, Protocol } from "./work.js";

/** The first message a worker gets. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of the control block. */
  control: number;
  /** This worker's thread index (1..threads-1; 0 is the owner). */
  thread: number;
  /**
   * Milliseconds a worker polls for the next job before it sleeps in Atomics.wait: the jobs of
   * one run come microseconds apart, and waking a sleeping thread takes tens of microseconds.
   */
  spinMs: number;
}

export function workerMain(
  P: Protocol,
  runItems: (k: ItemKernels, ctl: Int32Array, thread: number, gen: number, P: Protocol) => void,
  listen: (handler: (start: WorkerStart) => void) => void,
  post: (message: { ready: true } | { error: string }) => void,
): void {
  listen((start) => {
    let ctl: Int32Array;
    let k: ItemKernels;
    try {
      const instance = new WebAssembly.Instance(start.module, { env: { memory: start.memory } });
      k = instance.exports as unknown as ItemKernels;
      ctl = new Int32Array(start.memory.buffer, start.control, P.WORDS);
    } catch (error) {
      post({ error: String(error) });
      return;
    }
    // Read before saying ready, so that no job published after the owner hears it is missed.
    let seen = Atomics.load(ctl, P.GEN);
    post({ ready: true });
    for (;;) {
      let gen = Atomics.load(ctl, P.GEN);
      let until = performance.now() + start.spinMs;
      for (let polls = 1; gen === seen; polls++) {
        if ((polls & 1023) === 0 && performance.now() > until) {
          Atomics.wait(ctl, P.GEN, seen);
          until = performance.now() + start.spinMs;
        }
        gen = Atomics.load(ctl, P.GEN);
      }
      seen = gen;
      if (ctl[P.KIND] === P.EXIT) return;
      runItems(k, ctl, start.thread, gen, P);
    }
  });
}
