// Bun: JavaScriptCore, the engine of iOS webviews. The default embedded build, then the scalar
// build forced, as iOS before 16.4 (no wasm SIMD) would pick it.
import * as sepconv from "sepconv";
import { expectBackend, failures, SIMD_BUILDS, threadsFailures, verdict } from "./cases.mjs";

await sepconv.init();
const found = failures(sepconv, sepconv.reference);
const used = sepconv.backend();
expectBackend(found, "default", used, SIMD_BUILDS);
const threads = await threadsFailures(sepconv, 2);
found.push(...threads.found);

await sepconv.init({ backend: "scalar" });
found.push(...failures(sepconv, sepconv.reference).map((f) => `scalar: ${f}`));
expectBackend(found, "forced scalar", sepconv.backend(), ["scalar"]);

console.log(verdict("bun", `${used}, ${threads.line}; forced: ${sepconv.backend()}`, found));
