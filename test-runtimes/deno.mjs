// Deno: the package resolved from the temp project's node_modules (Deno reads its package.json);
// the default embedded build, then the relaxed-simd file by URL (Deno's V8 ships relaxed SIMD).
import * as sepconv from "sepconv";
import { expectBackend, failures, SIMD_BUILDS, threadsFailures, verdict } from "./cases.mjs";

await sepconv.init();
const found = failures(sepconv, sepconv.reference);
const used = sepconv.backend();
expectBackend(found, "default", used, SIMD_BUILDS);
const threads = await threadsFailures(sepconv, 2);
found.push(...threads.found);

await sepconv.init({ wasm: new URL(import.meta.resolve("sepconv/wasm/relaxed-simd.wasm")) });
found.push(...failures(sepconv, sepconv.reference).map((f) => `relaxed-simd.wasm by URL: ${f}`));
expectBackend(found, "relaxed-simd.wasm by URL", sepconv.backend(), ["relaxed-simd"]);

console.log(verdict("deno", `${used}, ${threads.line}; relaxed-simd.wasm by URL: ${sepconv.backend()}`, found));
