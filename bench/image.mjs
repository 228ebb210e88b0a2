// imageToTensor: a 1920x1080 RGBA frame (a video frame's ImageData) to a 224x224 float RGB
// input normalised to [-1, 1], on each build and on the 'js' backend (the plain-JS reference),
// beside tfjs-core's tf.image.resizeBilinear + normalisation on its CPU and wasm backends (one
// thread). Then resize2d on a feature map (bilinear and nearest, [1, 28, 28, 64] -> 56x56, as a
// model's resize step runs it). Min and median of --runs (default 50) after
// warm-up. Usage: npm run build && node --experimental-wasm-relaxed-simd bench/image.mjs
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { readFileSync } from "node:fs";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import * as sepconv from "../dist/index.js";
import { fmt, table } from "./timing.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith("--") ? [[a.slice(2), all[i + 1]]] : [])),
);
const runs = Number(args.runs ?? 50);
const [W, H] = [1920, 1080];
const frame = new Uint8ClampedArray(W * H * 4);
for (let i = 0; i < frame.length; i++) frame[i] = (i * 2654435761) >>> 24;
const source = { data: frame, width: W, height: H };
const options = { size: [224, 224], scale: 1 / 127.5, mean: 1 };

function time(run, n = runs) {
  for (let i = 0; i < Math.min(5, n); i++) run();
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    run();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { min: t[0], median: t[t.length >> 1] };
}

const rows = [];
for (const backend of ["relaxed-simd", "simd", "scalar", "js"]) {
  await sepconv.init({ backend });
  const out = sepconv.createTensor([1, 224, 224, 3]);
  rows.push([
    `sepconv ${backend}${backend === "js" ? " (reference)" : ""}`,
    time(() => sepconv.imageToTensor(source, { ...options, out })),
  ]);
}
setThreadsCount(1);
for (const backend of ["cpu", "wasm"]) {
  await tf.setBackend(backend);
  // tfjs-cpu takes seconds a frame (the 8 MB of pixels as an int32 tensor, then sliced): 5 runs.
  rows.push([
    `tfjs-core ${backend} (resizeBilinear + normalise)${backend === "cpu" ? ", 5 runs" : ""}`,
    time(
      () =>
        tf.tidy(() => {
          const x = tf.slice(tf.tensor4d(new Int32Array(frame), [1, H, W, 4], "int32"), [0, 0, 0, 0], [1, H, W, 3]);
          return tf.sub(tf.div(tf.image.resizeBilinear(x, [224, 224]), 127.5), 1).dataSync();
        }),
      backend === "cpu" ? Math.min(5, runs) : runs,
    ),
  ]);
}
console.log(`1920x1080 RGBA -> 224x224 RGB in [-1, 1], ${runs} runs`);
console.log(
  table(
    ["path", "median ms", "min ms"],
    rows.map(([name, t]) => [name, fmt.ms(t.median), fmt.ms(t.min)]),
  ),
);

// A feature map resized inside a model: resize2d on byte addresses, as a model step calls it
// (src/image/resize.ts), its column table in scratch (12 bytes per output column), straight on
// each build's exports.
const [h, w, c, outH, outW] = [28, 28, 64, 56, 56];
const maps = [];
for (const backend of ["relaxed-simd", "simd", "scalar"]) {
  const { instance } = await WebAssembly.instantiate(readFileSync(`dist/wasm/${backend}.wasm`));
  const k = instance.exports;
  const x = k.heapBase() + 64;
  const y = x + h * w * c * 4;
  const scratch = y + outH * outW * c * 4;
  const need = scratch + outW * 12 - k.memory.buffer.byteLength;
  if (need > 0) k.memory.grow(Math.ceil(need / 65536));
  new Float32Array(k.memory.buffer, x, h * w * c).set(frame.subarray(0, h * w * c));
  const RESIZE_NEAREST = 4;
  maps.push([`resize_bilinear ${backend}`, time(() => k.resize2d(x, 1, h, w, c, y, outH, outW, 0, scratch))]);
  maps.push([
    `resize_nearest ${backend}`,
    time(() => k.resize2d(x, 1, h, w, c, y, outH, outW, RESIZE_NEAREST, scratch)),
  ]);
}
await tf.setBackend("wasm");
for (const [method, run] of [
  ["bilinear", (t) => tf.image.resizeBilinear(t, [outH, outW])],
  ["nearest", (t) => tf.image.resizeNearestNeighbor(t, [outH, outW])],
]) {
  const t = tf.tensor4d(Float32Array.from(frame.subarray(0, h * w * c)), [1, h, w, c]);
  maps.push([`tfjs-core wasm ${method}`, time(() => tf.tidy(() => run(t).dataSync()))]);
  t.dispose();
}
console.log(`\n[1, ${h}, ${w}, ${c}] -> ${outH}x${outW}, ${runs} runs`);
console.log(
  table(
    ["path", "median ms", "min ms"],
    maps.map(([name, t]) => [name, fmt.ms(t.median), fmt.ms(t.min)]),
  ),
);
