// npm run bench: sepconv against the plain-JS reference and TensorFlow.js (wasm/XNNPACK and
// cpu backends) on every MobileNet v1/v2 layer of bench/models/, one process, one thread.
// Prints a table per model and per-category sums; writes bench/results/latest.json and .md.
//
// Options: --model v1|v2 (default both), --peers sepconv,js,tfjs-wasm,tfjs-cpu, --time MS per case.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import * as sepconv from "../dist/index.js";
import { readModels, separableBlocks } from "./models.mjs";
import { tfjsPeer } from "./peers.mjs";
import { fmt, measure, table } from "./timing.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith("--") ? [[a.slice(2), all[i + 1]]] : [])),
);
const timeMs = Number(args.time ?? 150);
const wanted = (args.peers ?? "sepconv,js,tfjs-wasm,tfjs-cpu").split(",");

function random(n, seed) {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

/** Output size and multiply-adds of a layer ('same' or 'valid', square). */
function shapeOf(layer) {
  const out =
    layer.padding === "same" ? Math.ceil(layer.h / layer.stride) : Math.floor((layer.h - layer.k) / layer.stride) + 1;
  const dwMacs = out * out * layer.cin * layer.k * layer.k;
  const pwMacs = out * out * layer.cin * layer.cout;
  const macs = {
    dw: dwMacs,
    pw: out * out * layer.cin * layer.cout,
    conv: out * out * layer.k * layer.k * layer.cin * layer.cout,
    sep: dwMacs + pwMacs,
  }[layer.op];
  return { out, macs };
}

function dataFor(layer) {
  const k2 = layer.k * layer.k;
  return {
    x: random(layer.h * layer.w * layer.cin, 1),
    filter: random(layer.op === "dw" ? k2 * layer.cin : k2 * layer.cin * layer.cout, 2),
    bias: random(layer.op === "dw" ? layer.cin : layer.cout, 3),
    dwFilter: random(k2 * layer.cin, 4),
    pwFilter: random(layer.cin * layer.cout, 5),
    dwBias: random(layer.cin, 6),
  };
}

/** sepconv (current build) or the plain-JS reference on one layer. */
function sepconvLayer(api, layer, data) {
  const x = { data: data.x, shape: [1, layer.h, layer.w, layer.cin] };
  const o = { strides: layer.stride, padding: layer.padding, bias: data.bias, activation: "relu6" };
  const k = layer.k;
  const make = {
    dw: () => api.createDepthwiseConv2d({ data: data.filter, shape: [k, k, layer.cin, 1] }, o),
    pw: () => api.createPointwiseConv2d({ data: data.filter, shape: [layer.cin, layer.cout] }, o),
    conv: () => api.createConv2d({ data: data.filter, shape: [k, k, layer.cin, layer.cout] }, o),
    sep: () =>
      api.createSeparableConv2d(
        { data: data.dwFilter, shape: [k, k, layer.cin, 1] },
        { data: data.pwFilter, shape: [layer.cin, layer.cout] },
        { ...o, depthwiseBias: data.dwBias, depthwiseActivation: "relu6" },
      ),
  }[layer.op];
  const prepared = make();
  const out = prepared.run(x);
  return { run: () => prepared.run(x, out), dispose: () => prepared.dispose() };
}

async function peers() {
  const list = [];
  const builds = ["relaxed-simd", "simd", "scalar"].filter((b) => wanted.includes("sepconv") && supported(b));
  for (const build of builds) {
    list.push({
      name: `sepconv ${build}`,
      key: `sepconv-${build}`,
      ours: true,
      setup: () => sepconv.init({ backend: build }),
      prepare: (layer, data) => sepconvLayer(sepconv, layer, data),
    });
  }
  if (wanted.includes("js")) {
    list.push({
      name: "plain JS reference",
      key: "js",
      setup: () => sepconv.init({ backend: "js" }),
      prepare: (layer, data) => sepconvLayer(sepconv, layer, data),
      slow: true,
    });
  }
  for (const b of ["wasm", "cpu"]) {
    if (!wanted.includes(`tfjs-${b}`)) continue;
    list.push({ key: `tfjs-${b}`, lazy: () => tfjsPeer(b), slow: b === "cpu" });
  }
  return list;
}

function supported(build) {
  if (build === "scalar") return true;
  try {
    return WebAssembly.validate(
      build === "simd"
        ? Uint8Array.of(
            0,
            97,
            115,
            109,
            1,
            0,
            0,
            0,
            1,
            5,
            1,
            96,
            0,
            1,
            123,
            3,
            2,
            1,
            0,
            10,
            8,
            1,
            6,
            0,
            65,
            0,
            253,
            15,
            11,
          )
        : Uint8Array.of(
            0,
            97,
            115,
            109,
            1,
            0,
            0,
            0,
            1,
            5,
            1,
            96,
            0,
            1,
            123,
            3,
            2,
            1,
            0,
            10,
            19,
            1,
            17,
            0,
            65,
            0,
            253,
            15,
            65,
            0,
            253,
            15,
            65,
            0,
            253,
            15,
            253,
            133,
            2,
            11,
          ),
    );
  } catch {
    return false;
  }
}

const models = readModels().filter(({ model }) => !args.model || model.includes(args.model));
const cases = [];
for (const { model, layers } of models) {
  for (const layer of layers)
    cases.push({ model, category: { dw: "depthwise", pw: "pointwise", conv: "standard conv" }[layer.op], layer });
  for (const { depthwise, pointwise } of separableBlocks(layers)) {
    const layer = { ...depthwise, op: "sep", cout: pointwise.cout, name: `${depthwise.name}+${pointwise.name}` };
    cases.push({ model, category: "separable block", layer });
  }
}

const results = cases.map((c) => ({ ...c, ...shapeOf(c.layer), times: {} }));
const peerList = await peers();
for (const peer of peerList) {
  if (peer.lazy) Object.assign(peer, await peer.lazy());
  if (peer.setup) await peer.setup();
  process.stderr.write(`${peer.name}: `);
  for (const r of results) {
    const data = dataFor(r.layer);
    const prepared = peer.prepare(r.layer, data);
    const t = measure(
      () => prepared.run(),
      peer.slow ? { warmup: 1, minRuns: 3, minTimeMs: timeMs } : { minTimeMs: timeMs },
    );
    prepared.dispose();
    r.times[peer.key] = t;
    process.stderr.write(".");
  }
  process.stderr.write("\n");
}

const ours = peerList.find((p) => p.ours)?.key;
const others = peerList.filter((p) => !p.ours);
const gflops = (macs, ms) => (2 * macs) / ms / 1e6;
const lines = [];
const machine = `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}`;
lines.push(
  `# sepconv benchmark\n\n${machine}; single thread; median ms per layer (batch 1), GFLOP/s = 2 x multiply-adds / time.\n`,
);
for (const { model } of models) {
  const rows = results
    .filter((r) => r.model === model)
    .map((r) => [
      `${r.layer.name} ${r.layer.op} ${r.layer.h}x${r.layer.w}x${r.layer.cin}->${r.layer.cout} s${r.layer.stride}`,
      ...peerList.map((p) => fmt.ms(r.times[p.key].median)),
      fmt.int(gflops(r.macs, r.times[ours].median)),
      ...others.map((p) => fmt.x(r.times[p.key].median / r.times[ours].median)),
    ]);
  const header = [
    "layer",
    ...peerList.map((p) => `${p.name} ms`),
    `${ours} GFLOP/s`,
    ...others.map((p) => `vs ${p.key}`),
  ];
  lines.push(`## ${model}\n\n${markdown(header, rows)}\n`);
}
const sums = [];
for (const { model } of models) {
  for (const category of ["depthwise", "pointwise", "separable block", "standard conv"]) {
    const rs = results.filter((r) => r.model === model && r.category === category);
    if (!rs.length) continue;
    const total = (key) => rs.reduce((s, r) => s + r.times[key].median, 0);
    const macs = rs.reduce((s, r) => s + r.macs, 0);
    sums.push([
      `${model} ${category} (${rs.length})`,
      ...peerList.map((p) => fmt.ms(total(p.key))),
      fmt.int(gflops(macs, total(ours))),
      ...others.map((p) => fmt.x(total(p.key) / total(ours))),
    ]);
  }
}
const sumHeader = [
  "sum over layers",
  ...peerList.map((p) => `${p.name} ms`),
  `${ours} GFLOP/s`,
  ...others.map((p) => `${ours} vs ${p.key}`),
];
lines.push(`## Sums per category\n\n${markdown(sumHeader, sums)}\n`);
console.log(table(sumHeader, sums));

mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/latest.md", lines.join("\n"));
writeFileSync(
  "bench/results/latest.json",
  `${JSON.stringify({ machine, peers: peerList.map((p) => ({ key: p.key, name: p.name })), results: results.map(({ layer, category, macs, times }) => ({ layer, category, macs, times })) }, null, 1)}\n`,
);
console.log("\nwrote bench/results/latest.md and bench/results/latest.json");

function markdown(header, rows) {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i ? "---:" : "---")).join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}
