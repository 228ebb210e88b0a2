// createTensor: tensors in a build's wasm memory that prepared layers read and write in place.
// Same results as ordinary tensors, across memory growth, with nothing allocated per run, and
// the ordinary errors for misuse (disposed tensors, aliasing, bad shapes).

import { beforeAll, describe, expect, it } from "vitest";
import {
  createDepthwiseConv2d,
  createPointwiseConv2d,
  createSeparableConv2d,
  createTensor,
  depthwiseConv2d,
  init,
  reference,
} from "../src/index.js";
import { activeRuntime } from "../src/init.js";
import { ALL_BACKENDS, expectClose, randomArray, randomTensor, rng, WASM_BUILDS } from "./helpers.js";

const random = rng(77);
const dwFilter = randomTensor(random, [3, 3, 24, 1]);
const pwFilter = randomTensor(random, [24, 40]);
const options = { padding: "same" as const, bias: randomArray(random, 40), activation: "relu6" as const };

/** A Float32Array that reports 8 elements whatever it holds. */
class EightLong extends Float32Array {
  override get length(): number {
    return 8;
  }
}

for (const build of ALL_BACKENDS) {
  describe(`createTensor on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    it("holds zeros or a copy of data, with its own shape array", () => {
      const shape = [1, 2, 3, 4];
      expect(Array.from(createTensor(shape).data)).toEqual(new Array(24).fill(0));
      const data = randomArray(random, 24);
      const t = createTensor(shape, data);
      expect(t.data).toEqual(data);
      expect(t.data).not.toBe(data);
      expect(t.shape).toEqual(shape);
      expect(t.shape).not.toBe(shape);
      t.dispose();
    });

    it("chained layers in place give the results of ordinary tensors, bit for bit", () => {
      const dw = createDepthwiseConv2d(dwFilter, { strides: 2, padding: "same", activation: "relu" });
      const pw = createPointwiseConv2d(pwFilter, options);
      const x = randomTensor(random, [2, 13, 11, 24]);
      const mid = dw.run(x);
      const want = pw.run(mid);
      const xIn = createTensor(x.shape, x.data);
      const midIn = createTensor(mid.shape);
      const yIn = createTensor(want.shape);
      expect(dw.run(xIn, midIn)).toBe(midIn);
      expect(pw.run(midIn, yIn)).toBe(yIn);
      expect(yIn.data).toEqual(want.data);
      // Mixed: in-place input with an ordinary out, and the other way round.
      const out = { data: new Float32Array(want.data.length), shape: want.shape };
      expect(pw.run(midIn, out).data).toEqual(want.data);
      yIn.data.fill(0);
      expect(pw.run(mid, yIn).data).toEqual(want.data);
      expect(pw.run(midIn).data).toEqual(want.data);
      for (const t of [xIn, midIn, yIn]) t.dispose();
      dw.dispose();
      pw.dispose();
    });

    it("the separable block in place matches the reference; a second shape re-plans", () => {
      const layer = createSeparableConv2d(dwFilter, pwFilter, options);
      for (const shape of [
        [1, 9, 7, 24],
        [3, 4, 5, 24],
        [1, 9, 7, 24],
      ]) {
        const x = randomTensor(random, shape);
        const want = reference.separableConv2d(x, dwFilter, pwFilter, options);
        const xIn = createTensor(shape, x.data);
        const yIn = createTensor(want.shape, new Float32Array(want.data.length).fill(Number.NaN));
        layer.run(xIn, yIn);
        expectClose(yIn, want, 9 * 24, `${build} ${shape}`);
        xIn.dispose();
        yIn.dispose();
      }
      layer.dispose();
    });

    it("data stays readable after memory grows; results computed before growth are intact", () => {
      const layer = createPointwiseConv2d(pwFilter, options);
      const x = randomTensor(random, [1, 6, 6, 24]);
      const want = reference.pointwiseConv2d(x, pwFilter, options);
      const xIn = createTensor(x.shape, x.data);
      const yIn = createTensor(want.shape);
      layer.run(xIn, yIn);
      const big = createTensor([1, 512, 512, 8]); // 8 MiB: grows memory, detaching old views
      expectClose(yIn, want, 24, `${build} after growth`);
      expect(xIn.data).toEqual(x.data);
      layer.run(xIn, yIn);
      expectClose(yIn, want, 24, `${build} run after growth`);
      big.dispose();
      xIn.dispose();
      yIn.dispose();
      layer.dispose();
    });

    it("misuse throws naming the argument: disposed tensors, aliasing, bad shapes", () => {
      const layer = createDepthwiseConv2d(dwFilter, { padding: "same" });
      const x = createTensor([1, 4, 4, 24], randomArray(random, 384));
      expect(() => layer.run(x, x)).toThrow(/createDepthwiseConv2d: out\.data .* must not overlap x\.data/);
      const gone = createTensor([1, 4, 4, 24]);
      gone.dispose();
      gone.dispose(); // harmless twice
      expect(() => gone.data).toThrow(TypeError);
      expect(() => layer.run(gone)).toThrow(/createDepthwiseConv2d: x \(a WasmTensor\) must be a live tensor/);
      expect(() => layer.run(x, gone)).toThrow(/createDepthwiseConv2d: out \(a WasmTensor\) must be a live tensor/);
      expect(() => depthwiseConv2d(gone, dwFilter)).toThrow(/depthwiseConv2d: x .* must be a live tensor/);
      expect(() => createTensor([1, 4, 4] as number[])).toThrow(/createTensor: shape \(\[1, 4, 4\]\) must have 4/);
      expect(() => createTensor([1, 0, 4, 4])).toThrow(/createTensor: shape\[1\] \(0\) must be a positive integer/);
      expect(() => createTensor([1, 2, 2, 2], new Float32Array(7))).toThrow(
        /createTensor: data\.length \(7\) must equal the product of shape \[1, 2, 2, 2\] \(8\)/,
      );
      expect(() => createTensor([1, 2, 2, 2], [1, 2] as unknown as Float32Array)).toThrow(TypeError);
      // Measured by what would be copied, before anything is allocated.
      const used = activeRuntime("test")?.heap.usedBytes;
      expect(() => createTensor([1, 2, 2, 2], new EightLong(64))).toThrow(
        /createTensor: data\.length \(64\) must equal the product of shape \[1, 2, 2, 2\] \(8\)/,
      );
      expect(activeRuntime("test")?.heap.usedBytes).toBe(used);
      expect(() => createTensor([1, 65536, 65536, 1])).toThrow(
        /createTensor: shape .* must fit in WebAssembly's 4 GiB/,
      );
      // The instance still computes.
      const want = reference.depthwiseConv2d({ data: x.data.slice(), shape: x.shape }, dwFilter, { padding: "same" });
      expectClose(layer.run(x), want, 9, `${build} after errors`);
      x.dispose();
      layer.dispose();
    });
  });
}

for (const build of WASM_BUILDS) {
  describe(`in place on ${build}: the steady state`, () => {
    beforeAll(() => init({ backend: build }));

    it("allocates no block and never grows memory; the layer holds no input or output block", () => {
      const heap = activeRuntime("test")!.heap;
      const start = heap.usedBytes;
      const layer = createSeparableConv2d(dwFilter, pwFilter, options);
      const xIn = createTensor([1, 20, 20, 24], randomArray(random, 20 * 20 * 24));
      const yIn = createTensor([1, 20, 20, 40]);
      const before = heap.usedBytes;
      layer.run(xIn, yIn);
      const inPlace = heap.usedBytes - before;
      // The same layer on ordinary tensors also takes an input and an output block (each with
      // its 16 bytes of slack): in place, only the scratch is planned.
      const plain = createSeparableConv2d(dwFilter, pwFilter, options);
      const packed = heap.usedBytes;
      plain.run({ data: xIn.data.slice(), shape: xIn.shape });
      expect(heap.usedBytes - packed - inPlace).toBe(20 * 20 * 24 * 4 + 16 + 20 * 20 * 40 * 4 + 16);
      plain.dispose();
      const { byteLength, usedBytes } = heap;
      for (let i = 0; i < 20; i++) layer.run(xIn, yIn);
      expect(heap.byteLength).toBe(byteLength);
      expect(heap.usedBytes).toBe(usedBytes);
      layer.dispose();
      xIn.dispose();
      yIn.dispose();
      expect(heap.usedBytes, "every block returned").toBe(start);
    });

    it("a tensor of another build is an ordinary tensor there", async () => {
      const other = build === "simd" ? "scalar" : "simd";
      await init({ backend: other });
      const x = randomTensor(random, [1, 5, 5, 24]);
      const xOther = createTensor(x.shape, x.data);
      await init({ backend: build });
      const layer = createPointwiseConv2d(pwFilter, options);
      expectClose(layer.run(xOther), reference.pointwiseConv2d(x, pwFilter, options), 24, `${build} from ${other}`);
      const y = createTensor([1, 5, 5, 40]);
      layer.run(xOther, y);
      expectClose(y, reference.pointwiseConv2d(x, pwFilter, options), 24, `${build} from ${other} into ${build}`);
      layer.dispose();
      y.dispose();
      xOther.dispose();
    });
  });
}

for (const build of WASM_BUILDS) {
  describe(`plain tensors around a tensor's data on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    /** Enough floats that a fresh block for them grows memory. */
    function grown(): number {
      const heap = activeRuntime("test")!.heap;
      return Math.ceil((heap.byteLength + 2 ** 20) / 4 / 64) * 64;
    }

    it("createTensor(shape, other.data) copies even when the allocation grows memory; nothing leaks", () => {
      const floats = grown();
      const a = createTensor([1, floats / 64, 16, 4], randomArray(random, floats));
      const want = a.data.slice();
      const heap = activeRuntime("test")!.heap;
      const used = heap.usedBytes;
      const b = createTensor(a.shape, a.data);
      expect(heap.byteLength, "the copy grew memory").toBeGreaterThan(want.length * 4);
      expect(b.data).toEqual(want);
      b.dispose();
      expect(heap.usedBytes).toBe(used);
      a.dispose();
    });

    it("a layer's first run and a one-shot call on such a view, when they grow memory, compute correctly", () => {
      const floats = grown();
      const c = 4;
      const shape = [1, floats / (16 * c), 16, c];
      const t = createTensor(shape, randomArray(random, floats));
      const filter = randomTensor(random, [3, 3, c, 1]);
      const want = reference.depthwiseConv2d({ data: t.data.slice(), shape }, filter, { padding: "same" });
      const layer = createDepthwiseConv2d(filter, { padding: "same" });
      expectClose(layer.run({ data: t.data, shape }), want, 9, `${build} layer`);
      expectClose(depthwiseConv2d({ data: t.data, shape }, filter, { padding: "same" }), want, 9, `${build} one-shot`);
      layer.dispose();
      t.dispose();
    });

    it("a tensor's internals cannot be re-pointed from outside", () => {
      const layer = createPointwiseConv2d(pwFilter, options);
      const x = randomTensor(random, [1, 3, 3, 24]);
      const victim = createTensor([1, 3, 3, 40], new Float32Array(360).fill(9));
      const out = createTensor([1, 3, 3, 40]);
      Object.assign(out, { ptr: 8, heap: null, length: 1 << 20 });
      layer.run(x, out);
      expectClose(out, reference.pointwiseConv2d(x, pwFilter, options), 24, `${build} out`);
      expect(victim.data.every((v) => v === 9)).toBe(true);
      for (const t of [victim, out]) t.dispose();
      layer.dispose();
    });
  });
}

describe("createTensor on the js backend keeps the plain contract", () => {
  it("copies into a plain Float32Array whatever the subclass's slice() returns", async () => {
    await init({ backend: "js" });
    class OddSpecies extends Float32Array {
      static get [Symbol.species]() {
        return class extends Float32Array {
          constructor() {
            super(100);
          }
        };
      }
    }
    const t = createTensor([1, 1, 1, 4], OddSpecies.of(1, 2, 3, 4));
    expect(t.data.constructor).toBe(Float32Array);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
  });
});
