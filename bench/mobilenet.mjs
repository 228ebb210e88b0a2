// npm run bench:model: end-to-end MobileNetV2 (224x224, the nsfwjs weights) in one Node
// process, single-threaded: sepconv's loadLayersModel on each build (and, on simd, with less
// fusion, to show what fusing buys) against TensorFlow.js's wasm backend (XNNPACK, SIMD, one
// thread) running the same artifacts through tfjs-layers. Every peer is warmed up, then the
// peers take turns for --runs rounds (so load changes on a shared machine hit all of them);
// median and minimum ms per inference, readback included. Writes bench/results/mobilenet.json.
//
// tfjs-wasm runs twice: as a tfjs-layers user runs the model (model.predict: one op per layer,
// batch norms included) and as a converted graph model would (bench/tfjs-fused.mjs: batch norms
// folded, activations fused), its best path.
//
// Options: --runs N (default 20), --peers list (default: relaxed-simd,simd,simd-separable,simd-none,
// tfjs-wasm,tfjs-wasm-fused, and relaxed-simd@T, simd@T for T = 2.. the cores present; also scalar,
// js, tfjs-cpu, tfjs-cpu-fused). A sepconv peer "build@T" runs on T threads (init({ threads: T })).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import * as tfl from "@tensorflow/tfjs-layers";
import * as sepconv from "../dist/index.js";
import { MOBILENET_SHAPE, mobileNetPixels } from "./mobilenet-input.mjs";
import { mobileNetV2Artifacts } from "./nsfwjs-model.mjs";
import { fusedTfjs } from "./tfjs-fused.mjs";
import { fmt, table } from "./timing.mjs";

// As bench/bench.mjs does: tfjs allocates its output on every run, and glibc returning freed
// memory to the OS makes the next run fault it in again (up to 5x slower in this VM). Keep it.
const MALLOC_TUNABLES = "glibc.malloc.trim_threshold=1073741824:glibc.malloc.mmap_threshold=33554432";
if (process.platform === "linux" && !process.env.GLIBC_TUNABLES) {
  const self = [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  const env = { ...process.env, GLIBC_TUNABLES: MALLOC_TUNABLES };
  process.exit(spawnSync(process.execPath, self, { stdio: "inherit", env }).status ?? 1);
}

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith("--") ? [[a.slice(2), all[i + 1]]] : [])),
);
const runs = Number(args.runs ?? 20);
const threadCounts = Array.from({ length: os.availableParallelism() - 1 }, (_, i) => i + 2);
const wanted = (
  args.peers ??
  [
    "relaxed-simd",
    ...threadCounts.map((t) => `relaxed-simd@${t}`),
    "simd",
    ...threadCounts.map((t) => `simd@${t}`),
    "simd-separable",
    "simd-none",
    "tfjs-wasm",
    "tfjs-wasm-fused",
  ].join(",")
).split(",");
const WARMUP = 5;

const artifacts = mobileNetV2Artifacts();
const shape = MOBILENET_SHAPE;
const pixels = mobileNetPixels();

/** sepconv peers: build and fusion. */
const SEPCONV = {
  "relaxed-simd": ["relaxed-simd", "full"],
  simd: ["simd", "full"],
  "simd-separable": ["simd", "separable"],
  "simd-none": ["simd", "none"],
  scalar: ["scalar", "full"],
  js: ["js", "full"],
};

async function sepconvPeer(key) {
  const [base, at] = key.split("@");
  if (!SEPCONV[base])
    throw new Error(`--peers: unknown peer ${key} (expected ${Object.keys(SEPCONV).join(", ")}, tfjs-wasm, tfjs-cpu)`);
  const [build, fusion] = SEPCONV[base];
  const threads = Number(at ?? 1);
  await sepconv.init({ backend: build, threads });
  if (sepconv.threads().count !== threads) throw new Error(`${key}: ${JSON.stringify(sepconv.threads())}`);
  const model = sepconv.loadLayersModel(artifacts, { fusion });
  const x = { data: pixels, shape };
  const out = model.predict(x);
  const name = `sepconv ${build}${fusion === "full" ? "" : ` (fusion: ${fusion})`}${threads > 1 ? `, ${threads} threads` : ""}`;
  return { key, name, run: () => model.predict(x, out), output: () => out.data };
}

