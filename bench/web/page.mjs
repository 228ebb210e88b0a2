// The benchmark page (built by scripts/build-bench-web.mjs into bench/web/build/): runs the
// per-microkernel benchmark (bench/kernels-core.mjs) in the browser that opens it, on the
// shapes of bench/models/, and shows the table and a chart of % of this engine's peak. Query
// parameters: quick, cold, ops=pw,dw,conv, models=v1,v2,v3,large, builds=relaxed-simd,simd,scalar.
// bench/chromium.mjs opens it headless and reads window.__result.
import { distinctShapes, engineLabel, format, measurePeaks, runKernels, sums } from "../kernels-core.mjs";
import { fetchModels } from "./load.mjs";

const params = new URLSearchParams(location.search);
const list = (name, fallback) => (params.get(name) ?? fallback).split(",").filter(Boolean);
const quick = params.has("quick");
const cold = params.has("cold");
const status = document.getElementById("status");
const rowsBody = document.getElementById("rows");

function cell(tr, text, numeric = false) {
  const td = document.createElement("td");
  td.textContent = text;
  if (numeric) td.className = "n";
  tr.append(td);
}

async function bytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** A bar per build and kernel: % of the engine's peak (sums over the shapes). */
function chart(results, peaks) {
  const bars = sums(results).filter((t) => peaks[t.build]);
  const width = 640;
  const rowHeight = 22;
  const label = 260;
  const svg = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${bars.length * rowHeight + 10}">`];
  bars.forEach((t, i) => {
    const pct = (100 * t.gflops) / peaks[t.build];
    const w = ((width - label - 60) * Math.min(pct, 100)) / 100;
    const y = i * rowHeight + 5;
    svg.push(`<text x="0" y="${y + 14}" font-size="12">${t.build} ${t.kernel}</text>`);
    svg.push(`<rect x="${label}" y="${y}" width="${w.toFixed(1)}" height="16" fill="#4a7"/>`);
    svg.push(`<text x="${label + w + 4}" y="${y + 13}" font-size="12">${pct.toFixed(0)}%</text>`);
  });
  svg.push("</svg>");
  return svg.join("");
}

async function main() {
  const models = await fetchModels(list("models", "v1,v2,v3,large"));
  const peakModules = { simd: await bytes("peak.simd.wasm"), "relaxed-simd": await bytes("peak.relaxed-simd.wasm") };
  status.textContent = "measuring the peak...";
  const peaks = await measurePeaks(peakModules, { quick });
  const builds = list("builds", "relaxed-simd,simd,scalar").filter(
    (b) => b === "scalar" || WebAssembly.validate(peakModules[b]),
  );
  const shapes = distinctShapes(models, list("ops", "pw,dw,conv"));
  document.getElementById("engine").textContent = `${engineLabel()}; peak ${Object.entries(peaks)
    .map(([b, g]) => `${b} ${g.toFixed(1)} GFLOP/s`)
    .join(", ")}`;
  let done = 0;
  const total = builds.reduce((n, b) => n + (b === "scalar" ? 1 : 3) * shapes.length, 0);
  const results = await runKernels({
    builds,
    shapes,
    peaks,
    quick,
    cold,
    onRow(r) {
      const tr = document.createElement("tr");
      cell(tr, r.kernel);
      cell(tr, `${r.model}/${r.name}`);
      cell(tr, r.shape);
      cell(tr, r.min.toFixed(3), true);
      cell(tr, r.median.toFixed(3), true);
      cell(tr, r.gflops.toFixed(1), true);
      cell(tr, r.pct === undefined ? "-" : `${r.pct.toFixed(0)}%`, true);
      rowsBody.append(tr);
      status.textContent = `${++done} rows (of at most ${total})`;
    },
  });
  document.getElementById("chart").innerHTML = chart(results, peaks);
  status.textContent = "done";
  const text = format(results, peaks);
  document.getElementById("text").textContent = text;
  window.__result = { engine: engineLabel(), peaks, results, text };
}

main().catch((error) => {
  status.textContent = `failed: ${error.message}`;
  window.__result = { error: error.message };
});
