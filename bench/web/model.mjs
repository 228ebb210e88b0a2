// The end-to-end page (bench/web/model.html, built by scripts/build-bench-web.mjs): the
// MobileNetV2 that nsfwjs ships (224x224, written into the build as model.json + weights.bin)
// on sepconv (the build init() picks, predict(x, out)) and on TensorFlow.js's wasm backend
// (XNNPACK, SIMD, one thread) as tfjs-layers runs it and on its fused path (batch norms folded,
// bench/tfjs-fused.mjs), as bench/model.mjs runs them in Node. The peers take turns per
// round; median and minimum ms. Query: runs=N. bench/chromium.mjs --model opens it headless.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import * as sepconv from "../../dist/index.js";
import { engineLabel } from "../kernels-core.mjs";
import { MOBILENET_SHAPE, mobileNetPixels } from "../mobilenet-input.mjs";
import { fusedTfjs } from "../tfjs-fused.mjs";
import { stats, table } from "../timing.mjs";
import { readyTfjsWasm } from "./load.mjs";

const params = new URLSearchParams(location.search);
const runs = Number(params.get("runs") ?? 20);
/** Threads for sepconv and tfjs-wasm alike (the page is cross-origin isolated). */
const threads = Number(params.get("threads") ?? 1);
const status = document.getElementById("status");

async function main() {
  const modelJson = await (await fetch("model/model.json")).json();
  const weightData = await (await fetch("model/weights.bin")).arrayBuffer();
  const artifacts = { modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightSpecs, weightData };
  const shape = MOBILENET_SHAPE;
  const pixels = mobileNetPixels();

  await sepconv.init({ threads });
  const model = sepconv.loadLayersModel(artifacts);
  const x = { data: pixels, shape };
  const out = model.predict(x);

  await readyTfjsWasm(threads);
  const tfThreads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT") ? threads : 1;
  const t = (n) => `${n} thread${n > 1 ? "s" : ""}`;
  const tfModel = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  const fused = fusedTfjs(tfModel);
  const tx = tf.tensor4d(pixels, shape);
  const tfRun = (predict) => () => {
    const y = tf.tidy(() => predict(tx));
    const values = y.dataSync();
    y.dispose();
    return values;
  };
  const peers = [
    { name: `sepconv ${sepconv.backend()}, ${t(sepconv.threads().count)}`, run: () => model.predict(x, out).data },
    { name: `tfjs-wasm (XNNPACK, SIMD, ${t(tfThreads)}, fused ops, batch norms folded)`, run: tfRun(fused) },
    {
      name: `tfjs-wasm (XNNPACK, SIMD, ${t(tfThreads)}, tfjs-layers predict)`,
      run: tfRun((input) => tfModel.predict(input)),
    },
  ];
  const want = peers[2].run();
  let worst = 0;
  for (const p of peers) {
    const got = p.run();
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  }
  for (const p of peers) for (let i = 0; i < 5; i++) p.run();
  const times = peers.map(() => []);
  for (let round = 0; round < runs; round++) {
    status.textContent = `round ${round + 1} / ${runs}`;
    for (let i = 0; i < peers.length; i++) {
      const k = (round + i) % peers.length;
      const t0 = performance.now();
      peers[k].run();
      times[k].push(performance.now() - t0);
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const ours = stats(times[0]).median;
  const engine = `${engineLabel()}; MobileNetV2 224x224 (nsfwjs weights), ${runs} rounds`;
  const rows = peers.map((p, i) => {
    const s = stats(times[i]);
    return [p.name, s.median.toFixed(2), s.min.toFixed(2), `${(s.median / ours).toFixed(2)}x`];
  });
  const text = [
    engine,
    "",
    table(["peer", "median ms", "min ms", "median / sepconv's"], rows),
    "",
    `largest |difference| from tfjs-layers' output: ${worst.toExponential(1)}`,
  ].join("\n");
  document.getElementById("text").textContent = text;
  status.textContent = "done";
  window.__result = { engine, rows, worst, text };
}

main().catch((error) => {
  status.textContent = `failed: ${error.message}`;
  window.__result = { error: error.message };
});