async function tfjsPeer(key) {
  const [backendName, fused] = key.split("-");
  tf.enableProdMode(); // as production apps run it
  if (backendName === "wasm") setThreadsCount(1);
  await tf.setBackend(backendName);
  await tf.ready();
  const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  const predict = fused ? fusedTfjs(model) : (input) => model.predict(input);
  const x = tf.tensor4d(pixels, shape);
  let last;
  const run = () => {
    const y = tf.tidy(() => predict(x));
    last = y.dataSync();
    y.dispose();
  };
  const simd = backendName === "wasm" && tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
  const how = fused ? "fused ops, batch norms folded" : "tfjs-layers predict";
  const name = `${backendName === "wasm" ? `tfjs-wasm (XNNPACK${simd ? ", SIMD" : ""}, 1 thread` : "tfjs-cpu ("}, ${how})`;
  // tfjs runs on the backend that is active when it is called: bind it to each call.
  return {
    key: `tfjs-${key}`,
    name,
    run: () => {
      if (tf.getBackend() !== backendName) tf.setBackend(backendName);
      run();
    },
    output: () => last,
  };
}

const peers = [];
for (const key of wanted) {
  peers.push(key.startsWith("tfjs-") ? await tfjsPeer(key.slice(5)) : await sepconvPeer(key));
}
for (const peer of peers) for (let i = 0; i < WARMUP; i++) peer.run();
const times = new Map(peers.map((p) => [p.key, []]));
for (let round = 0; round < runs; round++) {
  for (let i = 0; i < peers.length; i++) {
    const peer = peers[(round + i) % peers.length];
    const t0 = performance.now();
    peer.run();
    times.get(peer.key).push(performance.now() - t0);
  }
}

const top1 = (data) => data.indexOf(Math.max(...data));
const reference = peers.find((p) => p.key === "tfjs-wasm") ?? peers[peers.length - 1];
const results = peers.map((peer) => {
  const sorted = times.get(peer.key).sort((a, b) => a - b);
  const output = Array.from(peer.output());
  const maxDiff = Math.max(...output.map((v, i) => Math.abs(v - reference.output()[i])));
  return {
    key: peer.key,
    name: peer.name,
    median: sorted[sorted.length >> 1],
    min: sorted[0],
    runs: sorted.length,
    top1: top1(output),
    maxDiff,
  };
});
const tfjsWasm = results.find((r) => r.key === "tfjs-wasm");
const tfjsFused = results.find((r) => r.key === "tfjs-wasm-fused");
for (const r of results) {
  r.speedupVsTfjsWasm = tfjsWasm ? tfjsWasm.median / r.median : undefined;
  r.speedupVsTfjsWasmFused = tfjsFused ? tfjsFused.median / r.median : undefined;
}

await sepconv.init({ backend: "js" });
const { params, macs } = sepconv.loadLayersModel(artifacts).cost();
const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
const machine = `${cpu}, ${os.cpus().length} cores, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
console.log(
  `MobileNetV2 224x224 (nsfwjs weights): ${fmt.int(params)} params, ${fmt.int(macs)} multiply-adds per image`,
);
console.log(`${machine}, ${date}; batch 1, one thread, ${runs} interleaved runs after ${WARMUP} warm-up runs each\n`);
console.log(
  table(
    [
      "peer",
      "median ms",
      "min ms",
      "GFLOP/s",
      "vs tfjs-wasm",
      "vs tfjs-wasm fused",
      "top-1",
      "max |diff| vs tfjs-wasm",
    ],
    results.map((r) => [
      r.name,
      fmt.ms(r.median),
      fmt.ms(r.min),
      ((2 * macs) / (r.median * 1e6)).toFixed(1),
      r.speedupVsTfjsWasm ? fmt.x(r.speedupVsTfjsWasm) : "-",
      r.speedupVsTfjsWasmFused ? fmt.x(r.speedupVsTfjsWasmFused) : "-",
      r.top1,
      r.maxDiff.toExponential(1),
    ]),
  ),
);
mkdirSync("bench/results", { recursive: true });
writeFileSync(
  "bench/results/mobilenet.json",
  `${JSON.stringify({ model: "MobileNetV2 224x224, nsfwjs 4.4 weights (uint8)", params, macs, machine, date, runs, warmup: WARMUP, results }, null, 2)}\n`,
);
console.log("\nwrote bench/results/mobilenet.json");
