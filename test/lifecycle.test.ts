// Memory life cycle of prepared layers on the wasm builds: dispose returns every block, long
// create/run/dispose churn stays bounded, growth leaves earlier layers intact, results are
// bit-identical from run to run, and worker threads run their own instances side by side.
// (Run after dispose and dispose twice are covered for every op in errors.test.ts.)

import { Worker } from "node:worker_threads";
import { beforeAll, describe, expect, it } from "vitest";
import { init, type Layer, type Tensor } from "../src/index.js";
import { activeRuntime } from "../src/init.js";
import type { Heap } from "../src/memory.js";
import { bits, describeCase, type OpCase, oneShot, prepare, reduction, referenceOf } from "./cases.js";
import { ALL_BACKENDS, expectClose, randomArray, randomTensor, rng, WASM_BUILDS } from "./helpers.js";

function heap(): Heap {
  return activeRuntime("test")!.heap;
}

/** A small mix of every op, kernel size (fast 3x3/5x5 tiles and generic), padding and option. */
function mixedCases(seed: number): { c: OpCase; x: Tensor }[] {
  const r = rng(seed);
  return [
    {
      c: {
        op: "depthwise",
        filter: randomTensor(r, [3, 3, 6, 2]),
        options: { padding: "same", bias: randomArray(r, 12) },
      },
      x: randomTensor(r, [1, 7, 9, 6]),
    },
    {
      c: { op: "pointwise", filter: randomTensor(r, [5, 11]), options: { activation: "relu6" } },
      x: randomTensor(r, [2, 3, 5, 5]),
    },
    {
      c: { op: "conv", filter: randomTensor(r, [3, 2, 4, 9]), options: { strides: 2, padding: [1, 0, 2, 1] } },
      x: randomTensor(r, [1, 8, 6, 4]),
    },
    {
      c: {
        op: "separable",
        filter: randomTensor(r, [5, 5, 3, 1]),
        pointwiseFilter: randomTensor(r, [3, 17]),
        options: {
          padding: "same",
          depthwiseBias: randomArray(r, 3),
          depthwiseActivation: "relu",
          bias: randomArray(r, 17),
        },
      },
      x: randomTensor(r, [1, 9, 9, 3]),
    },
    {
      c: {
        op: "depthwise",
        filter: randomTensor(r, [2, 4, 9, 1]),
        options: { dilations: [2, 1], activation: "hardswish" },
      },
      x: randomTensor(r, [3, 6, 6, 9]),
    },
    {
      c: { op: "pointwise", filter: randomTensor(r, [1, 1, 8, 3]), options: { padding: 1, strides: [1, 2] } },
      x: randomTensor(r, [1, 4, 4, 8]),
    },
    {
      c: {
        op: "separable",
        filter: randomTensor(r, [3, 3, 2, 3]),
        pointwiseFilter: randomTensor(r, [6, 4]),
        options: { strides: 2, padding: "valid", activation: "relu" },
      },
      x: randomTensor(r, [2, 11, 5, 2]),
    },
  ];
}

describe("dispose returns memory", () => {
  for (const build of WASM_BUILDS) {
    it(`${build}: every block, after re-plans, failed runs and run(x, out)`, async () => {
      await init({ backend: build });
      const baseline = heap().usedBytes;
      const cases = mixedCases(1);
      const layers = cases.map(({ c }) => prepare(c));
      expect(heap().usedBytes, "packed weights are held").toBeGreaterThan(baseline);
      for (const [i, { c, x }] of cases.entries()) {
        const layer = layers[i];
        const bigger = randomTensor(rng(i), [x.shape[0] + 1, x.shape[1] + 2, x.shape[2] + 3, x.shape[3]]);
        expectClose(layer.run(bigger), referenceOf(c, bigger), reduction(c), describeCase(c, bigger));
        const wrong = randomTensor(rng(i), [1, x.shape[1], x.shape[2], x.shape[3] + 1]);
        expect(() => layer.run(wrong)).toThrow(RangeError);
        const want = referenceOf(c, x);
        const out = { data: new Float32Array(want.data.length), shape: want.shape };
        expectClose(layer.run(x, out), want, reduction(c), describeCase(c, x));
      }
      for (const layer of layers) layer.dispose();
      expect(heap().usedBytes).toBe(baseline);
      for (const layer of layers) expect(() => layer.run(cases[0].x)).toThrow(/disposed/);
      expect(heap().usedBytes, "run after dispose allocates nothing").toBe(baseline);
    });
  }
});

describe("create/run/dispose churn on simd", () => {
  beforeAll(() => init({ backend: "simd" }));

  it("10,000 cycles of mixed layers: memory, peak and live bytes stop growing after 100", () => {
    const cases = mixedCases(2);
    // The first result of each case, checked against the reference; later runs must match its bits.
    const firstBits: Uint32Array[] = [];
    const outs: Tensor[] = [];
    for (const { c, x } of cases) {
      const got = oneShot(c, x);
      const want = referenceOf(c, x);
      expectClose(got, want, reduction(c), describeCase(c, x));
      firstBits.push(bits(got));
      outs.push({ data: new Float32Array(want.data.length), shape: want.shape });
    }
    const baseline = heap().usedBytes;
    // Layers outlive a few cycles and are freed out of creation order, so holes of every size
    // appear between live blocks; the schedule has period 7, the ring 3 (coprime).
    const ring: Layer[] = [];
    let grown: { memory: number; peak: number } | undefined;
    for (let cycle = 0; cycle < 10_000; cycle++) {
      if (cycle === 100) grown = { memory: heap().byteLength, peak: heap().peakBytes };
      const i = cycle % cases.length;
      const { c, x } = cases[i];
      const layer = prepare(c);
      const got = cycle % 2 === 0 ? layer.run(x) : layer.run(x, outs[i]);
      const same = bits(got).every((v, j) => v === firstBits[i][j]);
      if (!same) expect.fail(`cycle ${cycle}: ${describeCase(c, x)} differs from its first result`);
      ring.push(layer);
      if (ring.length > 3) ring.splice(cycle % 3, 1)[0].dispose();
    }
    for (const layer of ring) layer.dispose();
    expect(heap().byteLength, "memory size").toBe(grown!.memory);
    expect(heap().peakBytes, "peak live bytes").toBe(grown!.peak);
    expect(heap().usedBytes, "every block returned").toBe(baseline);
  });
});

