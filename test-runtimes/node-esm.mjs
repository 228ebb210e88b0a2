// Node ESM: `import` of the package and of the sepconv/reference subpath; the default embedded
// build, then a .wasm file resolved through the exports map and loaded by URL.
import * as sepconv from "sepconv";
import * as reference from "sepconv/reference";
import { expectBackend, failures, SIMD_BUILDS, verdict } from "./cases.mjs";

await sepconv.init();
const found = failures(sepconv, reference);
const used = sepconv.backend();
// Where the matrix knows what the engine offers (relaxed SIMD on by default in Node 22+), it says so.
expectBackend(found, "default", used, process.env.SEPCONV_EXPECT_BACKEND?.split(",") ?? SIMD_BUILDS);

await sepconv.init({ wasm: new URL(import.meta.resolve("sepconv/wasm/scalar.wasm")) });
found.push(...failures(sepconv, reference).map((f) => `scalar.wasm by URL: ${f}`));
expectBackend(found, "scalar.wasm by URL", sepconv.backend(), ["scalar"]);

console.log(
  verdict(`node${process.versions.node.split(".")[0]}-esm`, `${used}; scalar.wasm by URL: ${sepconv.backend()}`, found),
);
