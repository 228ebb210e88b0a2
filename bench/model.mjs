// npm run bench:model: real models end to end, each against its home runtime, in one Node
// process, single-threaded unless a peer says otherwise:
//   mobilenet_v2      nsfwjs's MobileNetV2 224x224 layers model: sepconv loadLayersModel against
//                     tfjs-wasm (XNNPACK) running it through tfjs-layers, and as a converted graph
//                     model would (bench/tfjs-fused.mjs: batch norms folded, activations fused)
//   mobilenet_v2_mid  nsfwjs's MobileNetV2 graph model (tfjs-converter): sepconv loadGraphModel
//                     against tfjs-converter's graph executor on tfjs-wasm
//   inception_v3      nsfwjs's InceptionV3 299x299 layers model (Concatenate-heavy): against
//                     tfjs-wasm through tfjs-layers
//   blazeface         MediaPipe's face_detection_short_range.tflite (128x128, float16 weights):
//                     sepconv loadTFLiteModel against LiteRT.js (TFLite + XNNPACK, bench/litert.mjs)
//   selfie            MediaPipe's selfie_segmentation.tflite (256x256): against LiteRT.js
//   mobilenet_v2_tflite  the mobilenet_v2 layers model written as a float32 .tflite in memory
//                     (bench/tflite-mobilenet.mjs: batch norms folded, fused RELU6): sepconv
//                     loadTFLiteModel against LiteRT.js
// Every peer is warmed up, then the peers take turns for --runs rounds (so load changes on a
// shared machine hit all of them); median and minimum ms per inference, readback included, and
// the cold start (load from artifacts in memory + first inference, the runtime already up).
// Writes bench/results/model-<name>.json.
//
// Options: --model name[,name] (default: all), --runs N (default 20), --peers list (default:
// relaxed-simd, simd, their @T variants for T = 2.. the cores present, and the model's tfjs
// peers; also simd-separable, simd-none, scalar, js, tfjs-cpu). A sepconv peer "build@T" runs
// on T threads (init({ threads: T })).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import * as tfc from "@tensorflow/tfjs-converter";
import * as tfl from "@tensorflow/tfjs-layers";
import * as sepconv from "../dist/index.js";
import { litertModel } from "./litert.mjs";
import { seededPixels } from "./mobilenet-input.mjs";
import { nsfwjsArtifacts } from "./nsfwjs-model.mjs";
import { fusedTfjs } from "./tfjs-fused.mjs";
import { mobilenetV2Tflite } from "./tflite-mobilenet.mjs";
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
const WARMUP = 5;

/**
 * The models: how to get them, their input, which loader, and the peers that run them. The
 * TFLite files come last: LiteRT.js's loader defines worker globals (self, importScripts) that
 * tfjs-wasm's loader then mistakes for a worker.
 */
const MODELS = {
  mobilenet_v2: {
    label: "MobileNetV2 224x224, nsfwjs 4.4 layers model (uint8 weights)",
    artifacts: () => nsfwjsArtifacts("mobilenet_v2"),
    shape: [1, 224, 224, 3],
    format: "layers",
    tfjs: ["tfjs-wasm", "tfjs-wasm-fused"],
  },
  mobilenet_v2_mid: {
    label: "MobileNetV2 224x224 (48-channel stem), nsfwjs 4.4 graph model (tfjs-converter 1.7, uint8 weights)",
    artifacts: () => nsfwjsArtifacts("mobilenet_v2_mid"),
    shape: [1, 224, 224, 3],
    format: "graph",
    tfjs: ["tfjs-wasm"],
  },
  inception_v3: {
    label: "InceptionV3 299x299, nsfwjs 4.4 layers model (15 Concatenates, uint8 weights)",
    artifacts: () => nsfwjsArtifacts("inception_v3"),
    shape: [1, 299, 299, 3],
    format: "layers",
    tfjs: ["tfjs-wasm"],
  },
  blazeface: {
    label: "BlazeFace short range 128x128, @mediapipe/face_detection TFLite (float16 weights)",
    artifacts: () =>
      new Uint8Array(readFileSync("node_modules/@mediapipe/face_detection/face_detection_short_range.tflite")),
    shape: [1, 128, 128, 3],
    format: "tflite",
    tfjs: ["litert"],
  },
  selfie: {
    label: "Selfie segmentation 256x256, @mediapipe/selfie_segmentation TFLite (float16 weights)",
    artifacts: () =>
      new Uint8Array(readFileSync("node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite")),
    shape: [1, 256, 256, 3],
    format: "tflite",
    tfjs: ["litert"],
  },
  mobilenet_v2_tflite: {
    label: "MobileNetV2 224x224, nsfwjs 4.4 layers model written as a float32 TFLite file (bench/tflite-mobilenet.mjs)",
    artifacts: () => mobilenetV2Tflite(),
    shape: [1, 224, 224, 3],
    format: "tflite",
    tfjs: ["litert"],
  },
};
const modelNames = (args.model ?? Object.keys(MODELS).join(",")).split(",");
for (const name of modelNames) {
  if (!MODELS[name]) throw new Error(`--model: unknown model ${name} (expected ${Object.keys(MODELS).join(", ")})`);
}

