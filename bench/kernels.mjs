// Per-microkernel benchmark: one row per kernel x layer shape (bench/models/*.txt), in place
// (input and output are createTensor tensors, so only the kernels run), with GFLOP/s and the
// percentage of this engine's measured wasm peak for that build. Every GEMM tile runs on every
// pointwise shape (init({ tiles }) pins it), which is how the dispatch table's per-engine choice
// (src/dispatch.ts) is measured. Runs in Node, Deno and Bun alike:
//   node --experimental-wasm-relaxed-simd bench/kernels.mjs [--quick] [--cold] [--ops pw,dw,conv]
//        [--models v1,v2,v3,large] [--builds relaxed-simd,simd,scalar] [--json FILE]
//   deno run -A bench/kernels.mjs ...      bun bench/kernels.mjs ...
// --cold rotates among enough copies of each layer and its tensors (>= 64 MiB) that every run
// starts with its weights and activations out of cache.
import { writeFileSync } from "node:fs";
import * as sepconv from "../dist/index.js";
import { readModels } from "./models.mjs";
import { peakBytes } from "./peak-bytes.mjs";
import { stats, table } from "./timing.mjs";

const args = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const quick = flag("quick");
const cold = flag("cold");
const ops = option("ops", "pw,dw,conv").split(",");
const modelFilter = option("models", "v1,v2,v3,large").split(",");
const MODEL_KEYS = {
  v1: "mobilenet_v1_224",
  v2: "mobilenet_v2_224",
  v3: "mobilenet_v3_large_224",
  large: "large_kernels",
};
const wantedModels = new Set(modelFilter.map((m) => MODEL_KEYS[m] ?? m));
const TILES = { "relaxed-simd": ["2x16", "4x8", "6x8"], simd: ["2x16", "4x8", "6x8"], scalar: [undefined] };

export function engineLabel() {
  if (globalThis.Bun) return `Bun ${globalThis.Bun.version} (JavaScriptCore)`;
  if (globalThis.Deno) return `Deno ${globalThis.Deno.version.deno} (V8 ${globalThis.Deno.version.v8})`;
  if (globalThis.process?.versions?.node) return `Node ${process.versions.node} (V8 ${process.versions.v8})`;
  return globalThis.navigator?.userAgent ?? "unknown engine";
}

/** GFLOP/s of the peak kernels (bench/peak/peak.ts) per SIMD build this engine validates. */
async function measurePeaks() {
  const peaks = {};
  for (const build of ["simd", "relaxed-simd"]) {
    const bytes = peakBytes(build);
    if (!WebAssembly.validate(bytes)) continue;
    const { instance } = await WebAssembly.instantiate(bytes);
    let best = 0;
    for (const [name, flops] of [
      ["peak12", 96],
      ["peak8", 64],
    ]) {
      const fn = instance.exports[name];
      fn(100_000);
      const n = 1_000_000;
      for (let i = 0; i < (quick ? 30 : 100); i++) {
        const t0 = performance.now();
        fn(n);
        best = Math.max(best, (n * flops) / (performance.now() - t0) / 1e6);
      }
    }
    peaks[build] = best;
  }
  return peaks;
}

function random(n, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 2 - 1;
  }
  return a;
}

function makeLayer(s) {
  const bias = random(s.cout, 3);
  if (s.op === "pw")
    return sepconv.createPointwiseConv2d({ data: random(s.cin * s.cout, 2), shape: [s.cin, s.cout] }, { bias });
  if (s.op === "dw") {
    const filter = { data: random(s.k * s.k * s.cin, 2), shape: [s.k, s.k, s.cin, 1] };
    return sepconv.createDepthwiseConv2d(filter, { strides: s.stride, padding: s.padding, bias });
  }
  const filter = { data: random(s.k * s.k * s.cin * s.cout, 2), shape: [s.k, s.k, s.cin, s.cout] };
  return sepconv.createConv2d(filter, { strides: s.stride, padding: s.padding, bias });
}

/** Multiply-adds of one run. */
function macs(s) {
  const out = (n) => (s.padding === "same" ? Math.ceil(n / s.stride) : Math.floor((n - s.k) / s.stride) + 1);
  const pixels = out(s.h) * out(s.w);
  if (s.op === "pw") return s.h * s.w * s.cin * s.cout;
  if (s.op === "dw") return pixels * s.cin * s.k * s.k;
  return pixels * s.cin * s.cout * s.k * s.k;
}

