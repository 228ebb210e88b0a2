// The fuzz configuration: a plain record of shapes and options (data comes from its seed), the
// fast-check arbitrary that generates it, and the property every build must satisfy. Shared by
// fuzz.test.ts and regressions.test.ts, which replays shrunk counterexamples.

import fc from "fast-check";
import { expect } from "vitest";
import { type Activation, createTensor, type Padding, type Tensor } from "../src/index.js";
import { expectNoStrayWrites } from "./canary.js";
import { bits, describeCase, type Op, type OpCase, oneShot, prepare, reduction, referenceOf } from "./cases.js";
import { expectClose, randomArray, randomTensor, rng } from "./helpers.js";

const ACTIVATIONS: Activation[] = ["linear", "relu", "relu6", "hardswish"];

/** Padding as the configuration draws it; `paddingForm` says how it is passed. */
export type FlatPadding = "same" | "valid" | number | [number, number, number, number];

export interface Config {
  op: Op;
  batch: number;
  h: number;
  w: number;
  /** A second input for prepared layers (re-plan to another shape and back). */
  batch2: number;
  h2: number;
  w2: number;
  channels: number;
  multiplier: number;
  outChannels: number;
  kH: number;
  kW: number;
  strides: number | [number, number];
  dilations: number | [number, number];
  padding: FlatPadding;
  /** How explicit pads are passed: [t, b, l, r] (default), TF.js's [[0, 0], [t, b], [l, r], [0, 0]] or named. */
  paddingForm?: "flat" | "tfjs" | "named";
  bias: boolean;
  activation: Activation;
  depthwiseBias: boolean;
  depthwiseActivation: Activation;
  /**
   * Non-zero: a configuration the specialised kernels take, which uniform draws would rarely
   * reach. Pointwise: stride 1 and no padding (one GEMM over all pixels); other ops: a square
   * `tile` x `tile` kernel (3 or 5) with equal strides of 1 or 2, no dilation, multiplier 1.
   */
  tile: number;
  /** pointwise only: the filter as [1, 1, Cin, Cout] instead of [Cin, Cout]. */
  filter4d: boolean;
  prepared: boolean;
  seed: number;
  /**
   * A non-finite value, or 0 for none, put in one element of the filter (for separable, the
   * depthwise filter) or, with `poisonInput`, of both inputs: it must propagate the same way on
   * every build, padded taps included. `poisonAt` picks the element (modulo the length). One
   * element at a time, so each output sums at most one non-finite product and the result does
   * not depend on the order of summation.
   */
  poison: number;
  poisonAt: number;
  poisonInput: boolean;
}

const int = (min: number, max: number) => fc.integer({ min, max });
const pairOrOne = (max: number) => fc.oneof(int(1, max), fc.tuple(int(1, max), int(1, max)));
const activation = fc.constantFrom(...ACTIVATIONS);

const pairOf = (v: number | [number, number]): [number, number] => (typeof v === "number" ? [v, v] : v);

/** Padding per side, as [before, after] for each axis; 'same' never empties the output. */
function padsOf(padding: FlatPadding): [number, number, number, number] | undefined {
  if (padding === "same") return undefined;
  if (padding === "valid") return [0, 0, 0, 0];
  return typeof padding === "number" ? [padding, padding, padding, padding] : padding;
}

/** The smallest input side with a non-empty output: in + pads >= dilated kernel span. */
function minSide(k: number, dilation: number, before: number, after: number): number {
  return Math.max(1, (k - 1) * dilation + 1 - before - after);
}

export function configArbitrary(op: Op): fc.Arbitrary<Config> {
  return fc
    .record({
      op: fc.constant(op),
      batch: int(1, 3),
      h: int(1, 20),
      w: int(1, 20),
      batch2: int(1, 3),
      h2: int(1, 20),
      w2: int(1, 20),
      channels: int(1, 40),
      multiplier: int(1, 4),
      outChannels: int(1, 40),
      kH: int(1, 7),
      kW: int(1, 7),
      strides: pairOrOne(3),
      dilations: pairOrOne(3),
      padding: fc.oneof(
        fc.constantFrom<FlatPadding>("same", "valid"),
        int(0, 3),
        fc.tuple(int(0, 3), int(0, 3), int(0, 3), int(0, 3)),
      ),
      paddingForm: fc.constantFrom("flat", "tfjs", "named"),
      bias: fc.boolean(),
      activation,
      depthwiseBias: fc.boolean(),
      depthwiseActivation: activation,
      tile: fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.constantFrom(3, 5), weight: 1 }),
      filter4d: fc.boolean(),
      prepared: fc.boolean(),
      seed: fc.nat(),
      poison: fc.oneof(
        { arbitrary: fc.constant(0), weight: 6 },
        { arbitrary: fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN), weight: 1 },
      ),
      poisonAt: fc.nat(),
      poisonInput: fc.boolean(),
    })
    .map((c) => (c.tile === 0 ? c : specialised(c)))
    .map((c) => {
      // Empty outputs are rejected by design (errors.test.ts): grow the input to the smallest
      // size that gives one. A map, not a filter, so nothing is discarded and shrinking works.
      const [kH, kW] = op === "pointwise" ? [1, 1] : [c.kH, c.kW];
      const [dH, dW] = pairOf(c.dilations);
      const pads = padsOf(c.padding) ?? [9, 9, 9, 9];
      const minH = minSide(kH, dH, pads[0], pads[1]);
      const minW = minSide(kW, dW, pads[2], pads[3]);
      return {
        ...c,
        kH,
        kW,
        h: Math.max(c.h, minH),
        w: Math.max(c.w, minW),
        h2: Math.max(c.h2, minH),
        w2: Math.max(c.w2, minW),
      };
    });
}

