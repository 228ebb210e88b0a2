// Worker for test/lifecycle.test.ts: initialises its own sepconv instance on the build it is
// given, waits at a barrier until every worker is ready (so they compute at the same time),
// then runs seeded random ops and posts back the build in use and the worst error relative to
// the test tolerance (<= 1 passes). Imports the built package: `npm test` builds it first.

import { parentPort, workerData } from "node:worker_threads";
import * as sepconv from "../../dist/index.js";

const { build, seed, rounds, barrier, workers } = workerData;

/** mulberry32, as in test/helpers.ts. */
function rng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(seed);
let checked = 0;
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const tensor = (shape) => {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = random() * 2 - 1;
  return { data, shape };
};

/** max |got - want| / tolerance, with expectClose's tolerance (test/helpers.ts). */
function errorRatio(got, want, reduction) {
  checked += want.data.length;
  if (got.data.length !== want.data.length) return Number.POSITIVE_INFINITY;
  let maxAbs = 0;
  for (const v of want.data) maxAbs = Math.max(maxAbs, Math.abs(v));
  const tolerance = 1e-5 * maxAbs + 1e-7 * reduction;
  let worst = 0;
  for (let i = 0; i < want.data.length; i++) {
    const e = Math.abs(got.data[i] - want.data[i]) / tolerance;
    worst = Math.max(worst, Number.isNaN(e) ? Number.POSITIVE_INFINITY : e);
  }
  return worst;
}

await sepconv.init({ backend: build });
const flag = new Int32Array(barrier);
Atomics.add(flag, 0, 1);
Atomics.notify(flag, 0);
for (let n = Atomics.load(flag, 0); n < workers; n = Atomics.load(flag, 0)) Atomics.wait(flag, 0, n, 10_000);

const started = performance.timeOrigin + performance.now();
let worst = 0;
for (let round = 0; round < rounds; round++) {
  const c = int(1, 20);
  const m = int(1, 2);
  const cout = int(1, 20);
  const k = int(1, 5);
  const x = tensor([int(1, 2), int(k, 14), int(k, 14), c]);
  const options = { strides: int(1, 2), padding: random() < 0.5 ? "same" : "valid", activation: "relu6" };
  const dw = tensor([k, k, c, m]);
  const pw = tensor([c * m, cout]);
  const conv = tensor([k, k, c, cout]);
  const pointwise = tensor([c, cout]);
  const layer = sepconv.createSeparableConv2d(dw, pw, options);
  worst = Math.max(
    worst,
    errorRatio(sepconv.depthwiseConv2d(x, dw, options), sepconv.reference.depthwiseConv2d(x, dw, options), k * k),
    errorRatio(sepconv.pointwiseConv2d(x, pointwise), sepconv.reference.pointwiseConv2d(x, pointwise), c),
    errorRatio(sepconv.conv2d(x, conv, options), sepconv.reference.conv2d(x, conv, options), k * k * c),
    errorRatio(layer.run(x), sepconv.reference.separableConv2d(x, dw, pw, options), k * k * c * m),
  );
  layer.dispose();
}
parentPort.postMessage({
  build,
  backend: sepconv.backend(),
  worst,
  checked,
  started,
  finished: performance.timeOrigin + performance.now(),
});
