// npm run bench: sepconv against the plain-JS reference, TensorFlow.js (wasm/XNNPACK and cpu
// backends) and ONNX Runtime Web (wasm) on every MobileNet v1/v2 layer and separable block of
// bench/models/, in one Node process, one thread; then the machine's wasm-SIMD peak, cold start
// in fresh processes and shipped sizes. Writes bench/results/latest.{json,md} and speedup.svg.
//
// Options (see README, Benchmarks):
//   --model v1|v2        one model (default both)
//   --peers a,b          sepconv (every build) | sepconv-relaxed-simd | sepconv-simd | sepconv-scalar | sepconv-copy |
//                        js | tfjs-wasm | tfjs-cpu | ort  (default all)
//   --only a,b           layer or block names, e.g. dw3,pw3,dw3+pw3
//   --time MS            sampling time per case and peer (default 300; slow peers a third)
//   --quick              smoke run: 4 cases per model, 30 ms, 2 cold starts
//   --skip a,b           peak | coldstart | size
//   --out DIR            where to write (default bench/results for a full run, else build/bench)
//   --threads N          also sepconv's SIMD builds on N threads (peers sepconv-<build>@N), and
//                        ONNX Runtime Web and tfjs-wasm on N threads instead of 1
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { CATEGORIES, dataFor, readCases, relativeError } from "./cases.mjs";
import { speedupChart } from "./chart.mjs";
import { measureColdStart } from "./coldstart.mjs";
import { measurePeak } from "./peak.mjs";
import { ortPeer } from "./peers/onnx.mjs";
import { autoBuild, sepconvPeers } from "./peers/sepconv.mjs";
import { consoleSummary, markdownReport, shortPeer, summarize } from "./report.mjs";
import { measureSizes, sizeTotals } from "./size.mjs";
import { sample, stats } from "./timing.mjs";

// tfjs (dataSync) and ORT (session.run) allocate a new output array on every run. glibc gives
// large freed blocks back to the OS and the next allocation faults them in again, which costs
// ~4 ms per MiB in this VM: such runs were up to 5x slower, in phases that followed the GC, not
// the library. Run with freed memory kept for reuse (glibc only; other platforms ignore it).
const MALLOC_TUNABLES = "glibc.malloc.trim_threshold=1073741824:glibc.malloc.mmap_threshold=33554432";
if (process.platform === "linux" && !process.env.GLIBC_TUNABLES) {
  const self = [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  const env = { ...process.env, GLIBC_TUNABLES: MALLOC_TUNABLES };
  process.exit(spawnSync(process.execPath, self, { stdio: "inherit", env }).status ?? 1);
}

const TOLERANCE = 1e-3; // max |peer - sepconv| / max |sepconv|
// The fast peers take turns in short bursts until each has its time, so that CPU contention
// from other processes (a shared machine) falls on every peer alike; the slow peers (js, tfjs-cpu, scalar) then take 3 rounds of single runs.
const BURST_MS = 10;
const THREADS_PAUSE_MS = 20;
const SLOW_ROUNDS = 3;

const started = performance.now();
const args = parseArgs(process.argv.slice(2));
const quick = "quick" in args;
const timeMs = Number(args.time ?? (quick ? 30 : 300));
const skip = new Set((args.skip ?? "").split(",").filter(Boolean));
const wanted = (args.peers ?? "sepconv,js,tfjs-wasm,tfjs-cpu,ort").split(",");
const only = args.only?.split(",");
const full = !quick && !args.model && !args.peers && !only && !args.time && !skip.size;
const outDir = fileURLToPath(new URL(`../${args.out ?? (full ? "bench/results" : "build/bench")}/`, import.meta.url));
const log = (s) => process.stderr.write(s);

const cases = readCases({ model: args.model, only, quick });
if (!cases.length) throw new Error("no case matches --model/--only");

// Peers, fastest-to-set-up first. The comparison baseline is the build init() picks itself.
const ours = `sepconv-${await autoBuild()}`;
const threads = Number(args.threads ?? 1);
const { peers: sepconvList, unsupported } = await sepconvPeers(threads);
const peers = sepconvList.filter((p) => wanted.includes(p.key) || (wanted.includes("sepconv") && p.key !== "js"));
for (const key of ["tfjs-wasm", "tfjs-cpu", "ort"]) {
  if (!wanted.includes(key)) continue;
  if (key === "ort") peers.push(await ortPeer(threads));
  else peers.push(await (await import("./peers/tfjs.mjs")).tfjsPeer(key.slice(5), threads));
}
const oracle = sepconvList.find((p) => p.key === ours);
for (const u of unsupported) log(`sepconv ${u.build}: not supported here (${u.reason})\n`);
log(`${cases.length} cases x ${peers.length} peers (${peers.map((p) => p.key).join(", ")}); baseline ${ours}\n`);
log(`per case: ${ours}'s median ms, then each peer's time / ${ours}'s (above 1x ${ours} is faster)\n`);

const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  platform: `${os.platform()} ${os.arch()}`,
  node: process.versions.node,
  v8: process.versions.v8,
  flags: process.execArgv,
  date: new Date().toISOString(),
  loadAverageAtStart: os.loadavg()[0],
  GLIBC_TUNABLES: process.env.GLIBC_TUNABLES ?? null,
};