/** sepconv peers: build and fusion. */
const SEPCONV = {
  "relaxed-simd": ["relaxed-simd", "full"],
  simd: ["simd", "full"],
  "simd-separable": ["simd", "separable"],
  "simd-none": ["simd", "none"],
  scalar: ["scalar", "full"],
  js: ["js", "full"],
};

async function sepconvPeer(key, m) {
  const [base, at] = key.split("@");
  if (!SEPCONV[base])
    throw new Error(`--peers: unknown peer ${key} (expected ${Object.keys(SEPCONV).join(", ")}, tfjs-wasm, tfjs-cpu)`);
  const [build, fusion] = SEPCONV[base];
  const threads = Number(at ?? 1);
  await sepconv.init({ backend: build, threads });
  if (sepconv.threads().count !== threads) throw new Error(`${key}: ${JSON.stringify(sepconv.threads())}`);
  const x = { data: m.pixels, shape: m.shape };
  const t0 = performance.now();
  const model = load(m, { fusion });
  const outs = model.predictAll(x);
  const out = outs[0];
  const cold = performance.now() - t0;
  const name = `sepconv ${build}${fusion === "full" ? "" : ` (fusion: ${fusion})`}${threads > 1 ? `, ${threads} threads` : ""}`;
  return {
    key,
    name,
    cold,
    run: () => model.predictAll(x, outs),
    output: () => out.data,
    dispose: () => model.dispose(),
  };
}

/** The model of `m` on sepconv, with the loader of its format. */
function load(m, options) {
  if (m.format === "tflite") return sepconv.loadTFLiteModel(m.artifacts, options);
  return (m.format === "graph" ? sepconv.loadGraphModel : sepconv.loadLayersModel)(m.artifacts, options);
}

/** The file's bytes of weights (or the whole .tflite file). */
function weightBytes(m) {
  return m.format === "tflite" ? m.artifacts.byteLength : m.artifacts.weightData.byteLength;
}

/** LiteRT.js (its single-threaded wasm build, CPU) running the .tflite file. */
async function litertPeer(m) {
  const t0 = performance.now();
  const model = await litertModel(m.artifacts);
  let last = await model.run([m.pixels]);
  const cold = performance.now() - t0;
  return {
    key: "litert",
    name: "LiteRT.js 2.5 (TFLite + XNNPACK, wasm, 1 thread)",
    cold,
    run: async () => {
      last = await model.run([m.pixels]);
    },
    output: () => last[0].data,
    dispose: () => model.delete(),
  };
}

