// Shipped size: raw and gzip (level 9) bytes of what a page or app downloads to run the
// layers, for sepconv (after `npm run build`) and for the peers as installed in node_modules.
// `total: true` marks the files that make up each library's usual download (SIMD path).
// Run alone: node bench/size.mjs
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TFW = "node_modules/@tensorflow/tfjs-backend-wasm/dist";
const ORT = "node_modules/onnxruntime-web/dist";

export const SIZE_FILES = [
  ["sepconv", "dist/index.js", "ESM entry, JS + all 3 builds embedded (base64)", true],
  ["sepconv", "dist/index.cjs", "CJS entry, JS + all 3 builds embedded (base64)"],
  ["sepconv", "dist/wasm/relaxed-simd.wasm", "relaxed-simd build"],
  ["sepconv", "dist/wasm/simd.wasm", "simd build"],
  ["sepconv", "dist/wasm/scalar.wasm", "scalar build"],
  ["tfjs-wasm", "node_modules/@tensorflow/tfjs-core/dist/tf-core.min.js", "tfjs-core bundle", true],
  ["tfjs-wasm", `${TFW}/tf-backend-wasm.min.js`, "wasm backend bundle", true],
  ["tfjs-wasm", `${TFW}/tfjs-backend-wasm-simd.wasm`, "XNNPACK, SIMD", true],
  ["tfjs-wasm", `${TFW}/tfjs-backend-wasm-threaded-simd.wasm`, "XNNPACK, SIMD + threads"],
  ["tfjs-wasm", `${TFW}/tfjs-backend-wasm.wasm`, "XNNPACK, no SIMD"],
  ["ort", `${ORT}/ort.wasm.bundle.min.mjs`, "onnxruntime-web/wasm entry (glue bundled)", true],
  ["ort", `${ORT}/ort-wasm-simd-threaded.wasm`, "SIMD (+ threads) build, all operators", true],
  ["ort", `${ORT}/ort.wasm.min.mjs`, "entry without the glue (loads the .mjs below)"],
  ["ort", `${ORT}/ort-wasm-simd-threaded.mjs`, "Emscripten glue"],
];

/** @returns {{ library: string, file: string, what: string, total: boolean, bytes: number, gzip: number }[]} */
export function measureSizes() {
  return SIZE_FILES.map(([library, file, what, total = false]) => {
    const bytes = readFileSync(ROOT + file);
    return { library, file, what, total, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

/** Per library, the sum of the files marked total. */
export function sizeTotals(sizes) {
  const totals = {};
  for (const s of sizes.filter((s) => s.total)) {
    totals[s.library] ??= { bytes: 0, gzip: 0 };
    totals[s.library].bytes += s.bytes;
    totals[s.library].gzip += s.gzip;
  }
  return totals;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = measureSizes();
  for (const s of sizes) console.log(`${s.library.padEnd(10)} ${s.file.padEnd(72)} ${s.bytes} ${s.gzip}`);
  console.log(sizeTotals(sizes));
}
