// Prepared layers and init: run / run(x, out) / dispose, re-planning on new shapes, memory
// growth, steady state without allocation or growth, and the ways of loading a build.

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  backend,
  createConv2d,
  createDepthwiseConv2d,
  createPointwiseConv2d,
  createSeparableConv2d,
  init,
  type Layer,
  reference,
  type Tensor,
} from "../src/index.js";
import { activeRuntime } from "../src/init.js";
import { ALL_BACKENDS, expectClose, randomArray, randomTensor, rng, WASM_BUILDS } from "./helpers.js";

const random = rng(7);
const dwFilter = randomTensor(random, [3, 3, 8, 1]);
const pwFilter = randomTensor(random, [8, 12]);
const sepOptions = { padding: "same" as const, bias: randomArray(random, 12), depthwiseActivation: "relu6" as const };

function separable(): Layer {
  return createSeparableConv2d(dwFilter, pwFilter, sepOptions);
}

function expectSeparable(got: Tensor, x: Tensor, label: string): void {
  expectClose(got, reference.separableConv2d(x, dwFilter, pwFilter, sepOptions), 72, label);
}

for (const build of ALL_BACKENDS) {
  describe(`prepared layers on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    it("run(x) returns a new tensor, run(x, out) fills and returns out", () => {
      const layer = separable();
      const x = randomTensor(random, [2, 9, 7, 8]);
      const a = layer.run(x);
      const out = { data: new Float32Array(a.data.length), shape: [2, 9, 7, 12] };
      expect(layer.run(x, out)).toBe(out);
      expect(out.data).toEqual(a.data);
      expect(layer.run(x).data).not.toBe(a.data);
      expectSeparable(a, x, build);
      layer.dispose();
    });

    it("re-plans when the input shape changes, and back", () => {
      const layer = createDepthwiseConv2d(dwFilter, { strides: 2, padding: "same" });
      for (const shape of [
        [1, 5, 5, 8],
        [3, 17, 4, 8],
        [1, 1, 1, 8],
        [1, 5, 5, 8],
      ]) {
        const x = randomTensor(random, shape);
        expectClose(
          layer.run(x),
          reference.depthwiseConv2d(x, dwFilter, { strides: 2, padding: "same" }),
          9,
          `${build} ${shape}`,
        );
      }
      layer.dispose();
    });

    it("is a snapshot: editing the filter or bias after create changes nothing", () => {
      const filter = randomTensor(random, [8, 5]);
      const bias = randomArray(random, 5);
      const x = randomTensor(random, [1, 3, 3, 8]);
      const want = reference.pointwiseConv2d(x, filter, { bias });
      const layer = createPointwiseConv2d(filter, { bias });
      filter.data.fill(0);
      bias.fill(0);
      expectClose(layer.run(x), want, 8, build);
      layer.dispose();
    });

    it("throws on run after dispose; dispose twice is harmless", () => {
      const layer = separable();
      layer.dispose();
      layer.dispose();
      expect(() => layer.run(randomTensor(random, [1, 4, 4, 8]))).toThrow(/disposed/);
    });
  });
}

for (const build of WASM_BUILDS) {
  describe(`wasm memory on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    it("steady state run(x, out): same output object, no memory growth, identical bits", () => {
      const layer = separable();
      const x = randomTensor(random, [1, 28, 28, 8]);
      const out = { data: new Float32Array(28 * 28 * 12), shape: [1, 28, 28, 12] };
      layer.run(x, out);
      const first = out.data.slice();
      const heap = activeRuntime("test")!.heap;
      const size = heap.byteLength;
      for (let i = 0; i < 50; i++) expect(layer.run(x, out)).toBe(out);
      expect(heap.byteLength).toBe(size);
      expect(out.data).toEqual(first);
      layer.dispose();
    });

    it("memory growth from a new large layer leaves earlier layers and their weights intact", () => {
      const small = separable();
      const x = randomTensor(random, [1, 6, 6, 8]);
      const before = small.run(x);
      const heap = activeRuntime("test")!.heap;
      const size = heap.byteLength;
      const bigFilter = randomTensor(random, [1, 1, 64, 256]);
      const big = createConv2d(bigFilter);
      const bigX = randomTensor(random, [1, 64, 64, 64]);
      expectClose(big.run(bigX), reference.conv2d(bigX, bigFilter), 64, `${build} big`);
      expect(heap.byteLength).toBeGreaterThan(size);
      expect(small.run(x).data).toEqual(before.data);
      expectSeparable(small.run(x), x, `${build} after growth`);
      big.dispose();
      small.dispose();
    });

    it("freed blocks are reused: create/run/dispose cycles do not grow memory", () => {
      const heap = activeRuntime("test")!.heap;
      const x = randomTensor(random, [1, 10, 10, 8]);
      for (let i = 0; i < 20; i++) runAll(x);
      const size = heap.byteLength;
      for (let i = 0; i < 300; i++) runAll(x);
      expect(heap.byteLength).toBe(size);
    });
  });
}

function runAll(x: Tensor): void {
  for (const layer of [
    separable(),
    createDepthwiseConv2d(dwFilter),
    createPointwiseConv2d(pwFilter),
    createConv2d(randomTensor(random, [3, 3, 8, 4])),
  ]) {
    layer.run(x);
    layer.dispose();
  }
}

describe("init", () => {
  it("is idempotent and reports the build in use", async () => {
    await init();
    const first = backend();
    expect(["relaxed-simd", "simd"]).toContain(first); // this Node runs with relaxed SIMD enabled
    await init();
    expect(backend()).toBe(first);
    await init({ backend: "scalar" });
    expect(backend()).toBe("scalar");
  });

  it("layers keep the build they were created on after init switches builds", async () => {
    await init({ backend: "scalar" });
    const layer = separable();
    await init({ backend: "simd" });
    const x = randomTensor(random, [1, 5, 5, 8]);
    expectSeparable(layer.run(x), x, "scalar layer after switching");
    layer.dispose();
  });

  for (const build of WASM_BUILDS) {
    const file = `dist/wasm/${build}.wasm`;
    it(`loads ${file} as a Module, bytes, a file URL and a Response`, async () => {
      const bytes = readFileSync(file);
      const sources = [
        new WebAssembly.Module(bytes),
        bytes,
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        pathToFileURL(file),
        new Response(bytes, { headers: { "content-type": "application/wasm" } }),
      ];
      for (const wasm of sources) {
        await init({ wasm });
        expect(backend()).toBe(build);
        const x = randomTensor(random, [1, 4, 6, 8]);
        const layer = separable();
        expectSeparable(layer.run(x), x, `${build} from ${wasm.constructor.name}`);
        layer.dispose();
      }
    });
  }

  it("refuses a module of another build than the backend asked for", async () => {
    const wasm = readFileSync("dist/wasm/scalar.wasm");
    await expect(init({ wasm, backend: "simd" })).rejects.toThrow(
      /options.backend \("simd"\) must match options.wasm, which is the 'scalar' build/,
    );
  });
});
