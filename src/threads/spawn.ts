// Starting worker threads without files to host: Node's worker_threads run the worker's source as
// eval'd code; Deno, Bun and browsers run it as a module worker from a Blob URL, or from
// init({ workerUrl }) (the same source, shipped as sepconv/worker.js) where a CSP forbids blob:.

import { importNodeBuiltin } from "../node-builtin.js";
import { PROTOCOL, runItems } from "./work.js";
import { type WorkerStart, workerMain } from "./worker-main.js";

export interface ThreadWorker {
  terminate(): void;
}

/** How long a worker may take to instantiate the module before init gives up on threads. */
const READY_TIMEOUT_MS = 10_000;

/** The worker's whole program, for a web Worker ("web") or Node's worker_threads ("node"). */
export function workerSource(host: "web" | "node"): string {
  const main = `(${workerMain.toString()})(${JSON.stringify(PROTOCOL)}, ${runItems.toString()}, `;
  const header = "// sepconv worker thread (generated from src/threads/worker-main.ts and work.ts)\n";
  if (host === "web")
    return `${header + main}(h) => { self.onmessage = (e) => h(e.data); }, (m) => self.postMessage(m));\n`;
  // import(), not require: the eval'd code is a module where the parent runs with --input-type=module.
  return (
    `${header}import("node:worker_threads").then(({ parentPort }) => ${main}` +
    '(h) => parentPort.once("message", h), (m) => parentPort.postMessage(m)));\n'
  );
}

/** Whether this host starts workers through node:worker_threads (Node; Deno and Bun have web Workers). */
export function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; Deno?: unknown; Bun?: unknown };
  return typeof g.process?.versions?.node === "string" && g.Deno === undefined && g.Bun === undefined;
}

interface Port {
  postMessage(message: unknown): void;
  terminate(): void;
}

/**
 * Starts `count` workers, sends each its start message once `startOf` gives it (the workers
 * boot meanwhile: the module may still be compiling), and resolves when all are ready.
 */
export async function spawnWorkers(
  count: number,
  workerUrl: string | URL | undefined,
  startOf: (thread: number) => WorkerStart | Promise<WorkerStart>,
): Promise<ThreadWorker[]> {
  const ports: Port[] = [];
  const ready: Promise<void>[] = [];
  try {
    if (isNode()) {
      const { Worker } = await importNodeBuiltin<typeof import("node:worker_threads")>("worker_threads");
      const source = workerSource("node");
      for (let i = 0; i < count; i++) {
        const worker = new Worker(source, { eval: true });
        // A process that used threads exits by itself: idle workers do not keep it alive.
        worker.unref();
        ports.push(worker);
        ready.push(
          new Promise((resolve, reject) => {
            worker.once("message", (m: { ready?: true; error?: string }) =>
              m.ready ? resolve() : reject(new Error(m.error)),
            );
            worker.once("error", reject);
          }),
        );
      }
    } else {
      const url = workerUrl ?? URL.createObjectURL(new Blob([workerSource("web")], { type: "text/javascript" }));
      for (let i = 0; i < count; i++) {
        const worker = new Worker(url, { type: "module", name: `sepconv thread ${i + 1}` });
        (worker as { unref?: () => void }).unref?.();
        ports.push(worker);
        ready.push(
          new Promise((resolve, reject) => {
            worker.onmessage = (e: MessageEvent<{ ready?: true; error?: string }>) =>
              e.data.ready ? resolve() : reject(new Error(e.data.error));
            worker.onerror = (e: ErrorEvent) => {
              e.preventDefault?.();
              reject(new Error(e.message || "the worker script failed to load"));
            };
          }),
        );
      }
    }
    const starts = await Promise.all(ports.map((_, i) => startOf(i + 1)));
    ports.forEach((port, i) => {
      port.postMessage(starts[i]);
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      (timer as { unref?: () => void }).unref?.();
    });
    try {
      await Promise.race([Promise.all(ready), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return ports;
  } catch (cause) {
    for (const port of ports) port.terminate();
    throw cause;
  }
}
