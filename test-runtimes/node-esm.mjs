// Node ESM: `import` of the package and of the sepconv/reference subpath; the default embedded
// build, then a .wasm file resolved through the exports map and loaded by URL; sepconv/slim the same way.
import * as sepconv from "sepconv";
import * as reference from "sepconv/reference";
import * as slim from "sepconv/slim";
import { expectBackend, failures, SIMD_BUILDS, threadsFailures, verdict } from "./cases.mjs";

await sepconv.init();
const found = failures(sepconv, reference);
const used = sepconv.backend();
// Where the matrix knows what the engine offers (relaxed SIMD on by default in Node 22+), it says so.
expectBackend(found, "default", used, process.env.SEPCONV_EXPECT_BACKEND?.split(",") ?? SIMD_BUILDS);
const threads = await threadsFailures(sepconv, 2);
found.push(...threads.found);

await sepconv.init({ wasm: new URL(import.meta.resolve("sepconv/wasm/scalar.wasm")) });
found.push(...failures(sepconv, reference).map((f) => `scalar.wasm by URL: ${f}`));
expectBackend(found, "scalar.wasm by URL", sepconv.backend(), ["scalar"]);

await slim.init({ wasm: new URL(import.meta.resolve("sepconv/wasm/simd.wasm")) });
found.push(...failures(slim, reference).map((f) => `slim, simd.wasm by URL: ${f}`));
expectBackend(found, "slim, simd.wasm by URL", slim.backend(), ["simd"]);

const builds = `scalar.wasm by URL: ${sepconv.backend()}; slim, simd.wasm by URL: ${slim.backend()}`;
console.log(verdict(`node${process.versions.node.split(".")[0]}-esm`, `${used}, ${threads.line}; ${builds}`, found));
