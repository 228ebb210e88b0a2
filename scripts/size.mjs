// Prints the raw and gzip size of what users download, as the markdown table in the README,
// and fails if one exceeds its budget:
//   the default entry (all of the JS, all three builds embedded as base64), for a page that
//   loads dist/index.js as it is (a CDN, a <script type=module>);
//   what a bundler keeps of it for an app that imports only the kernels (the ops, prepared
//   layers, createTensor and init), since "sideEffects": false lets it drop the model loaders.
// Usage (after `npm run build`): node scripts/size.mjs
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const BUDGET_GZIP = 84 * 1024;
const KERNELS_BUDGET_GZIP = 44 * 1024;
const FILES = [
  ["dist/index.js", "ESM entry: JS + all three builds embedded"],
  ["dist/index.cjs", "CJS entry: JS + all three builds embedded"],
  ["dist/slim.js", "sepconv/slim: the same JS, no build embedded"],
  ["dist/reference/index.js", "sepconv/reference (plain JS)"],
  ["dist/wasm/relaxed-simd.wasm", "sepconv/wasm/relaxed-simd.wasm"],
  ["dist/wasm/simd.wasm", "sepconv/wasm/simd.wasm"],
  ["dist/wasm/scalar.wasm", "sepconv/wasm/scalar.wasm"],
];
const KERNELS = [
  "init",
  "depthwiseConv2d",
  "pointwiseConv2d",
  "conv2d",
  "separableConv2d",
  "createDepthwiseConv2d",
  "createPointwiseConv2d",
  "createConv2d",
  "createSeparableConv2d",
  "createTensor",
];

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const sizes = new Map();
console.log("| file | what | bytes | gzip -9 |");
console.log("| --- | --- | --: | --: |");
for (const [file, what] of FILES) {
  const bytes = readFileSync(file);
  sizes.set(file, gzip(bytes));
  console.log(
    `| \`${file}\` | ${what} | ${bytes.length.toLocaleString("en")} | ${sizes.get(file).toLocaleString("en")} |`,
  );
}
// An app importing the kernels from the package, bundled and minified as a bundler would.
const app = await build({
  stdin: { contents: `export { ${KERNELS.join(", ")} } from "./dist/index.js";`, resolveDir: ".", loader: "js" },
  bundle: true,
  minify: true,
  format: "esm",
  platform: "neutral",
  write: false,
  logLevel: "error",
});
const kernels = gzip(app.outputFiles[0].contents);
console.log(
  `| (bundled) | an app importing only the kernels (${KERNELS.length} functions) from dist/index.js | ` +
    `${app.outputFiles[0].contents.length.toLocaleString("en")} | ${kernels.toLocaleString("en")} |`,
);

const verdict = (bytes, budget) =>
  `${bytes.toLocaleString("en")} bytes, ${bytes <= budget ? "within" : "OVER"} the budget of ${budget.toLocaleString("en")}`;
const total = sizes.get("dist/index.js");
console.log(`\nJS + embedded wasm (dist/index.js), gzip: ${verdict(total, BUDGET_GZIP)}`);
console.log(`The kernels alone, bundled from it, gzip: ${verdict(kernels, KERNELS_BUDGET_GZIP)}`);
if (total > BUDGET_GZIP || kernels > KERNELS_BUDGET_GZIP) process.exitCode = 1;
