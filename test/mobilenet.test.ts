// Every MobileNet v1/v2/v3 224 layer shape (bench/models/*.txt), the 7x7 depthwise layers of
// large_kernels.txt and every separable block, on every
// wasm build, against the reference. The reference runs once per shape; each build is compared.

import { beforeAll, describe, expect, it } from "vitest";
import { type LayerShape, readModels, separableBlocks } from "../bench/models.mjs";
import {
  type ConvOptions,
  createConv2d,
  createDepthwiseConv2d,
  createPointwiseConv2d,
  createSeparableConv2d,
  init,
  type Layer,
  reference,
  type Tensor,
} from "../src/index.js";
import { expectClose, randomArray, randomTensor, rng, WASM_BUILDS } from "./helpers.js";

interface Case {
  label: string;
  x: Tensor;
  reduction: number;
  create: () => Layer;
  want: Tensor;
}

function layerCase(layer: LayerShape, seed: number): Case {
  const random = rng(seed);
  const x = randomTensor(random, [1, layer.h, layer.w, layer.cin]);
  const options: ConvOptions = { strides: layer.stride, padding: layer.padding, activation: "relu6" };
  const label = `${layer.model} ${layer.name} ${layer.op} ${layer.h}x${layer.w}x${layer.cin} -> ${layer.cout}`;
  if (layer.op === "dw") {
    const filter = randomTensor(random, [layer.k, layer.k, layer.cin, 1]);
    options.bias = randomArray(random, layer.cin);
    const want = reference.depthwiseConv2d(x, filter, options);
    return { label, x, reduction: layer.k * layer.k, create: () => createDepthwiseConv2d(filter, options), want };
  }
  options.bias = randomArray(random, layer.cout);
  if (layer.op === "pw") {
    const filter = randomTensor(random, [layer.cin, layer.cout]);
    const want = reference.pointwiseConv2d(x, filter, options);
    return { label, x, reduction: layer.cin, create: () => createPointwiseConv2d(filter, options), want };
  }
  const filter = randomTensor(random, [layer.k, layer.k, layer.cin, layer.cout]);
  const want = reference.conv2d(x, filter, options);
  return { label, x, reduction: layer.k * layer.k * layer.cin, create: () => createConv2d(filter, options), want };
}

function blockCase(depthwise: LayerShape, pointwise: LayerShape, seed: number): Case {
  const random = rng(seed);
  const c = depthwise.cin;
  const x = randomTensor(random, [1, depthwise.h, depthwise.w, c]);
  const dwFilter = randomTensor(random, [depthwise.k, depthwise.k, c, 1]);
  const pwFilter = randomTensor(random, [c, pointwise.cout]);
  const options = {
    strides: depthwise.stride,
    padding: depthwise.padding,
    depthwiseBias: randomArray(random, c),
    depthwiseActivation: "relu6" as const,
    bias: randomArray(random, pointwise.cout),
  };
  const want = reference.separableConv2d(x, dwFilter, pwFilter, options);
  const label = `${depthwise.model} ${depthwise.name}+${pointwise.name} separable ${depthwise.h}x${depthwise.w}x${c} -> ${pointwise.cout}`;
  return {
    label,
    x,
    reduction: depthwise.k * depthwise.k * c,
    create: () => createSeparableConv2d(dwFilter, pwFilter, options),
    want,
  };
}

/** Unique shapes only: many MobileNet layers repeat. Data is made when a test runs. */
function cases(): { name: string; make: () => Case }[] {
  const seen = new Set<string>();
  const out: { name: string; make: () => Case }[] = [];
  for (const { model, layers } of readModels()) {
    for (const layer of layers) {
      // The Inception-sized standard convs of large_kernels.txt take seconds in the reference;
      // the conv tester covers their windows on small maps.
      if (!model.startsWith("mobilenet") && layer.op === "conv") continue;
      const key = JSON.stringify({ ...layer, model: 0, name: 0 });
      if (seen.has(key)) continue;
      seen.add(key);
      const seed = out.length + 1;
      out.push({ name: `${layer.model} ${layer.name} (${layer.op})`, make: () => layerCase(layer, seed) });
    }
    for (const { depthwise, pointwise } of separableBlocks(layers)) {
      const key = JSON.stringify({
        depthwise: { ...depthwise, model: 0, name: 0 },
        pointwise: { ...pointwise, model: 0, name: 0 },
      });
      if (seen.has(key)) continue;
      seen.add(key);
      const seed = out.length + 1;
      const name = `${depthwise.model} ${depthwise.name}+${pointwise.name} (separable)`;
      out.push({ name, make: () => blockCase(depthwise, pointwise, seed) });
    }
  }
  return out;
}

describe("MobileNet v1/v2 layer shapes on every build", () => {
  const all = cases();
  it("covers every layer and block of both models", () => {
    expect(all.length).toBeGreaterThan(40);
  });
  for (const { name, make } of all) {
    it(name, async () => {
      const c = make();
      for (const build of WASM_BUILDS) {
        await init({ backend: build });
        const layer = c.create();
        try {
          expectClose(layer.run(c.x), c.want, c.reduction, `${build} ${c.label}`);
        } finally {
          layer.dispose();
        }
      }
    });
  }
});

describe("model files", () => {
  beforeAll(() => init());
  it("list MobileNet v1's 13, v2's 17 and v3-large's 12 separable blocks", () => {
    const counts = Object.fromEntries(readModels().map(({ model, layers }) => [model, separableBlocks(layers).length]));
    expect(counts).toEqual({
      large_kernels: 0,
      mobilenet_v1_224: 13,
      mobilenet_v2_224: 17,
      mobilenet_v3_large_224: 12,
    });
  });
});
