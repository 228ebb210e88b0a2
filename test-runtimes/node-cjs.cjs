// Node CJS: `require` of the package and of the sepconv/reference subpath; the default embedded
// build, then initSync with the bytes of a .wasm file found through the exports map.
const { readFileSync } = require("node:fs");
const sepconv = require("sepconv");
const reference = require("sepconv/reference");

(async () => {
  const { expectBackend, failures, SIMD_BUILDS, verdict } = await import("./cases.mjs");
  await sepconv.init();
  const found = failures(sepconv, reference);
  const used = sepconv.backend();
  expectBackend(found, "default", used, SIMD_BUILDS);

  sepconv.initSync({ wasm: readFileSync(require.resolve("sepconv/wasm/simd.wasm")) });
  found.push(...failures(sepconv, reference).map((f) => `initSync simd.wasm bytes: ${f}`));
  expectBackend(found, "initSync simd.wasm bytes", sepconv.backend(), ["simd"]);

  console.log(verdict("node-cjs", `${used}; initSync simd.wasm bytes: ${sepconv.backend()}`, found));
})();
