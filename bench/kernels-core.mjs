// The per-microkernel benchmark itself, with no file system or process: the CLI
// (bench/kernels.mjs: Node, Deno, Bun) and the browser page (bench/web/) both run it. One row per
// kernel x layer shape, in place on createTensor tensors, min and median ms, GFLOP/s and the
// percentage of this engine's measured wasm peak; every GEMM tile on every pointwise shape.
// Layers and their data are the suite's own (bench/peers/sepconv.mjs, bench/cases.mjs).
import * as sepconv from "../dist/index.js";
import { dataFor, macsOf } from "./cases.mjs";
import { timePeaks } from "./peak-time.mjs";
import { createLayer } from "./peers/sepconv.mjs";
import { stats, table } from "./timing.mjs";

/** GEMM tiles to pin per build (undefined: the build has one tile). */
export const TILES = { "relaxed-simd": ["2x16", "4x8", "6x8"], simd: ["2x16", "4x8", "6x8"], scalar: [undefined] };

/** The engine as the host describes it. */
export function engineLabel() {
  const g = globalThis;
  if (g.Bun) return `Bun ${g.Bun.version} (JavaScriptCore)`;
  if (g.Deno) return `Deno ${g.Deno.version.deno} (V8 ${g.Deno.version.v8})`;
  if (g.process?.versions?.node) return `Node ${g.process.versions.node} (V8 ${g.process.versions.v8})`;
  return g.navigator?.userAgent ?? "unknown engine";
}

/** GFLOP/s of the peak kernels (bench/peak/peak.ts) for each build's module bytes given. */
export async function measurePeaks(peakModules, { quick = false } = {}) {
  const timed = await timePeaks(peakModules, { iterations: 1_000_000, repeats: quick ? 30 : 100 });
  return Object.fromEntries(Object.entries(timed).map(([build, { gflops }]) => [build, gflops]));
}

/** min and median ms of layer.run(x, out) in place, rotating over copies when cold. */
function time(s, { quick, cold }) {
  const bytes = 4 * (s.h * s.w * s.cin + s.k * s.k * s.cin * (s.op === "dw" ? 1 : s.cout) + s.h * s.w * s.cout);
  const copies = cold ? Math.min(64, Math.max(2, Math.ceil((64 << 20) / bytes))) : 1;
  const sets = [];
  const c = { layer: s };
  const data = dataFor(c);
  for (let i = 0; i < copies; i++) {
    const layer = createLayer(c, data);
    const x = sepconv.createTensor([1, s.h, s.w, s.cin], data.x);
    const out = sepconv.createTensor(layer.run(x).shape);
    sets.push({ layer, x, out });
  }
  const flops = 2 * macsOf(s);
  const runOnce = (i) => sets[i % sets.length].layer.run(sets[i % sets.length].x, sets[i % sets.length].out);
  for (let i = 0; i < 3; i++) runOnce(i);
  // Browsers coarsen performance.now() (to 100 us, or 5 us when cross-origin isolated): each
  // sample is a batch of runs lasting at least ~2 ms, its time divided by the batch.
  const t0 = performance.now();
  let probe = 0;
  while (performance.now() - t0 < 2) runOnce(probe++);
  const perRun = (performance.now() - t0) / probe;
  const batch = Math.max(1, Math.ceil(2 / perRun));
  const samples = Math.max(
    quick ? 5 : 15,
    Math.min(quick ? 60 : 200, Math.round((quick ? 1.5e9 : 6e9) / (flops * batch))),
  );
  const times = [];
  let i = 0;
  for (let n = 0; n < samples; n++) {
    const start = performance.now();
    for (let b = 0; b < batch; b++) runOnce(i++);
    times.push((performance.now() - start) / batch);
  }
  const kernel = sets[0].layer.kernels.join("+");
  for (const { layer, x, out } of sets) {
    layer.dispose();
    x.dispose();
    out.dispose();
  }
  const st = stats(times);
  return { ...st, kernel, gflops: flops / st.min / 1e6 };
}

/** Distinct layer shapes of the given models, restricted to `ops`. */
export function distinctShapes(models, ops) {
  const shapes = [];
  const seen = new Set();
  for (const { model, layers } of models) {
    for (const s of layers) {
      if (!ops.includes(s.op)) continue;
      const key = `${s.op} ${s.h} ${s.w} ${s.cin} ${s.cout} ${s.k} ${s.stride} ${s.padding}`;
      if (seen.has(key)) continue;
      seen.add(key);
      shapes.push({ ...s, model });
    }
  }
  return shapes;
}

/**
 * Runs every kernel of `builds` on `shapes`. onRow(result) is called after each row (the page
 * shows progress). Returns the results; format() turns them into the tables.
 */
export async function runKernels({ builds, shapes, peaks, quick = false, cold = false, onRow }) {
  const results = [];
  for (const build of builds) {
    for (const tile of TILES[build]) {
      await sepconv.init(tile ? { backend: build, tiles: { gemm: tile } } : { backend: build });
      for (const s of shapes) {
        if (tile && tile !== TILES[build][0] && s.op !== "pw") continue; // only the GEMM depends on the tile
        const r = time(s, { quick, cold });
        const peak = peaks[build];
        const pct = peak ? (100 * r.gflops) / peak : undefined;
        const shape = `${s.h}x${s.w}x${s.cin}${s.op === "dw" ? "" : `->${s.cout}`}${s.op === "pw" ? "" : ` k${s.k}s${s.stride}`}`;
        const row = { build, tile, model: s.model, name: s.name, op: s.op, shape, ...r, pct };
        results.push(row);
        onRow?.(row);
        // Let a page repaint between rows.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
  }
  return results;
}

/** The per-row table and the sums per build and kernel, as text. */
export function format(results, peaks) {
  const pctText = (p) => (p === undefined ? "-" : `${p.toFixed(0)}%`);
  const rows = results.map((r) => [
    r.kernel,
    `${r.model.replace("mobilenet_", "").replace("_224", "")}/${r.name}`,
    r.shape,
    r.min.toFixed(3),
    r.median.toFixed(3),
    r.gflops.toFixed(1),
    pctText(r.pct),
  ]);
  return [
    table(["kernel", "layer", "shape", "min ms", "median ms", "GFLOP/s", "% peak"], rows),
    "",
    "summed over the shapes (min ms each):",
    table(
      ["build", "op", "kernel", "ms", "GFLOP/s", "% peak"],
      sums(results).map((t) => [
        t.build,
        t.op,
        t.kernel,
        t.ms.toFixed(2),
        t.gflops.toFixed(1),
        pctText(peaks[t.build] ? (100 * t.gflops) / peaks[t.build] : undefined),
      ]),
    ),
  ].join("\n");
}

/** Per build, op and kernel: total min ms over the shapes and the GFLOP/s of the total. */
export function sums(results) {
  const totals = new Map();
  for (const r of results) {
    const key = `${r.build} ${r.op} ${r.kernel}`;
    const t = totals.get(key) ?? { build: r.build, op: r.op, kernel: r.kernel.replace(/__.*/, ""), ms: 0, flops: 0 };
    t.ms += r.min;
    t.flops += r.gflops * r.min * 1e6;
    totals.set(key, t);
  }
  return [...totals.values()].map((t) => ({ ...t, gflops: t.flops / t.ms / 1e6 }));
}
