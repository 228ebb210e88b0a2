// The TFLite page (bench/web/tflite.html, built by scripts/build-bench-web.mjs): MediaPipe's
// BlazeFace and selfie segmentation .tflite files on sepconv (loadTFLiteModel, the build init()
// picks, one thread) and on LiteRT.js (TFLite + XNNPACK in wasm, its relaxed-SIMD or compat
// build, one thread), as bench/model.mjs runs them in Node. The peers take turns per round;
// median and minimum ms. Query: runs=N, threads=N. bench/chromium.mjs --tflite [--threads N]
// opens it headless.
import { loadAndCompile, loadLiteRt, Tensor } from "@litertjs/core";
import * as sepconv from "../../dist/index.js";
import { engineLabel } from "../kernels-core.mjs";
import { seededPixels } from "../mobilenet-input.mjs";
import { stats, table } from "../timing.mjs";

const params = new URLSearchParams(location.search);
const runs = Number(params.get("runs") ?? 20);
// threads=N (N > 1): sepconv on N threads beside LiteRT.js's threaded build (one per page: LiteRT
// loads one wasm build per page; the page is cross-origin isolated, as threads need).
const threads = Number(params.get("threads") ?? 1);
const status = document.getElementById("status");
const MODELS = [
  { name: "BlazeFace short range 128x128", file: "tflite/face_detection_short_range.tflite", shape: [1, 128, 128, 3] },
  { name: "selfie segmentation 256x256", file: "tflite/selfie_segmentation.tflite", shape: [1, 256, 256, 3] },
];

async function main() {
  await sepconv.init({ threads });
  await loadLiteRt("litert/", threads > 1 ? { threads: true } : {});
  const sepconvThreads = sepconv.threads().count;
  const lines = [engineLabel(), ""];
  const results = [];
  for (const m of MODELS) {
    const bytes = new Uint8Array(await (await fetch(m.file)).arrayBuffer());
    const pixels = seededPixels(m.shape);
    const model = sepconv.loadTFLiteModel(bytes);
    const x = { data: pixels, shape: m.shape };
    const outs = model.predictAll(x);
    const compiled = await loadAndCompile(bytes, { accelerator: "wasm" });
    const input = new Tensor(pixels, m.shape);
    let last;
    const peers = [
      {
        name: `sepconv ${sepconv.backend()}, ${sepconvThreads} thread(s)`,
        run: async () => model.predictAll(x, outs)[0].data,
      },
      {
        name: `LiteRT.js 2.5 (XNNPACK, wasm, ${threads > 1 ? "threaded build" : "1 thread"})`,
        run: async () => {
          const result = await compiled.run([input]);
          last = result[0].toTypedArray();
          for (const t of result) t.delete();
          return last;
        },
      },
    ];
    const want = await peers[1].run();
    const got = await peers[0].run();
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    for (const p of peers) for (let i = 0; i < 5; i++) await p.run();
    const times = peers.map(() => []);
    for (let round = 0; round < runs; round++) {
      status.textContent = `${m.name}: round ${round + 1} / ${runs}`;
      for (let i = 0; i < peers.length; i++) {
        const k = (round + i) % peers.length;
        const t0 = performance.now();
        await peers[k].run();
        times[k].push(performance.now() - t0);
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const ours = stats(times[0]).median;
    const rows = peers.map((p, i) => {
      const s = stats(times[i]);
      return [p.name, s.median.toFixed(2), s.min.toFixed(2), `${(s.median / ours).toFixed(2)}x`];
    });
    lines.push(
      `${m.name}, ${runs} rounds (largest |difference| from LiteRT's first output: ${worst.toExponential(1)})`,
    );
    lines.push(table(["peer", "median ms", "min ms", "median / sepconv's"], rows), "");
    results.push({ model: m.name, rows, worst });
    input.delete();
    compiled.delete();
    model.dispose();
  }
  const text = lines.join("\n");
  document.getElementById("text").textContent = text;
  status.textContent = "done";
  window.__result = { engine: engineLabel(), rows: results, text };
}

main().catch((error) => {
  status.textContent = `failed: ${error.message}`;
  window.__result = { error: error.message };
});