async function tfjsPeer(key, m) {
  const [backendName, fused] = key.split("-");
  tf.enableProdMode(); // as production apps run it
  if (backendName === "wasm") setThreadsCount(1);
  await tf.setBackend(backendName);
  await tf.ready();
  const x = tf.tensor4d(m.pixels, m.shape);
  let last;
  const t0 = performance.now();
  const model =
    m.format === "graph"
      ? await tfc.loadGraphModel(tf.io.fromMemory(m.artifacts))
      : await tfl.loadLayersModel(tf.io.fromMemory(m.artifacts));
  const predict = fused ? fusedTfjs(model) : (input) => model.predict(input);
  const run = () => {
    const y = tf.tidy(() => predict(x));
    last = y.dataSync();
    y.dispose();
  };
  run();
  const cold = performance.now() - t0;
  const simd = backendName === "wasm" && tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
  const how = fused ? "fused ops, batch norms folded" : m.format === "graph" ? "graph executor" : "tfjs-layers predict";
  const name = `${backendName === "wasm" ? `tfjs-wasm (XNNPACK${simd ? ", SIMD" : ""}, 1 thread` : "tfjs-cpu ("}, ${how})`;
  // tfjs runs on the backend that is active when it is called: bind it to each call.
  return {
    key: `tfjs-${key}`,
    name,
    cold,
    dispose: () => {
      model.dispose();
      x.dispose();
    },
    run: () => {
      if (tf.getBackend() !== backendName) tf.setBackend(backendName);
      run();
    },
    output: () => last,
  };
}

for (const modelName of modelNames) await benchModel(modelName);

async function benchModel(modelName) {
  const spec = MODELS[modelName];
  const m = { ...spec, artifacts: await spec.artifacts(), pixels: seededPixels(spec.shape) };
  const wanted = (
    args.peers ??
    [
      "relaxed-simd",
      ...threadCounts.map((t) => `relaxed-simd@${t}`),
      "simd",
      ...threadCounts.map((t) => `simd@${t}`),
      ...spec.tfjs,
    ].join(",")
  )
    .split(",")
    .filter((key) => key !== "tfjs-wasm-fused" || spec.tfjs.includes(key));
  const peers = [];
  for (const key of wanted) {
    if (key === "litert") peers.push(await litertPeer(m));
    else peers.push(key.startsWith("tfjs-") ? await tfjsPeer(key.slice(5), m) : await sepconvPeer(key, m));
  }
  // LiteRT's run is async: every run is awaited (a microtask for the synchronous peers).
  for (const peer of peers) for (let i = 0; i < WARMUP; i++) await peer.run();
  const times = new Map(peers.map((p) => [p.key, []]));
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < peers.length; i++) {
      const peer = peers[(round + i) % peers.length];
      const t0 = performance.now();
      await peer.run();
      times.get(peer.key).push(performance.now() - t0);
    }
  }

  const top1 = (data) => data.indexOf(Math.max(...data));
  const reference = peers.find((p) => p.key === "tfjs-wasm" || p.key === "litert") ?? peers[peers.length - 1];
  const results = peers.map((peer) => {
    const sorted = times.get(peer.key).sort((a, b) => a - b);
    const output = Array.from(peer.output());
    const maxDiff = Math.max(...output.map((v, i) => Math.abs(v - reference.output()[i])));
    return {
      key: peer.key,
      name: peer.name,
      median: sorted[sorted.length >> 1],
      cold: peer.cold,
      min: sorted[0],
      runs: sorted.length,
      top1: top1(output),
      maxDiff,
    };
  });
  // The home runtime: tfjs-wasm for tfjs models, LiteRT.js for .tflite files.
  const tfjsWasm = results.find((r) => r.key === "tfjs-wasm" || r.key === "litert");
  const tfjsFused = results.find((r) => r.key === "tfjs-wasm-fused");
  for (const r of results) {
    r.speedupVsTfjsWasm = tfjsWasm ? tfjsWasm.median / r.median : undefined;
    r.speedupVsTfjsWasmFused = tfjsFused ? tfjsFused.median / r.median : undefined;
  }

  await sepconv.init({ backend: "js" });
  const { params, macs } = load(m).cost();
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  const machine = `${cpu}, ${os.cpus().length} cores, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  console.log(
    `\n${m.label}: ${fmt.int(params)} params, ${fmt.int(macs)} multiply-adds per image, ` +
      `${fmt.int(weightBytes(m))} bytes of weights`,
  );
  console.log(`${machine}, ${date}; batch 1, one thread, ${runs} interleaved runs after ${WARMUP} warm-up runs each\n`);
  console.log(
    table(
      [
        "peer",
        "median ms",
        "min ms",
        "GFLOP/s",
        "vs home runtime",
        "vs tfjs-wasm fused",
        "top-1",
        "max |diff| vs home runtime",
        "cold start ms",
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
        fmt.ms(r.cold),
      ]),
    ),
  );
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    `bench/results/model-${modelName}.json`,
    `${JSON.stringify({ model: m.label, params, macs, weightBytes: weightBytes(m), machine, date, runs, warmup: WARMUP, results }, null, 2)}\n`,
  );
  console.log(`\nwrote bench/results/model-${modelName}.json`);

  for (const peer of peers) peer.dispose();
}