function specialised(c: Config): Config {
  if (c.op === "pointwise") return { ...c, strides: 1, padding: "valid" };
  const s = Math.min(pairOf(c.strides)[0], 2);
  return { ...c, kH: c.tile, kW: c.tile, strides: s, dilations: 1, multiplier: 1 };
}

/** The op, weights and options a configuration describes (data seeded by config.seed). */
export function caseOf(c: Config): OpCase {
  const op = cleanCaseOf(c);
  if (c.poison !== 0 && !c.poisonInput) op.filter.data[c.poisonAt % op.filter.data.length] = c.poison;
  return op;
}

function paddingAs(padding: FlatPadding, form: Config["paddingForm"]): Padding {
  const pads = typeof padding === "string" ? undefined : padsOf(padding);
  if (pads === undefined || form === undefined || form === "flat") return padding;
  const [top, bottom, left, right] = pads;
  if (form === "named") return { top, bottom, left, right };
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

function cleanCaseOf(c: Config): OpCase {
  const r = rng(c.seed);
  const options: OpCase["options"] = {
    strides: c.strides,
    dilations: c.dilations,
    padding: paddingAs(c.padding, c.paddingForm),
    activation: c.activation,
  };
  const depth = c.channels * c.multiplier;
  switch (c.op) {
    case "depthwise":
      if (c.bias) options.bias = randomArray(r, depth);
      return { op: c.op, filter: randomTensor(r, [c.kH, c.kW, c.channels, c.multiplier]), options };
    case "pointwise": {
      if (c.bias) options.bias = randomArray(r, c.outChannels);
      const shape = c.filter4d ? [1, 1, c.channels, c.outChannels] : [c.channels, c.outChannels];
      return { op: c.op, filter: randomTensor(r, shape), options };
    }
    case "conv":
      if (c.bias) options.bias = randomArray(r, c.outChannels);
      return { op: c.op, filter: randomTensor(r, [c.kH, c.kW, c.channels, c.outChannels]), options };
    case "separable":
      if (c.bias) options.bias = randomArray(r, c.outChannels);
      if (c.depthwiseBias) options.depthwiseBias = randomArray(r, depth);
      options.depthwiseActivation = c.depthwiseActivation;
      return {
        op: c.op,
        filter: randomTensor(r, [c.kH, c.kW, c.channels, c.multiplier]),
        pointwiseFilter: randomTensor(r, [depth, c.outChannels]),
        options,
      };
  }
}

export function inputsOf(c: Config): [Tensor, Tensor] {
  const r = rng(c.seed ^ 0x5eed);
  const inputs = [
    randomTensor(r, [c.batch, c.h, c.w, c.channels]),
    randomTensor(r, [c.batch2, c.h2, c.w2, c.channels]),
  ];
  if (c.poison !== 0 && c.poisonInput) for (const x of inputs) x.data[c.poisonAt % x.data.length] = c.poison;
  return inputs as [Tensor, Tensor];
}

/** What the op on the active build is checked against: the reference, or an independent oracle. */
export type Oracle = (op: OpCase, x: Tensor) => Tensor;

/** The property: the op on the active build agrees with the oracle (by default the reference). */
export function checkConfig(c: Config, oracle: Oracle = referenceOf): void {
  const op = caseOf(c);
  const [x, x2] = inputsOf(c);
  const want = oracle(op, x);
  const label = describeCase(op, x);
  if (!c.prepared) {
    expectClose(oneShot(op, x), want, reduction(op), `one-shot ${label}`);
    return;
  }
  const layer = prepare(op);
  try {
    // out starts as NaN, so an element the layer fails to write cannot pass.
    const out = { data: new Float32Array(want.data.length).fill(Number.NaN), shape: want.shape };
    expect(layer.run(x, out)).toBe(out);
    expectClose(out, want, reduction(op), `prepared run(x, out) ${label}`);
    expectClose(layer.run(x2), oracle(op, x2), reduction(op), `prepared, second shape ${describeCase(op, x2)}`);
    expect(bits(layer.run(x)), `prepared, back to the first shape ${label}`).toEqual(bits(out));
    // Steady state: nothing is allocated, so every byte outside live blocks must stay untouched.
    expectNoStrayWrites(() => layer.run(x, out), `prepared ${label}`);
    expectClose(out, want, reduction(op), `prepared, steady state ${label}`);
    // In place (createTensor): the same bits, read from and written into this build's memory.
    const inPlace = createTensor(x.shape, x.data);
    const outInPlace = createTensor(want.shape, new Float32Array(want.data.length).fill(Number.NaN));
    try {
      expect(layer.run(inPlace, outInPlace)).toBe(outInPlace);
      expectNoStrayWrites(() => layer.run(inPlace, outInPlace), `in place ${label}`);
      expect(bits({ data: outInPlace.data.slice(), shape: want.shape }), `in place ${label}`).toEqual(bits(out));
    } finally {
      inPlace.dispose();
      outInPlace.dispose();
    }
  } finally {
    layer.dispose();
  }
}
