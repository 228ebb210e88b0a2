// Requests beyond wasm's 4 GiB: a RangeError naming the op and the input, and nothing allocated
// (memory never shrinks, so growing first and failing later would leak the growth for good).
// The all-or-nothing cases fill a fresh instance's memory to near 4 GiB with one untouched
// block: the engine only reserves those pages, so this costs address space, not RAM.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init, reference } from "../src/index.js";
import { activeRuntime } from "../src/init.js";
import type { Heap } from "../src/memory.js";
import { type OpCase, oneShot, prepare, reduction, referenceOf } from "./cases.js";
import { expectClose, randomTensor, rng, WASM_BUILDS } from "./helpers.js";

const FOUR_GIB = 2 ** 32;

function heap(): Heap {
  return activeRuntime("test")!.heap;
}

/** Runs fn, which must throw a RangeError matching `message`, and checks no memory was taken. */
function expectNothingAllocated(fn: () => unknown, message: RegExp): void {
  const { byteLength, usedBytes } = heap();
  expect(fn).toThrow(RangeError);
  expect(fn).toThrow(message);
  expect(heap().byteLength, "memory did not grow").toBe(byteLength);
  expect(heap().usedBytes, "no block is held").toBe(usedBytes);
}

const random = rng(41);
/** Small weights for every op; padding 20,000 makes each output tens of GB. */
const CASES: OpCase[] = [
  { op: "depthwise", filter: randomTensor(random, [3, 3, 4, 2]), options: { padding: 20_000 } },
  { op: "pointwise", filter: randomTensor(random, [4, 6]), options: { padding: 20_000 } },
  { op: "conv", filter: randomTensor(random, [3, 3, 4, 6]), options: { padding: 20_000 } },
  {
    op: "separable",
    filter: randomTensor(random, [3, 3, 4, 1]),
    pointwiseFilter: randomTensor(random, [4, 6]),
    options: { padding: 20_000 },
  },
];
const x = randomTensor(random, [1, 5, 5, 4]);

for (const build of WASM_BUILDS) {
  describe(`outputs beyond 4 GiB on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    it("one-shot and prepared: RangeError, memory unchanged, the instance still computes", () => {
      for (const c of CASES) {
        expectNothingAllocated(() => oneShot(c, x), /x\.shape \[1, 5, 5, 4\] and its output .* must fit in/);
        const layer = prepare(c);
        expectNothingAllocated(() => layer.run(x), /x\.shape \[1, 5, 5, 4\] and its output .* must fit in/);
        layer.dispose();
        const small = { ...c, options: { padding: 1 } };
        expectClose(oneShot(small, x), referenceOf(small, x), reduction(small), `${c.op} afterwards`);
      }
    });
  });
}

describe("all or nothing near the 4 GiB limit (fresh simd instance)", () => {
  /** Room left after the filler: 1 MiB of input fits, input plus output does not. */
  const ROOM = 1.5 * 2 ** 20;
  let filler = 0;

  beforeAll(async () => {
    // A module given as bytes gets its own instance, so the filler never reaches other tests.
    await init({ wasm: readFileSync("dist/wasm/simd.wasm") });
    const probe = heap().alloc(2 ** 20, "test probe");
    heap().release(probe);
    filler = heap().alloc(FOUR_GIB - ROOM - probe, "test filler");
    expect(filler, "the filler starts where the probe did").toBe(probe);
  });

  afterAll(async () => {
    heap().release(filler);
    await init({ backend: "simd" });
  });

  it("a re-plan whose input fits but input + output do not takes nothing", () => {
    const filter = randomTensor(random, [64, 64]);
    const layer = prepare({ op: "pointwise", filter, options: {} });
    const big = randomTensor(random, [1, 64, 64, 64]); // 1 MiB in, 1 MiB out
    expectNothingAllocated(
      () => layer.run(big),
      /^createPointwiseConv2d: the input, output and scratch buffers for x\.shape \[1, 64, 64, 64\] need \d+ bytes; with \d+ bytes already in use, WebAssembly's 4 GiB memory cannot hold them$/,
    );
    const smaller = randomTensor(random, [1, 16, 16, 64]);
    expectClose(layer.run(smaller), reference.pointwiseConv2d(smaller, filter), 64, "after the failed re-plan");
    layer.dispose();
  });

  it("a separable layer whose depthwise weights fit but pointwise weights do not takes nothing", () => {
    const c: OpCase = {
      op: "separable",
      filter: randomTensor(random, [3, 3, 64, 1]),
      pointwiseFilter: randomTensor(random, [64, 8192]), // 2 MiB packed
      options: {},
    };
    expectNothingAllocated(
      () => prepare(c),
      /^createSeparableConv2d: the packed weights need \d+ bytes; with \d+ bytes already in use, WebAssembly's 4 GiB memory cannot hold them$/,
    );
  });
});
