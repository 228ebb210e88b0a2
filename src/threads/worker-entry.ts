// sepconv/worker.js: the worker thread's program as a file, for init({ workerUrl }) where a
// Content-Security-Policy forbids blob: workers. The same code that init otherwise starts from a
// Blob URL (./spawn.ts workerSource), as a module worker.

import { PROTOCOL, runItems } from "./work.js";
import { type WorkerStart, workerMain } from "./worker-main.js";

declare const self: {
  onmessage: ((e: { data: WorkerStart }) => void) | null;
  postMessage(message: unknown): void;
};

workerMain(
  PROTOCOL,
  runItems,
  (handler) => {
    self.onmessage = (e) => handler(e.data);
  },
  (message) => self.postMessage(message),
);
