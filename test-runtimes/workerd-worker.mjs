// The Cloudflare worker: imports the .wasm file as a module (workerd compiles it when the
// worker is loaded; it refuses to compile bytes at run time) and passes it to init({ wasm }).
// The default embedded path is tried first: it must either work or say how to pass the module.
import * as sepconv from "sepconv";
import { expectBackend, failures, SIMD_BUILDS, threadsFailures, verdict } from "./cases.mjs";
import simd from "./simd.wasm";

export default {
  async fetch() {
    const found = [];
    let embedded = "refused, with the init({ wasm }) hint";
    try {
      await sepconv.init();
      embedded = sepconv.backend();
      found.push(...failures(sepconv, sepconv.reference).map((f) => `embedded: ${f}`));
      expectBackend(found, "embedded", embedded, SIMD_BUILDS);
    } catch (error) {
      if (!/import the \.wasm file \(sepconv\/wasm\/.*call init\(\{ wasm: module \}\)/.test(error.message))
        found.push(`embedded init() failed without saying how to pass the module: ${error.message}`);
    }
    await sepconv.init({ wasm: simd });
    found.push(...failures(sepconv, sepconv.reference));
    expectBackend(found, "simd.wasm module", sepconv.backend(), ["simd"]);
    // No workers here: threads: 2 runs one thread, says why, and computes the same.
    const threads = await threadsFailures(sepconv, 1, { wasm: simd });
    found.push(...threads.found);
    const line = `simd.wasm module: ${sepconv.backend()}, ${threads.line}; embedded: ${embedded}`;
    return new Response(verdict("workerd", line, found));
  },
};
