// Layers, models and tensors dropped without dispose() give their wasm memory back once the
// engine collects them (src/reclaim.ts), and nothing is freed twice or while still reachable.
// Collection is forced here (--expose-gc); the registry's callbacks run on a later task.

import v8 from "node:v8";
import vm from "node:vm";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createPointwiseConv2d,
  createSeparableConv2d,
  createTensor,
  init,
  loadLayersModel,
  type ModelArtifacts,
} from "../src/index.js";
import { activeRuntime } from "../src/init.js";
import type { Heap } from "../src/memory.js";
import { randomTensor, rng, WASM_BUILDS } from "./helpers.js";
import { artifactsOf, seedWeights } from "./model-helpers.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** Collects garbage and lets the finalization callbacks run (they are queued as tasks). */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

function heap(): Heap {
  return activeRuntime("test")!.heap;
}

const MIB = 1024 * 1024;

/** A 1024 -> 1024 pointwise layer: 4 MiB of packed weights. */
const bigFilter = { data: new Float32Array(1024 * 1024).fill(0.5), shape: [1024, 1024] };
const smallInput = { data: new Float32Array(2 * 2 * 1024).fill(1), shape: [1, 2, 2, 1024] };

/** Creates, runs and drops a layer; nothing refers to it afterwards. */
function dropBigLayer(): void {
  const layer = createPointwiseConv2d(bigFilter);
  layer.run(smallInput);
}

let artifacts: ModelArtifacts;
beforeAll(async () => {
  const L = tfl.layers;
  const input = tfl.input({ shape: [8, 8, 4] });
  let y = L.depthwiseConv2d({ kernelSize: 3, padding: "same" }).apply(input) as tfl.SymbolicTensor;
  y = L.conv2d({ filters: 16, kernelSize: 1, activation: "relu" }).apply(y) as tfl.SymbolicTensor;
  y = L.globalAveragePooling2d({}).apply(y) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: y });
  seedWeights(model, 5);
  artifacts = await artifactsOf(model);
});

describe("800 dropped 4 MiB layers", () => {
  beforeAll(() => init({ backend: "simd" }));

  it("are reclaimed: memory stays bounded and every block returns", async () => {
    await collect();
    const baseline = heap().usedBytes;
    let largest = 0;
    for (let i = 0; i < 800; i++) {
      dropBigLayer();
      largest = Math.max(largest, heap().usedBytes - baseline);
      if (i % 20 === 19) await collect();
    }
    await collect();
    // Without reclaiming, the 800 layers held 3.2 GiB (wasm memory filled to 4 GiB).
    expect(largest, "bytes held at the most").toBeLessThan(256 * MIB);
    expect(heap().byteLength, "wasm memory").toBeLessThan(512 * MIB);
    expect(heap().usedBytes, "bytes held after collection").toBe(baseline);
  });
});

for (const build of WASM_BUILDS) {
  describe(`reclaiming on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    it("a dropped prepared layer frees its weights and buffers", async () => {
      await collect();
      const baseline = heap().usedBytes;
      ((): void => {
        const r = rng(1);
        const layer = createSeparableConv2d(randomTensor(r, [3, 3, 8, 1]), randomTensor(r, [8, 16]));
        layer.run(randomTensor(r, [1, 9, 9, 8]));
      })();
      expect(heap().usedBytes).toBeGreaterThan(baseline);
      await collect();
      expect(heap().usedBytes).toBe(baseline);
    });

    it("a dropped model frees its weights and planned buffers", async () => {
      await collect();
      const baseline = heap().usedBytes;
      ((): void => {
        const model = loadLayersModel(artifacts);
        model.predict(randomTensor(rng(2), [1, 8, 8, 4]));
      })();
      expect(heap().usedBytes).toBeGreaterThan(baseline);
      await collect();
      expect(heap().usedBytes).toBe(baseline);
    });

    it("a dropped tensor is freed, but not while a view of its data is kept", async () => {
      await collect();
      const baseline = heap().usedBytes;
      const kept = ((): Float32Array => createTensor([1, 4, 4, 2], new Float32Array(32).fill(7)).data)();
      ((): void => {
        createTensor([1, 4, 4, 2]);
      })();
      await collect();
      // The tensor behind `kept` is gone, its block is not: nothing else may be placed there.
      expect(heap().usedBytes).toBeGreaterThan(baseline);
      const other = createTensor([1, 4, 4, 2], new Float32Array(32).fill(-1));
      expect(Array.from(kept)).toEqual(new Array(32).fill(7));
      other.dispose();
      expect(kept.length).toBe(32);
    });

    it("after dispose(), collection frees nothing a second time", async () => {
      await collect();
      const baseline = heap().usedBytes;
      ((): void => {
        createTensor([1, 2, 2, 4]).dispose();
        createPointwiseConv2d(randomTensor(rng(3), [4, 4])).dispose();
        loadLayersModel(artifacts).dispose();
      })();
      // The blocks just freed are handed out again; collecting their first owners must leave them.
      const reused = createTensor([1, 2, 2, 4], new Float32Array(16).fill(3));
      const layer = createPointwiseConv2d(randomTensor(rng(3), [4, 4]));
      const held = heap().usedBytes;
      await collect();
      expect(heap().usedBytes).toBe(held);
      expect(Array.from(reused.data)).toEqual(new Array(16).fill(3));
      expect(layer.run(randomTensor(rng(4), [1, 1, 1, 4])).shape).toEqual([1, 1, 1, 4]);
      reused.dispose();
      layer.dispose();
      expect(heap().usedBytes).toBe(baseline);
    });
  });
}
