// Threads: every op and a real model give, on 2 threads, exactly (bit for bit) what one thread
// gives, and the workers do part of the work; hosts and options without threads run one thread
// and say why. (Speed is in bench/, not here.)

import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mobileNetV2Artifacts } from "../bench/nsfwjs-model.mjs";
import {
  createConv2d,
  createDepthwiseConv2d,
  createPointwiseConv2d,
  createSeparableConv2d,
  init,
  initSync,
  type Layer,
  loadLayersModel,
  reference,
  type Tensor,
  threads,
} from "../src/index.js";
import { activeRuntime } from "../src/init.js";
import { rowsPerItem } from "../src/threads/split.js";
import { PROTOCOL as P } from "../src/threads/work.js";
import { expectClose, randomArray, randomTensor, rng } from "./helpers.js";

const SIMD_BUILDS = ["simd", "relaxed-simd"] as const;

/** Jobs of `kind` the active runtime's pool has run (calls shared among the threads). */
function jobs(kind: number): number {
  return activeRuntime("test")!.pool?.jobs.get(kind) ?? 0;
}

/** Items the workers (threads 1..) have run so far on the active runtime. */
function workerItems(): number {
  const pool = activeRuntime("test")!.pool;
  if (pool === null) return 0;
  let items = 0;
  for (let t = 1; t < pool.threads; t++) items += pool.itemsRun(t);
  return items;
}

interface Case {
  label: string;
  /** The job kind the call is shared as (src/threads/work.ts). */
  kind: number;
  x: Tensor;
  make: () => Layer;
  want: Tensor;
  reduction: number;
}

/** Shapes named by how the split cuts them: by rows, by column panels (few rows), by bands, by batch. */
function cases(): Case[] {
  const random = rng(7);
  const out: Case[] = [];
  const pw = (label: string, shape: number[], cout: number) => {
    const x = randomTensor(random, shape);
    const filter = randomTensor(random, [1, 1, shape[3], cout]);
    const options = { bias: randomArray(random, cout), activation: "relu6" as const };
    out.push({
      label,
      kind: P.GEMM,
      x,
      make: () => createPointwiseConv2d(filter, options),
      want: reference.pointwiseConv2d(x, filter, options),
      reduction: shape[3],
    });
  };
  pw("gemm split by rows (56x56x64 -> 96)", [1, 56, 56, 64], 96);
  pw("gemm split by rows and panels (7x7x512 -> 1000, tails)", [1, 7, 7, 512], 1000);
  pw("gemm of one row split by panels (1x1x1280 -> 1001)", [1, 1, 1, 1280], 1001);
  pw("gemm over a batch (2x14x14x96 -> 200)", [2, 14, 14, 96], 200);
  for (const [k, s] of [
    [3, 1],
    [3, 2],
    [5, 1],
    [7, 1],
  ]) {
    const x = randomTensor(random, [2, 40, 40, 67]);
    const filter = randomTensor(random, [k, k, 67, 1]);
    const options = {
      strides: s,
      padding: "same" as const,
      bias: randomArray(random, 67),
      activation: "relu" as const,
    };
    out.push({
      label: `depthwise ${k}x${k} s${s} split by rows over a batch of 2`,
      kind: P.DWCONV,
      x,
      make: () => createDepthwiseConv2d(filter, options),
      want: reference.depthwiseConv2d(x, filter, options),
      reduction: k * k,
    });
  }
  {
    const x = randomTensor(random, [2, 57, 43, 3]);
    const filter = randomTensor(random, [3, 3, 3, 32]);
    const options = {
      strides: 2,
      padding: "same" as const,
      bias: randomArray(random, 32),
      activation: "relu6" as const,
    };
    out.push({
      label: "conv2d 3x3 s2 split by output rows over a batch of 2",
      kind: P.CONV,
      x,
      make: () => createConv2d(filter, options),
      want: reference.conv2d(x, filter, options),
      reduction: 27,
    });
  }
  {
    const x = randomTensor(random, [2, 30, 30, 48]);
    const dw = randomTensor(random, [3, 3, 48, 1]);
    const pwf = randomTensor(random, [48, 80]);
    const options = { padding: "same" as const, bias: randomArray(random, 80), depthwiseActivation: "relu6" as const };
    out.push({
      label: "separable block split by bands over a batch of 2",
      kind: P.CHAIN,
      x,
      make: () => createSeparableConv2d(dw, pwf, options),
      want: reference.separableConv2d(x, dw, pwf, options),
      reduction: 9 * 48,
    });
  }
  return out;
}

