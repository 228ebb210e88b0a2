// imageToTensor: a 1920x1080 RGBA frame (a video frame's ImageData) to a 224x224 float RGB
// input normalised to [-1, 1], on each build and on the 'js' backend (the plain-JS reference),
// beside tfjs-core's tf.image.resizeBilinear + normalisation on its CPU backend. Min and
// median of --runs (default 50) after warm-up. Usage: node --experimental-wasm-relaxed-simd bench/image.mjs
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
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

function time(run) {
  for (let i = 0; i < 5; i++) run();
  const t = [];
  for (let i = 0; i < runs; i++) {
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
await tf.setBackend("cpu");
rows.push([
  "tfjs-core cpu (resizeBilinear + normalise)",
  time(() =>
    tf.tidy(() => {
      const x = tf.slice(tf.tensor4d(new Int32Array(frame), [1, H, W, 4], "int32"), [0, 0, 0, 0], [1, H, W, 3]);
      return tf.sub(tf.div(tf.image.resizeBilinear(x, [224, 224]), 127.5), 1).dataSync();
    }),
  ),
]);
console.log(`1920x1080 RGBA -> 224x224 RGB in [-1, 1], ${runs} runs`);
console.log(
  table(
    ["path", "median ms", "min ms"],
    rows.map(([name, t]) => [name, fmt.ms(t.median), fmt.ms(t.min)]),
  ),
);