/** min and median ms of layer.run(x, out) in place, over copies when cold. */
function time(s) {
  const bytes = 4 * (s.h * s.w * s.cin + s.k * s.k * s.cin * (s.op === "dw" ? 1 : s.cout) + s.h * s.w * s.cout);
  const copies = cold ? Math.max(2, Math.ceil((64 << 20) / bytes)) : 1;
  const sets = [];
  for (let i = 0; i < Math.min(copies, 64); i++) {
    const layer = makeLayer(s);
    const x = sepconv.createTensor([1, s.h, s.w, s.cin], random(s.h * s.w * s.cin, 1));
    const out = sepconv.createTensor(layer.run(x).shape);
    sets.push({ layer, x, out });
  }
  const flops = 2 * macs(s);
  const runs = Math.max(quick ? 5 : 15, Math.min(quick ? 100 : 400, Math.round((quick ? 1.5e9 : 6e9) / flops)));
  for (let i = 0; i < 3; i++) sets[i % sets.length].layer.run(sets[i % sets.length].x, sets[i % sets.length].out);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const { layer, x, out } = sets[i % sets.length];
    const t0 = performance.now();
    layer.run(x, out);
    times.push(performance.now() - t0);
  }
  const kernel = sets[0].layer.kernels.join("+");
  for (const { layer, x, out } of sets) {
    layer.dispose();
    x.dispose();
    out.dispose();
  }
  return { ...stats(times), kernel, gflops: flops / stats(times).min / 1e6 };
}

const builds = option("builds", "relaxed-simd,simd,scalar")
  .split(",")
  .filter((b) => b === "scalar" || WebAssembly.validate(peakBytes(b)));
const peaks = await measurePeaks();
const shapes = [];
const seen = new Set();
for (const { model, layers } of readModels()) {
  if (!wantedModels.has(model)) continue;
  for (const s of layers) {
    if (!ops.includes(s.op)) continue;
    const key = `${s.op} ${s.h} ${s.w} ${s.cin} ${s.cout} ${s.k} ${s.stride} ${s.padding}`;
    if (seen.has(key)) continue;
    seen.add(key);
    shapes.push({ ...s, model });
  }
}

console.log(`sepconv microkernels, ${engineLabel()}, ${cold ? "cold (rotated copies)" : "warm"}`);
console.log(
  Object.entries(peaks)
    .map(([b, g]) => `peak ${b}: ${g.toFixed(1)} GFLOP/s`)
    .join("; "),
);
const rows = [];
const results = [];
for (const build of builds) {
  for (const tile of TILES[build]) {
    await sepconv.init(tile ? { backend: build, tiles: { gemm: tile } } : { backend: build });
    for (const s of shapes) {
      if (tile && tile !== TILES[build][0] && s.op !== "pw") continue; // only the GEMM depends on the tile
      const r = time(s);
      const peak = peaks[build];
      const pct = peak ? (100 * r.gflops) / peak : undefined;
      const shape = `${s.h}x${s.w}x${s.cin}${s.op === "dw" ? "" : `->${s.cout}`}${s.op === "pw" ? "" : ` k${s.k}s${s.stride}`}`;
      results.push({ build, tile, model: s.model, name: s.name, op: s.op, shape, ...r, pct });
      rows.push([
        r.kernel,
        `${s.model.replace("mobilenet_", "").replace("_224", "")}/${s.name}`,
        shape,
        r.min.toFixed(3),
        r.median.toFixed(3),
        r.gflops.toFixed(1),
        pct === undefined ? "-" : `${pct.toFixed(0)}%`,
      ]);
    }
  }
}
console.log(table(["kernel", "layer", "shape", "min ms", "median ms", "GFLOP/s", "% peak"], rows));

// Per build and op: total min time over the shapes for each tile (what the table is chosen by).
const totals = new Map();
for (const r of results) {
  const key = `${r.build} ${r.op} ${r.kernel}`;
  const t = totals.get(key) ?? { build: r.build, op: r.op, kernel: r.kernel.replace(/__.*/, ""), ms: 0, flops: 0 };
  t.ms += r.min;
  t.flops += r.gflops * r.min * 1e6;
  totals.set(key, t);
}
console.log("\nsummed over the shapes (min ms each):");
console.log(
  table(
    ["build", "op", "kernel", "ms", "GFLOP/s", "% peak"],
    [...totals.values()].map((t) => {
      const g = t.flops / t.ms / 1e6;
      return [
        t.build,
        t.op,
        t.kernel,
        t.ms.toFixed(2),
        g.toFixed(1),
        peaks[t.build] ? `${((100 * g) / peaks[t.build]).toFixed(0)}%` : "-",
      ];
    }),
  ),
);
const json = option("json");
if (json) writeFileSync(json, JSON.stringify({ engine: engineLabel(), cold, peaks, results }, null, 1));
