// The steady state allocates nothing in JS: a prepared layer's run(x, out) and a model's
// predict(x, out), with plain tensors and with createTensor tensors, on every wasm build.
// Counted, not timed: the JS heap must not grow and no garbage collection may run over 100,000
// calls (an error message built eagerly on every call, ~700 bytes, ran 68 scavenges here).

import { PerformanceObserver } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTensor, init, type LayersModel, loadLayersModel, type Tensor } from "../src/index.js";
import { activeRuntime } from "../src/init.js";
import { PROTOCOL as P } from "../src/threads/work.js";
import { type OpCase, prepare } from "./cases.js";
import { randomArray, randomTensor, rng, WASM_BUILDS } from "./helpers.js";
import { artifactsOf, seedWeights } from "./model-helpers.js";

const CALLS = 100_000;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** Garbage collections since the observer started, delivered asynchronously. */
let collections = 0;
const observer = new PerformanceObserver((list) => {
  collections += list.getEntries().length;
});
beforeAll(() => observer.observe({ entryTypes: ["gc"] }));
afterAll(() => observer.disconnect());

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * Heap growth and collections over CALLS calls of `call`, after a warm-up. The optimising
 * compiler also allocates (code, feedback) while it tiers up, once; an allocation per call shows
 * in every round. So up to three rounds run and the quietest counts.
 */
async function allocationsOf(call: () => void): Promise<{ bytes: number; collections: number }> {
  // Until the optimising compiler has taken over, unoptimised code boxes doubles on the heap.
  for (let i = 0; i < 30_000; i++) call();
  let best = { bytes: Infinity, collections: Infinity };
  for (let round = 0; round < 3 && (best.collections > 0 || best.bytes >= QUIET_BYTES); round++) {
    gc();
    await settle();
    const seen = collections;
    const before = v8.getHeapStatistics().used_heap_size;
    for (let i = 0; i < CALLS; i++) call();
    const bytes = v8.getHeapStatistics().used_heap_size - before;
    await settle();
    const result = { bytes, collections: collections - seen };
    if (result.collections < best.collections || (result.collections === best.collections && bytes < best.bytes))
      best = result;
  }
  return best;
}

/**
 * Growth allowed over a round: the observer's bookkeeping and a late tier-up's code, below
 * 3 bytes a call; the smallest object allocated per call (16 bytes) would grow it by 1.6 MB.
 */
const QUIET_BYTES = 256 * 1024;

function expectNoAllocation(result: { bytes: number; collections: number }, label: string): void {
  expect(result.collections, `${label}: garbage collections over ${CALLS} calls`).toBe(0);
  expect(result.bytes, `${label}: heap growth over ${CALLS} calls`).toBeLessThan(QUIET_BYTES);
}

function cases(): { c: OpCase; x: Tensor }[] {
  const r = rng(7);
  return [
    {
      c: { op: "depthwise", filter: randomTensor(r, [3, 3, 8, 1]), options: { padding: "same", activation: "relu6" } },
      x: randomTensor(r, [1, 5, 5, 8]),
    },
    {
      c: { op: "pointwise", filter: randomTensor(r, [8, 8]), options: { bias: randomArray(r, 8) } },
      x: randomTensor(r, [1, 3, 3, 8]),
    },
    {
      c: { op: "conv", filter: randomTensor(r, [3, 3, 3, 8]), options: { strides: 2, padding: "same" } },
      x: randomTensor(r, [1, 6, 6, 3]),
    },
    {
      c: {
        op: "separable",
        filter: randomTensor(r, [3, 3, 4, 1]),
        pointwiseFilter: randomTensor(r, [4, 8]),
        options: {},
      },
      x: randomTensor(r, [1, 5, 5, 4]),
    },
  ];
}

/** A small inverted-residual network with a classifier head. */
async function smallModel() {
  const L = tfl.layers;
  const input = tfl.input({ shape: [6, 6, 8] });
  let y = L.conv2d({ filters: 16, kernelSize: 1, activation: "relu" }).apply(input) as tfl.SymbolicTensor;
  y = L.depthwiseConv2d({ kernelSize: 3, padding: "same" }).apply(y) as tfl.SymbolicTensor;
  y = L.batchNormalization().apply(y) as tfl.SymbolicTensor;
  y = L.reLU({ maxValue: 6 }).apply(y) as tfl.SymbolicTensor;
  y = L.conv2d({ filters: 8, kernelSize: 1 }).apply(y) as tfl.SymbolicTensor;
  y = L.add().apply([y, input]) as tfl.SymbolicTensor;
  y = L.globalAveragePooling2d({}).apply(y) as tfl.SymbolicTensor;
  y = L.dense({ units: 4, activation: "softmax" }).apply(y) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: y });
  seedWeights(model, 3);
  return artifactsOf(model);
}

for (const build of WASM_BUILDS) {
  describe(`no allocation in the steady state on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    for (const { c, x } of cases()) {
      it(`${c.op}: run(x, out) with plain tensors`, async () => {
        const layer = prepare(c);
        const y = layer.run(x);
        const out = { data: new Float32Array(y.data.length), shape: y.shape };
        expectNoAllocation(await allocationsOf(() => layer.run(x, out)), c.op);
        layer.dispose();
      });

      it(`${c.op}: run(x, out) in place on createTensor tensors`, async () => {
        const layer = prepare(c);
        const shape = layer.run(x).shape;
        const xIn = createTensor(x.shape, x.data);
        const yIn = createTensor(shape);
        expectNoAllocation(await allocationsOf(() => layer.run(xIn, yIn)), c.op);
        layer.dispose();
        xIn.dispose();
        yIn.dispose();
      });
    }

    it("a model's predict(x, out)", async () => {
      const model: LayersModel = loadLayersModel(await smallModel());
      const x = randomTensor(rng(11), [1, 6, 6, 8]);
      const out = { data: new Float32Array(4), shape: [1, 4] };
      expectNoAllocation(await allocationsOf(() => model.predict(x, out)), "predict");
      model.dispose();
    });
  });
}

describe("no allocation in the steady state with threads", () => {
  beforeAll(() => init({ backend: "simd", threads: 2 }));
  afterAll(() => init({ backend: "simd", threads: 1 }));

  it("a call shared among 2 threads (a GEMM just at the sharing threshold): run(x, out) in place", async () => {
    const r = rng(5);
    // 8 x 8 pixels x 64 -> 64 channels: 2^18 multiply-adds, the smallest call the threads share.
    const layer = prepare({ op: "pointwise", filter: randomTensor(r, [64, 64]), options: {} });
    const xIn = createTensor([1, 8, 8, 64], randomTensor(r, [1, 8, 8, 64]).data);
    const yIn = createTensor([1, 8, 8, 64]);
    layer.run(xIn, yIn);
    const pool = activeRuntime("test")!.pool!;
    const jobs = pool.jobs.get(P.GEMM) ?? 0;
    expectNoAllocation(await allocationsOf(() => layer.run(xIn, yIn)), "pointwise on 2 threads");
    expect(pool.jobs.get(P.GEMM)! - jobs, "calls shared among the threads").toBeGreaterThanOrEqual(CALLS);
    layer.dispose();
    xIn.dispose();
    yIn.dispose();
  });
});