for (const build of SIMD_BUILDS) {
  describe(`2 threads on ${build}`, () => {
    const all = cases();
    const single = new Map<string, Float32Array>();

    beforeAll(async () => {
      await init({ backend: build, threads: 1 });
      for (const c of all) {
        const layer = c.make();
        single.set(c.label, new Float32Array(layer.run(c.x).data));
        layer.dispose();
      }
      await init({ backend: build, threads: 2 });
    });
    afterAll(() => init({ backend: build, threads: 1 }));

    it("threads() reports 2 threads", () => {
      expect(threads()).toEqual({ count: 2, requested: 2, reason: "1 worker thread(s) and the calling thread" });
    });

    for (const c of all) {
      it(`${c.label}: shared among the threads, bit-identical to one thread`, () => {
        const layer = c.make();
        const before = jobs(c.kind);
        const got = layer.run(c.x);
        layer.dispose();
        // Whether the worker took items of this one call depends on the OS scheduler; that it
        // takes part at all is checked on the model below.
        expect(jobs(c.kind), "calls shared among the threads").toBeGreaterThan(before);
        const want = single.get(c.label)!;
        expect(got.data.length).toBe(want.length);
        let differing = 0;
        for (let i = 0; i < want.length; i++) if (!Object.is(got.data[i], want[i])) differing++;
        expect(differing, "outputs that differ from one thread's").toBe(0);
        expectClose(got, c.want, c.reduction, c.label);
      });
    }

    it("MobileNetV2 (nsfwjs weights): predict on 2 threads equals 1 thread bit for bit", async () => {
      const artifacts = mobileNetV2Artifacts();
      const x = randomTensor(rng(3), [1, 224, 224, 3]);
      await init({ backend: build, threads: 1 });
      const one = loadLayersModel(artifacts);
      const want = new Float32Array(one.predict(x).data);
      one.dispose();
      await init({ backend: build, threads: 2 });
      const two = loadLayersModel(artifacts);
      const before = workerItems();
      let got = two.predict(x);
      for (let i = 0; i < 3; i++) got = two.predict(x);
      expect(workerItems(), "items run on the worker over 4 predicts").toBeGreaterThan(before);
      two.dispose();
      expect(Array.from(got.data)).toEqual(Array.from(want));
    });
  });
}

describe("rows per item of a fused chain (src/threads/split.ts)", () => {
  it("balances the busiest thread first, then takes the most items, never below a band", () => {
    // 28 rows, 2 threads, bands of 4: 4 items of 7 (14 rows each), not 7 items of 4 (16 and 12).
    expect(rowsPerItem(28, 2, 4, 4)).toBe(7);
    // 7 rows cannot split evenly: 2 items of 4 and 3, not 1-row items.
    expect(rowsPerItem(7, 2, 4, 4)).toBe(4);
    // 56 rows: 8 items of 7 (late starters still get items).
    expect(rowsPerItem(56, 2, 4, 4)).toBe(7);
    // One item per thread (a chain with an expand stage): halves.
    expect(rowsPerItem(28, 2, 4, 1)).toBe(14);
    // Fewer rows than threads: one row each.
    expect(rowsPerItem(3, 4, 4, 4)).toBe(1);
  });
});

describe("one thread, and why", () => {
  afterAll(() => init({ threads: 1 }));

  it("'auto' takes min(4, ceil(cores / 2)) threads", async () => {
    await init({ backend: "simd" });
    const expected = Math.min(4, Math.ceil(availableParallelism() / 2));
    expect(threads().count).toBe(expected);
    expect(threads().requested).toBe("auto");
    if (expected === 1) expect(threads().reason).toMatch(/'auto' takes min\(4, ceil\(cores \/ 2\)\) threads/);
  });

  it("the scalar build, the js backend and initSync run one thread with the reason", async () => {
    await init({ backend: "scalar", threads: 2 });
    expect(threads()).toEqual({ count: 1, requested: 2, reason: "the scalar build runs on one thread" });
    await init({ backend: "js", threads: 2 });
    expect(threads().count).toBe(1);
    expect(threads().reason).toBe("the js backend runs on one thread");
    initSync({ backend: "simd", threads: 2 });
    expect(threads().count).toBe(1);
    expect(threads().reason).toMatch(/^initSync runs on one thread/);
  });

  it("a second init with threads: 1 leaves the pool: layers made then run on one thread", async () => {
    await init({ backend: "simd", threads: 2 });
    expect(activeRuntime("test")!.pool).not.toBeNull();
    await init({ backend: "simd", threads: 1 });
    expect(activeRuntime("test")!.pool).toBeNull();
    expect(threads()).toEqual({ count: 1, requested: 1, reason: "one thread was asked for" });
  });

  it("a Node process that used threads exits by itself (its workers are unref'd)", () => {
    const script = `
      const s = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)});
      await s.init({ threads: 2 });
      const layer = s.createPointwiseConv2d({ data: new Float32Array(64 * 64).fill(0.5), shape: [64, 64] });
      layer.run({ data: new Float32Array(56 * 56 * 64).fill(1), shape: [1, 56, 56, 64] });
      console.log(s.threads().count);`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.signal, "killed by the timeout").toBeNull();
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("2");
    expect(result.status).toBe(0);
  });
});
