// The Cloudflare worker: imports the .wasm file as a module (workerd compiles it when the
// worker is loaded; it refuses to compile bytes at run time) and passes it to init({ wasm }).
// The default embedded path is tried first: it must either work or say how to pass the module.
import * as sepconv from "sepconv";
import { expectBackend, failures, SIMD_BUILDS, verdict } from "./cases.mjs";
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
    return new Response(verdict("workerd", `simd.wasm module: ${sepconv.backend()}; embedded: ${embedded}`, found));
  },
};
