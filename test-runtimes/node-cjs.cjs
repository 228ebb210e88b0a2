// Node CJS: `require` of the package and of the sepconv/reference subpath; the default embedded
// build, then initSync with the bytes of a .wasm file found through the exports map; sepconv/slim the same way.
const { readFileSync } = require("node:fs");
const sepconv = require("sepconv");
const reference = require("sepconv/reference");
const slim = require("sepconv/slim");

(async () => {
  const { expectBackend, failures, SIMD_BUILDS, threadsFailures, verdict } = await import("./cases.mjs");
  await sepconv.init();
  const found = failures(sepconv, reference);
  const used = sepconv.backend();
  expectBackend(found, "default", used, SIMD_BUILDS);
  const threads = await threadsFailures(sepconv, 2);
  found.push(...threads.found);

  sepconv.initSync({ wasm: readFileSync(require.resolve("sepconv/wasm/simd.wasm")) });
  found.push(...failures(sepconv, reference).map((f) => `initSync simd.wasm bytes: ${f}`));
  expectBackend(found, "initSync simd.wasm bytes", sepconv.backend(), ["simd"]);

  slim.initSync({ wasm: readFileSync(require.resolve("sepconv/wasm/scalar.wasm")) });
  found.push(...failures(slim, reference).map((f) => `slim, initSync scalar.wasm bytes: ${f}`));
  expectBackend(found, "slim, initSync scalar.wasm bytes", slim.backend(), ["scalar"]);

  const builds = `initSync simd.wasm bytes: ${sepconv.backend()}; slim, initSync scalar.wasm bytes: ${slim.backend()}`;
  console.log(verdict("node-cjs", `${used}, ${threads.line}; ${builds}`, found));
})();