// Warm-up before any timing: one case per category on every peer, for a while. V8 tiers wasm
// up to TurboFan in the background after enough calls; ONNX Runtime's large module needs ~20
// runs of a fresh operator before its times settle (7 ms -> 1.3 ms on conv1 here).
const WARMUP_MS = quick ? 50 : 300;
log("warm-up: ");
for (const category of CATEGORIES) {
  const c = cases.find((k) => k.category === category);
  if (!c) continue;
  const data = dataFor(c);
  for (const peer of peers) {
    const p = await peer.prepare(c, data);
    await peer.enter?.();
    await sample(p.run, { runs: peer.slow ? 1 : 3, timeMs: peer.slow ? 0 : WARMUP_MS, async: peer.async });
    p.dispose();
  }
  log(".");
}
log("\n");

const results = [];
const mismatches = [];
for (const [index, c] of cases.entries()) {
  const data = dataFor(c);
  const reference = await oracle.prepare(c, data);
  const want = Float32Array.from(reference.output());
  reference.dispose();

  const prepared = [];
  const check = {};
  for (const peer of peers) {
    const p = await peer.prepare(c, data);
    const error = relativeError(await p.output(), want); // also the first (warm-up) run
    check[peer.key] = error;
    if (!(error < TOLERANCE)) {
      mismatches.push({ case: c.id, peer: peer.key, error });
      log(`\nMISMATCH ${c.id} ${peer.key}: relative error ${error}\n`);
    }
    prepared.push({ peer, p, samples: [] });
  }
  for (const { peer, p } of prepared) {
    await peer.enter?.();
    await sample(p.run, { runs: peer.slow ? 1 : 3, timeMs: peer.slow ? 0 : timeMs / 10, async: peer.async });
  }
  const fast = prepared.filter(({ peer }) => !peer.slow).map((f) => ({ ...f, spent: 0 }));
  const pending = (f) => f.spent < timeMs || f.samples.length < 6;
  for (let turn = 0; fast.some(pending); turn++) {
    for (let i = 0; i < fast.length; i++) {
      const f = fast[(i + turn) % fast.length];
      if (!pending(f)) continue;
      await f.peer.enter?.();
      // With threads, a pause first: the previous peer's idle workers (sepconv's, ORT's) poll
      // for a while after its last run, and would take this peer's cores.
      if (threads > 1) await new Promise((resolve) => setTimeout(resolve, THREADS_PAUSE_MS));
      const t0 = performance.now();
      await sample(f.p.run, { runs: 2, timeMs: BURST_MS, async: f.peer.async }, f.samples);
      f.spent += performance.now() - t0;
    }
  }
  const slow = prepared.filter(({ peer }) => peer.slow);
  for (let round = 0; round < SLOW_ROUNDS; round++) {
    for (let i = 0; i < slow.length; i++) {
      const { peer, p, samples } = slow[(i + round) % slow.length];
      await peer.enter?.();
      await sample(p.run, { runs: 1, timeMs: timeMs / 3 / SLOW_ROUNDS }, samples);
    }
  }
  const times = {};
  for (const { peer, p, samples } of prepared) {
    times[peer.key] = stats(samples);
    p.dispose();
  }
  results.push({ ...c, times, check });
  const base = times[ours]?.median;
  const line = base
    ? peers
        .filter((p) => p.key !== ours)
        .map((p) => `${shortPeer(p.key)} ${(times[p.key].median / base).toFixed(2)}x`)
        .join(", ")
    : "";
  log(
    `[${index + 1}/${cases.length}] ${c.id.replace(/^mobilenet_(v\d)_224\//, "$1/")}: ${base ? `${base.toFixed(3)} ms; ` : ""}${line}\n`,
  );
}
const layersSeconds = (performance.now() - started) / 1000;

