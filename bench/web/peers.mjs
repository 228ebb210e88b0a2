// The side-by-side page (bench/web/peers.html, built by scripts/build-bench-web.mjs): every
// MobileNet layer and separable block of bench/models/ on sepconv (the build init() picks, a
// prepared layer run in place) and on TensorFlow.js's wasm backend (XNNPACK, SIMD, one thread;
// tf.fused ops, output read back with dataSync, as bench/peers/tfjs.mjs runs it in Node), in the
// browser that opens it. The peers take turns per case; sums of medians per category, and
// tfjs-wasm's time / sepconv's. Query: quick, models=v1,v2,v3, threads=N (both on N threads).
// bench/chromium.mjs --peers [--threads N] opens it headless.

import * as tf from "@tensorflow/tfjs-core";
import * as sepconv from "../../dist/index.js";
import { CATEGORIES, casesOf, dataFor, relativeError } from "../cases.mjs";
import { engineLabel } from "../kernels-core.mjs";
import { createLayer } from "../peers/sepconv.mjs";
import { tfLayer } from "../peers/tfjs.mjs";
import { stats, table } from "../timing.mjs";
import { fetchModels, readyTfjsWasm } from "./load.mjs";

const params = new URLSearchParams(location.search);
const quick = params.has("quick");
const status = document.getElementById("status");

/** ms of one call, as the median of batches lasting >= 2 ms (coarse browser timers). */
function sample(fn, times) {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 2) {
    fn();
    n++;
  }
  times.push((performance.now() - t0) / n);
}

async function main() {
  const models = await fetchModels((params.get("models") ?? "v1,v2").split(","));
  const wanted = models.map((m) => m.model);
  // ?threads=N: both on N threads (the page is cross-origin isolated).
  const threads = Number(params.get("threads") ?? 1);
  await sepconv.init({ threads });
  await readyTfjsWasm(threads);
  const tfThreads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT") ? threads : 1;
  const engine = `${engineLabel()}; sepconv ${sepconv.backend()} (${sepconv.threads().count} thread(s)), tfjs-wasm ${tf.version_core} (SIMD ${tf.env().getBool("WASM_HAS_SIMD_SUPPORT")}, ${tfThreads} thread(s))`;
  document.getElementById("engine").textContent = engine;
  const cases = casesOf(models, { quick });
  const rows = [];
  const sums = new Map();
  let worst = 0;
  for (const [i, c] of cases.entries()) {
    status.textContent = `${i + 1} / ${cases.length}: ${c.id}`;
    const data = dataFor(c);
    const layer = createLayer(c, data);
    const x = sepconv.createTensor([1, c.layer.h, c.layer.w, c.layer.cin], data.x);
    const out = sepconv.createTensor(c.outShape);
    const peer = tfLayer(c, data);
    worst = Math.max(worst, relativeError(layer.run(x, out).data, peer.run()));
    const ours = [];
    const theirs = [];
    for (let round = 0; round < (quick ? 3 : 9); round++) {
      sample(() => layer.run(x, out), ours);
      sample(() => peer.run(), theirs);
    }
    const a = stats(ours).median;
    const b = stats(theirs).median;
    rows.push([c.id, c.category, a.toFixed(3), b.toFixed(3), `${(b / a).toFixed(2)}x`]);
    const key = `${c.model} ${c.category}`;
    const sum = sums.get(key) ?? { model: c.model, category: c.category, n: 0, ours: 0, theirs: 0 };
    sum.n++;
    sum.ours += a;
    sum.theirs += b;
    sums.set(key, sum);
    layer.dispose();
    x.dispose();
    out.dispose();
    peer.dispose();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const order = (s) => wanted.indexOf(s.model) * 10 + CATEGORIES.indexOf(s.category);
  const summary = [...sums.values()]
    .sort((p, q) => order(p) - order(q))
    .map((s) => [
      s.model,
      `${s.category} (${s.n})`,
      s.ours.toFixed(2),
      s.theirs.toFixed(2),
      `${(s.theirs / s.ours).toFixed(2)}x`,
    ]);
  const text = [
    engine,
    "",
    table(["model", "category (cases)", "sepconv ms", "tfjs-wasm ms", "tfjs-wasm / sepconv"], summary),
    "",
    `largest relative difference between the two: ${worst.toExponential(1)}`,
    "",
    table(["case", "category", "sepconv ms", "tfjs-wasm ms", "ratio"], rows),
  ].join("\n");
  document.getElementById("text").textContent = text;
  status.textContent = "done";
  window.__result = { engine, summary, rows, worst, text };
}

main().catch((error) => {
  status.textContent = `failed: ${error.message}`;
  window.__result = { error: error.message };
});
