// Builds the static benchmark page into bench/web/build/: the page bundled with the built
// package (dist/, so run `npm run build` first), its HTML, the layer shapes and the peak
// kernels. Serve the folder with any static file server and open it in a browser or on a phone;
// bench/chromium.mjs does that headless.
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { build } from "esbuild";
import { compilePeak, peakFile } from "../bench/peak-bytes.mjs";

const OUT = "bench/web/build";
mkdirSync(`${OUT}/models`, { recursive: true });
await build({
  entryPoints: ["bench/web/page.mjs"],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  outfile: `${OUT}/app.js`,
  logLevel: "warning",
});
copyFileSync("bench/web/index.html", `${OUT}/index.html`);
for (const file of readdirSync("bench/models")) {
  if (file.endsWith(".txt")) copyFileSync(`bench/models/${file}`, `${OUT}/models/${file}`);
}
for (const build of ["simd", "relaxed-simd"]) {
  compilePeak(build);
  copyFileSync(peakFile(build), `${OUT}/peak.${build}.wasm`);
}
console.log(`built ${OUT}/ (serve it, e.g. npx http-server ${OUT}, and open index.html)`);
