// Prints the raw and gzip size of what users download, as the markdown table in the README,
// and fails if the default entry (JS + all three builds embedded as base64) exceeds its budget.
// Usage (after `npm run build`): node scripts/size.mjs
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET_GZIP = 60 * 1024;
const FILES = [
  ["dist/index.js", "ESM entry: JS + all three builds embedded"],
  ["dist/index.cjs", "CJS entry: JS + all three builds embedded"],
  ["dist/slim.js", "sepconv/slim: the same JS, no build embedded"],
  ["dist/reference/index.js", "sepconv/reference (plain JS)"],
  ["dist/wasm/relaxed-simd.wasm", "sepconv/wasm/relaxed-simd.wasm"],
  ["dist/wasm/simd.wasm", "sepconv/wasm/simd.wasm"],
  ["dist/wasm/scalar.wasm", "sepconv/wasm/scalar.wasm"],
];

const sizes = new Map();
console.log("| file | what | bytes | gzip -9 |");
console.log("| --- | --- | --: | --: |");
for (const [file, what] of FILES) {
  const bytes = readFileSync(file);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  sizes.set(file, gzip);
  console.log(`| \`${file}\` | ${what} | ${bytes.length.toLocaleString("en")} | ${gzip.toLocaleString("en")} |`);
}

const total = sizes.get("dist/index.js");
const verdict = total <= BUDGET_GZIP ? "within" : "OVER";
console.log(
  `\nJS + embedded wasm (dist/index.js), gzip: ${total.toLocaleString("en")} bytes, ${verdict} the budget of ${BUDGET_GZIP.toLocaleString("en")}`,
);
if (total > BUDGET_GZIP) process.exitCode = 1;
