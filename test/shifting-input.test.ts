// Inputs that change between reads: a getter on data or shape, a proxy shape, a Float32Array
// subclass that misreports its length. Validation reads a tensor once and the copy into wasm
// memory may read it again, so what is copied or pointed at is sized by the plan and checked
// there: a RangeError, never a write past a block into other layers' weights or buffers.

import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createDepthwiseConv2d,
  createPointwiseConv2d,
  createTensor,
  depthwiseConv2d,
  init,
  type Layer,
  loadLayersModel,
  reference,
  type Tensor,
} from "../src/index.js";
import { expectClose, randomTensor, rng, WASM_BUILDS } from "./helpers.js";
import { artifactsOf, seedWeights } from "./model-helpers.js";

const random = rng(303);
const filter = randomTensor(random, [3, 3, 1, 1]);
const small = randomTensor(random, [1, 2, 2, 1]);
const probe = randomTensor(random, [1, 3, 3, 1]);

/** Data that is `first` on the first read and `later` on every read after it. */
function shifting(first: Float32Array, later: Float32Array, shape: number[]): Tensor {
  let reads = 0;
  return {
    get data() {
      reads++;
      return reads === 1 ? first : later;
    },
    shape,
  };
}

class MisreportedLength extends Float32Array {
  override get length(): number {
    return 4;
  }
  override get byteLength(): number {
    return 16;
  }
}

for (const build of WASM_BUILDS) {
  describe(`inputs that change between reads on ${build}`, () => {
    let victim: Layer;
    let bystander: Layer;
    let want: Tensor;

    beforeAll(async () => {
      await init({ backend: build });
      victim = createDepthwiseConv2d(filter, { padding: "same" });
      victim.run(small); // plans a 4-float input block
      bystander = createDepthwiseConv2d(filter, { padding: "same" }); // packed right after it
      want = reference.depthwiseConv2d(probe, filter, { padding: "same" });
      expectClose(bystander.run(probe), want, 9, "before");
    });

    it("x.data that grows after validation is refused; the next layer's weights are intact", () => {
      const hostile = shifting(small.data, new Float32Array(256).fill(7), [1, 2, 2, 1]);
      expect(() => victim.run(hostile)).toThrow(
        /createDepthwiseConv2d: x\.data\.length \(256\) must equal the size planned for it \(4\)/,
      );
      expectClose(bystander.run(probe), want, 9, "bystander after");
      expectClose(victim.run(small), reference.depthwiseConv2d(small, filter, { padding: "same" }), 9, "victim");
    });

    it("the same through a one-shot call and a first run", () => {
      const hostile = () => shifting(small.data, new Float32Array(256).fill(7), [1, 2, 2, 1]);
      expect(() => depthwiseConv2d(hostile(), filter, { padding: "same" })).toThrow(RangeError);
      const fresh = createPointwiseConv2d(randomTensor(random, [1, 3]));
      expect(() => fresh.run(hostile())).toThrow(/createPointwiseConv2d: x\.data\.length \(256\) must equal/);
      fresh.dispose();
      expectClose(bystander.run(probe), want, 9, "bystander after");
    });

    it("a Float32Array subclass reporting a smaller length is measured by what the engine copies", () => {
      expect(() => victim.run({ data: new MisreportedLength(256).fill(5), shape: [1, 2, 2, 1] })).toThrow(
        /createDepthwiseConv2d: x\.data\.length \(256\) must equal the product of x\.shape \[1, 2, 2, 1\] \(4\)/,
      );
      expectClose(bystander.run(probe), want, 9, "bystander after");
    });

    it("a Proxy of a Float32Array is named as a bad x.data, not left to the engine", () => {
      const proxy = new Proxy(small.data, {});
      expect(() => victim.run({ data: proxy, shape: [1, 2, 2, 1] })).toThrow(
        /createDepthwiseConv2d: x\.data \(.*\) must be a Float32Array/,
      );
    });

    it("a bias or filter misreporting its length is measured by what is copied", () => {
      expect(() => createPointwiseConv2d(randomTensor(random, [1, 4]), { bias: new MisreportedLength(64) })).toThrow(
        /createPointwiseConv2d: options\.bias\.length \(64\) must equal the output channels \(4\)/,
      );
      expect(() => createPointwiseConv2d({ data: new MisreportedLength(64), shape: [1, 4] })).toThrow(
        /createPointwiseConv2d: filter\.data\.length \(64\) must equal the product of filter\.shape \[1, 4\] \(4\)/,
      );
      expectClose(bystander.run(probe), want, 9, "bystander after");
    });

    it("a shape whose later reads differ is planned from one read and checked", () => {
      let reads = 0;
      const shape = new Proxy([1, 2, 2, 1], {
        get(target, key, receiver) {
          if (key === "1" || key === "2") reads++;
          // The first full pass (checkTensor) sees 2x2; later ones 16x16 (64x the data).
          return (key === "1" || key === "2") && reads > 2 ? 16 : Reflect.get(target, key, receiver);
        },
      });
      expect(() => victim.run({ data: small.data, shape })).toThrow(RangeError);
      expectClose(bystander.run(probe), want, 9, "bystander after");
    });

    it("in place: a tensor's shape edited to claim more elements than its block is refused", () => {
      const x = createTensor([1, 2, 2, 1], small.data);
      const out = createTensor([1, 2, 2, 1]);
      victim.run(x, out);
      let reads = 0;
      // out.shape passes checkOut on its first reads, then claims 3x3 (more than out's block).
      const liar = new Proxy([1, 2, 2, 1], {
        get(target, key, receiver) {
          if (key === "1") reads++;
          return key === "1" && reads > 2 ? 3 : Reflect.get(target, key, receiver);
        },
      });
      const bigger = createTensor([1, 3, 3, 1], probe.data);
      (bigger as { shape: number[] }).shape = liar;
      expect(() => victim.run(bigger, out)).toThrow(RangeError);
      expectClose(bystander.run(probe), want, 9, "bystander after");
      for (const t of [x, out, bigger]) t.dispose();
    });
  });
}

describe("a model's input that changes between reads", () => {
  it("is refused; the model still predicts", async () => {
    await init({ backend: "simd" });
    const tfModel = tfl.sequential({
      layers: [tfl.layers.conv2d({ inputShape: [4, 4, 2], filters: 3, kernelSize: 3, padding: "same" })],
    });
    seedWeights(tfModel, 5);
    const model = loadLayersModel(await artifactsOf(tfModel));
    const x = randomTensor(random, [1, 4, 4, 2]);
    const before = model.predict(x);
    expect(() => model.predict(shifting(x.data, new Float32Array(4096).fill(3), [1, 4, 4, 2]))).toThrow(
      /predict: x\.data\.length \(4096\) must equal the size planned for it \(32\)/,
    );
    expect(model.predict(x).data).toEqual(before.data);
    const out = { data: new Float32Array(48), shape: [1, 4, 4, 3] };
    const overlapping = { data: new Float32Array(out.data.buffer, 0, 32), shape: [1, 4, 4, 2] };
    expect(() => model.predict(overlapping, out)).toThrow(/predict: out\.data .* must not overlap x\.data/);
    model.dispose();
  });
});