describe("memory growth", () => {
  for (const build of WASM_BUILDS) {
    it(`${build}: growth from a re-plan and from a new layer keeps every earlier layer exact`, async () => {
      await init({ backend: build });
      const cases = mixedCases(3);
      const layers = cases.map(({ c }) => prepare(c));
      const before = cases.map(({ x }, i) => bits(layers[i].run(x)).slice());
      const outs = cases.map(({ c, x }) => {
        const want = referenceOf(c, x);
        return { data: new Float32Array(want.data.length), shape: want.shape };
      });
      const expectIntact = (label: string) => {
        for (const [i, { c, x }] of cases.entries()) {
          expect(bits(layers[i].run(x, outs[i])), `${label}: ${describeCase(c, x)} run(x, out)`).toEqual(before[i]);
          expect(bits(layers[i].run(x)), `${label}: ${describeCase(c, x)} run(x)`).toEqual(before[i]);
          expectClose(outs[i], referenceOf(c, x), reduction(c), `${label}: ${describeCase(c, x)}`);
        }
      };
      // Sized from the free bytes so that memory must grow, wherever earlier tests left it.
      const free = heap().byteLength - heap().usedBytes;
      const pixels = Math.ceil(free / (4 * 5)) + 4096;
      const replanned = layers[1]; // pointwise 5 -> 11: its input alone outgrows the free bytes
      let size = heap().byteLength;
      const bigX = randomTensor(rng(4), [1, 1, pixels, 5]);
      expectClose(replanned.run(bigX), referenceOf(cases[1].c, bigX), 5, "re-planned to a large input");
      expect(heap().byteLength, "the re-plan grew memory").toBeGreaterThan(size);
      expectIntact("after growth by a re-plan");
      size = heap().byteLength;
      const bigCase: OpCase = { op: "conv", filter: randomTensor(rng(5), [1, 1, 8, 8]), options: {} };
      const big = prepare(bigCase);
      const bigX2 = randomTensor(rng(6), [1, 1, Math.ceil((size - heap().usedBytes) / 32) + 4096, 8]);
      expectClose(big.run(bigX2), referenceOf(bigCase, bigX2), 8, "a new large layer");
      expect(heap().byteLength, "the new layer grew memory").toBeGreaterThan(size);
      expectIntact("after growth by a new layer");
      big.dispose();
      for (const layer of layers) layer.dispose();
    });
  }
});

describe("bit-identical results", () => {
  for (const build of ALL_BACKENDS) {
    it(`${build}: repeated runs, one-shot calls and runs after other shapes and layers agree bit for bit`, async () => {
      await init({ backend: build });
      const cases = mixedCases(5);
      const layers = cases.map(({ c }) => prepare(c));
      const first = cases.map(({ x }, i) => bits(layers[i].run(x)).slice());
      for (let round = 0; round < 3; round++) {
        for (const [i, { c, x }] of cases.entries()) {
          const other = randomTensor(rng(round), [1, x.shape[1] + round + 1, x.shape[2] + 1, x.shape[3]]);
          layers[i].run(other); // re-plan to another shape and back
          expect(bits(layers[i].run(x)), `${describeCase(c, x)} round ${round}`).toEqual(first[i]);
          expect(bits(oneShot(c, x)), `${describeCase(c, x)} one-shot`).toEqual(first[i]);
        }
      }
      for (const layer of layers) layer.dispose();
    });
  }
});

describe("worker threads", () => {
  it("three workers each init their own build and compute correctly at the same time", async () => {
    const builds = ["scalar", "simd", "relaxed-simd"] as const;
    const barrier = new SharedArrayBuffer(4);
    const results = await Promise.all(
      builds.map(
        (build, i) =>
          new Promise<{
            build: string;
            backend: string;
            worst: number;
            checked: number;
            started: number;
            finished: number;
          }>((resolve, reject) => {
            const worker = new Worker(new URL("./workers/compute.mjs", import.meta.url), {
              workerData: { build, seed: 100 + i, rounds: 25, barrier, workers: builds.length },
            });
            worker.once("message", (m) => {
              resolve(m);
              void worker.terminate();
            });
            worker.once("error", reject);
          }),
      ),
    );
    for (const [i, r] of results.entries()) {
      expect(r.backend, `worker ${i}`).toBe(builds[i]);
      expect(r.worst, `${r.backend}: worst error / tolerance`).toBeLessThanOrEqual(1);
      expect(r.checked, `${r.backend}: elements compared`).toBeGreaterThan(10_000);
    }
    // The barrier makes every worker start computing only after all have initialised.
    const lastStart = Math.max(...results.map((r) => r.started));
    const firstFinish = Math.min(...results.map((r) => r.finished));
    expect(lastStart, "the workers computed at the same time").toBeLessThan(firstFinish);
  });
});