let peak;
if (!skip.has("peak")) {
  log("peak: ");
  peak = await measurePeak();
  log(`${Object.entries(peak).map(([b, p]) => `${b} ${p.gflops.toFixed(1)} GFLOP/s`)}\n`);
}
let coldStart;
if (!skip.has("coldstart")) {
  log("cold start: ");
  coldStart = measureColdStart({ runs: quick ? 2 : 5 });
  log(`${Object.entries(coldStart).map(([k, r]) => `${k} ${r.median.toFixed(1)} ms`)}\n`);
}
let sizes;
if (!skip.has("size")) {
  const files = measureSizes();
  sizes = { files, totals: sizeTotals(files) };
}

const run = {
  machine: { ...machine, loadAverageAtEnd: os.loadavg()[0] },
  options: {
    quick,
    timeMs,
    burstMs: BURST_MS,
    slowRounds: SLOW_ROUNDS,
    tolerance: TOLERANCE,
    model: args.model ?? "all",
    only: only ?? null,
  },
  ours,
  peers: peers.map(({ key, name, version, detail, slow }) => ({ key, name, version, detail, slow: !!slow })),
  unsupported,
  peak,
  results: results.map(({ id, model, category, layer, outShape, macs, times, check }) => ({
    id,
    model,
    category,
    layer,
    outShape,
    macs,
    times,
    check,
  })),
  mismatches,
  coldStart,
  sizes,
  seconds: { layers: Math.round(layersSeconds), total: 0 },
};
run.seconds.total = Math.round((performance.now() - started) / 1000);
run.sums = summarize(run);

mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}latest.json`, `${JSON.stringify(run, roundNumbers, 1)}\n`);
writeFileSync(`${outDir}latest.md`, markdownReport(run));
writeFileSync(`${outDir}speedup.svg`, speedupChart(run));
console.log(consoleSummary(run));
console.log(`\nwrote ${outDir}latest.json, latest.md, speedup.svg (${run.seconds.total} s)`);
if (mismatches.length) {
  console.error(`\n${mismatches.length} peer result(s) differ from sepconv's by more than ${TOLERANCE}:`);
  for (const m of mismatches) console.error(`  ${m.case} ${m.peer}: ${m.error}`);
  process.exitCode = 1;
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith("--")) throw new Error(`unexpected argument ${argv[i]}`);
    const name = argv[i].slice(2);
    if (name === "quick") out.quick = true;
    else if (["model", "peers", "only", "time", "skip", "out", "threads"].includes(name) && i + 1 < argv.length)
      out[name] = argv[++i];
    else throw new Error(`unknown option or missing value: ${argv[i]}`);
  }
  return out;
}

/** JSON numbers to 4 significant digits (timings are noisy well before that). */
function roundNumbers(_key, value) {
  return typeof value === "number" && !Number.isInteger(value) ? Number(value.toPrecision(4)) : value;
}
