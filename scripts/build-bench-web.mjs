// Builds the static benchmark pages into bench/web/build/: index.html (every microkernel) and
// peers.html (sepconv beside TensorFlow.js's wasm backend, per layer), model.html (MobileNetV2
// end to end, the same peers), tflite.html (MediaPipe's .tflite models beside LiteRT.js), bundled with the built package (dist/, so run `npm run build` first), its HTML, the layer shapes and the peak
// kernels. Serve the folder with any static file server and open it in a browser or on a phone;
// bench/chromium.mjs does that headless.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { mobileNetV2Artifacts } from "../bench/nsfwjs-model.mjs";
import { compilePeak, peakFile } from "../bench/peak-bytes.mjs";

const OUT = "bench/web/build";
mkdirSync(`${OUT}/models`, { recursive: true });
for (const [entry, out] of [
  ["page.mjs", "app.js"],
  ["peers.mjs", "peers.js"],
  ["model.mjs", "model.js"],
  ["tflite.mjs", "tflite.js"],
]) {
  await build({
    entryPoints: [`bench/web/${entry}`],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: `${OUT}/${out}`,
    // bench/models.mjs reads files in Node; the pages use only its pure parts.
    external: ["node:*"],
    logLevel: "warning",
  });
}
copyFileSync("bench/web/index.html", `${OUT}/index.html`);
copyFileSync("bench/web/peers.html", `${OUT}/peers.html`);
copyFileSync("bench/web/model.html", `${OUT}/model.html`);
copyFileSync("bench/web/tflite.html", `${OUT}/tflite.html`);
// tflite.html's models and LiteRT.js's wasm builds (loadLiteRt("litert/")).
mkdirSync(`${OUT}/tflite`, { recursive: true });
copyFileSync(
  "node_modules/@mediapipe/face_detection/face_detection_short_range.tflite",
  `${OUT}/tflite/face_detection_short_range.tflite`,
);
copyFileSync(
  "node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite",
  `${OUT}/tflite/selfie_segmentation.tflite`,
);
mkdirSync(`${OUT}/litert`, { recursive: true });
for (const file of readdirSync("node_modules/@litertjs/core/wasm")) {
  copyFileSync(`node_modules/@litertjs/core/wasm/${file}`, `${OUT}/litert/${file}`);
}
// The MobileNetV2 nsfwjs ships, as tfjs artifacts files for model.html.
const { modelTopology, weightSpecs, weightData } = mobileNetV2Artifacts();
mkdirSync(`${OUT}/model`, { recursive: true });
writeFileSync(`${OUT}/model/model.json`, JSON.stringify({ modelTopology, weightSpecs }));
writeFileSync(`${OUT}/model/weights.bin`, new Uint8Array(weightData));
// TensorFlow.js's wasm binaries, for the side-by-side page (setWasmPaths("tfjs/")).
mkdirSync(`${OUT}/tfjs`, { recursive: true });
for (const file of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"]) {
  copyFileSync(`node_modules/@tensorflow/tfjs-backend-wasm/dist/${file}`, `${OUT}/tfjs/${file}`);
}
for (const file of readdirSync("bench/models")) {
  if (file.endsWith(".txt")) copyFileSync(`bench/models/${file}`, `${OUT}/models/${file}`);
}
for (const build of ["simd", "relaxed-simd"]) {
  compilePeak(build);
  copyFileSync(peakFile(build), `${OUT}/peak.${build}.wasm`);
}
console.log(`built ${OUT}/ (serve it, e.g. npx http-server ${OUT}, and open index.html)`);
