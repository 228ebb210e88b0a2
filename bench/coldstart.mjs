// Cold start: time from before `import()` of the library to the first result of a 56x56x128
// separable block (3x3 depthwise + 1x1 to 128, bias and relu6 on both), each in a fresh Node
// process (node --experimental-wasm-relaxed-simd), median of several processes per library.
// Input and weights are made before the clock starts; everything the library does is timed.
// Run alone: node bench/coldstart.mjs [runs]; the child mode is `--child <peer>`.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dataFor, outSize } from "./cases.mjs";
import { stats } from "./timing.mjs";

const SELF = fileURLToPath(import.meta.url);
export const COLD_LAYER = {
  name: "block",
  op: "sep",
  h: 56,
  w: 56,
  cin: 128,
  cout: 128,
  k: 3,
  stride: 1,
  padding: "same",
};
export const COLD_PEERS = ["sepconv", "tfjs-wasm", "ort"];

/** One cold start in this process: { ms, importMs, readyMs, sum } (sum of the output, a checksum). */
async function child(peer) {
  const layer = COLD_LAYER;
  const data = dataFor({ layer });
  const [oh, ow] = outSize(layer);
  const { k, cin, cout } = layer;
  let onnxBytes;
  if (peer === "ort") onnxBytes = (await import("./onnx.mjs")).layerModel(layer, data).bytes;
  const t0 = performance.now();
  let tImport;
  let tReady;
  let y;
  if (peer === "sepconv") {
    const sepconv = await import("../dist/index.js");
    tImport = performance.now();
    await sepconv.init();
    tReady = performance.now();
    const block = sepconv.createSeparableConv2d(
      { data: data.dwFilter, shape: [k, k, cin, 1] },
      { data: data.pwFilter, shape: [cin, cout] },
      {
        padding: "same",
        bias: data.bias,
        activation: "relu6",
        depthwiseBias: data.dwBias,
        depthwiseActivation: "relu6",
      },
    );
    y = block.run({ data: data.x, shape: [1, layer.h, layer.w, cin] }).data;
  } else if (peer === "tfjs-wasm") {
    const tf = await import("@tensorflow/tfjs-core");
    const { setThreadsCount } = await import("@tensorflow/tfjs-backend-wasm");
    tImport = performance.now();
    setThreadsCount(1);
    await tf.setBackend("wasm");
    tReady = performance.now();
    const x = tf.tensor4d(data.x, [1, layer.h, layer.w, cin]);
    const mid = tf.fused.depthwiseConv2d({
      x,
      filter: tf.tensor4d(data.dwFilter, [k, k, cin, 1]),
      strides: 1,
      pad: "same",
      bias: tf.tensor1d(data.dwBias),
      activation: "relu6",
    });
    const filter = tf.tensor4d(data.pwFilter, [1, 1, cin, cout]);
    y = tf.fused
      .conv2d({ x: mid, filter, strides: 1, pad: "valid", bias: tf.tensor1d(data.bias), activation: "relu6" })
      .dataSync();
  } else if (peer === "ort") {
    const ort = await import("onnxruntime-web");
    tImport = performance.now();
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = "error";
    const session = await ort.InferenceSession.create(onnxBytes, {
      executionProviders: ["wasm"],
      graphOptimizationLevel: "all",
    });
    tReady = performance.now();
    const x = new ort.Tensor("float32", (await import("./onnx.mjs")).nhwcToNchw(data.x, layer.h, layer.w, cin), [
      1,
      cin,
      layer.h,
      layer.w,
    ]);
    y = (await session.run({ x })).y.data;
  } else throw new Error(`unknown cold-start peer ${peer}`);
  const t1 = performance.now();
  if (y.length !== oh * ow * cout) throw new Error(`${peer}: output has ${y.length} values`);
  let sum = 0;
  for (const v of y) sum += v;
  return { ms: t1 - t0, importMs: tImport - t0, readyMs: tReady - t0, sum };
}

/**
 * Cold start of each peer, median over `runs` fresh processes (peers interleaved).
 * @returns {Record<string, { median: number, min: number, runs: number, importMs: number, readyMs: number, sumError: number }>}
 */
export function measureColdStart({ runs = 5, peers = COLD_PEERS } = {}) {
  const samples = Object.fromEntries(peers.map((p) => [p, []]));
  const env = { ...process.env }; // as a user runs it: without the benchmark's malloc tuning
  delete env.GLIBC_TUNABLES;
  for (let i = 0; i < runs; i++) {
    for (const peer of peers) {
      const out = execFileSync(process.execPath, ["--experimental-wasm-relaxed-simd", SELF, "--child", peer], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        env,
      });
      samples[peer].push(JSON.parse(out.trim().split("\n").at(-1)));
    }
  }
  const reference = samples[peers[0]][0].sum;
  const result = {};
  for (const peer of peers) {
    const s = samples[peer];
    const mid = (key) => stats(s.map((r) => r[key])).median;
    result[peer] = {
      ...stats(s.map((r) => r.ms)),
      importMs: mid("importMs"),
      readyMs: mid("readyMs"),
      // The outputs' sums agree when every library computed the same block.
      sumError: Math.abs(s[0].sum - reference) / Math.abs(reference),
    };
  }
  return result;
}

if (process.argv[1] === SELF) {
  const at = process.argv.indexOf("--child");
  if (at > 0) {
    console.log(JSON.stringify(await child(process.argv[at + 1])));
  } else {
    const result = measureColdStart({ runs: Number(process.argv[2] ?? 5) });
    for (const [peer, r] of Object.entries(result))
      console.log(
        `${peer}: ${r.median.toFixed(1)} ms median (min ${r.min.toFixed(1)}; import ${r.importMs.toFixed(1)}, ready ${r.readyMs.toFixed(1)}), sum error ${r.sumError.toExponential(1)}`,
      );
  }
}
