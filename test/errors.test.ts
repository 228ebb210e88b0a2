// Bad input to every public function, on every backend: the error class (wrong type ->
// TypeError, right type but bad value -> RangeError, use after dispose -> Error), a message
// that names the function, the argument, the offending value and what was expected, no partial
// output, and an instance that still computes correct results afterwards. Also: NaN and
// Infinity inside tensor data are accepted and propagate only to the outputs they reach.

import { beforeAll, describe, expect, it } from "vitest";
import { deinterleave } from "../src/embedded/deinterleave.js";
import {
  chunk,
  relaxedSimdLength,
  scalar as scalarBase64,
  simdAndRelaxedSimd,
  simdLength,
} from "../src/embedded/wasm.generated.js";

const relaxedSimdBase64 = deinterleave(simdAndRelaxedSimd, chunk, simdLength, relaxedSimdLength)[1];

import {
  backend,
  type ConvOptions,
  conv2d,
  cost,
  createConv2d,
  createDepthwiseConv2d,
  createPointwiseConv2d,
  createSeparableConv2d,
  depthwiseConv2d,
  init,
  type Layer,
  pointwiseConv2d,
  reference,
  type SeparableOptions,
  separableConv2d,
  type Tensor,
} from "../src/index.js";
import { ALL_BACKENDS, expectClose, randomArray, randomTensor, rng } from "./helpers.js";

type ErrorClass = typeof Error | typeof TypeError | typeof RangeError;
/** Parts the message must contain: a literal substring or a pattern. */
type Part = string | RegExp;

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return expect.fail("expected a throw, but the call returned");
}

async function caughtAsync(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  return expect.fail("expected a rejection, but the call resolved");
}

/** Exactly `type` (a RangeError is not accepted for a TypeError), from `op`, containing every part. */
function expectError(error: unknown, type: ErrorClass, op: string, parts: readonly Part[], label = op): void {
  expect(error, `${label}: error class`).toBeInstanceOf(Error);
  const e = error as Error;
  expect(e.constructor.name, `${label}: error class of "${e.message}"`).toBe(type.name);
  expect(e.message.startsWith(`${op}: `), `${label}: "${e.message}" should start with "${op}: "`).toBe(true);
  for (const part of parts) {
    if (typeof part === "string") expect(e.message, label).toContain(part);
    else expect(e.message, label).toMatch(part);
  }
}

// ---------------------------------------------------------------------------------------------
// The four ops, each reachable as a one-shot function, a prepared layer and the reference.

type Family = "depthwise" | "pointwise" | "conv" | "separable";
const FAMILIES: readonly Family[] = ["depthwise", "pointwise", "conv", "separable"];

/** What a call is made of; cases edit a fresh copy of the valid base. */
interface Inputs {
  x: unknown;
  filter: unknown;
  pointwiseFilter: unknown;
  options: Record<string, unknown> | unknown;
}

const t = (v: unknown) => v as Tensor;
const o = (v: unknown) => v as SeparableOptions;

interface Entry {
  op: string;
  create: string;
  /** Name of the (depthwise) filter argument in messages. */
  filterArg: string;
  /** Output channels of the base inputs, and the output shape for x = [1, 5, 5, 4]. */
  outChannels: number;
  /** Products summed per output, for expectClose. */
  reduction: number;
  outShape: number[];
  oneShot: (i: Inputs) => Tensor;
  prepare: (i: Inputs) => Layer;
  reference: (i: Inputs) => Tensor;
}

const ENTRIES: Record<Family, Entry> = {
  depthwise: {
    op: "depthwiseConv2d",
    create: "createDepthwiseConv2d",
    filterArg: "filter",
    outChannels: 8,
    reduction: 9,
    outShape: [1, 3, 3, 8],
    oneShot: (i) => depthwiseConv2d(t(i.x), t(i.filter), o(i.options)),
    prepare: (i) => createDepthwiseConv2d(t(i.filter), o(i.options)),
    reference: (i) => reference.depthwiseConv2d(t(i.x), t(i.filter), o(i.options)),
  },
  pointwise: {
    op: "pointwiseConv2d",
    create: "createPointwiseConv2d",
    filterArg: "filter",
    outChannels: 6,
    reduction: 4,
    outShape: [1, 5, 5, 6],
    oneShot: (i) => pointwiseConv2d(t(i.x), t(i.filter), o(i.options)),
    prepare: (i) => createPointwiseConv2d(t(i.filter), o(i.options)),
    reference: (i) => reference.pointwiseConv2d(t(i.x), t(i.filter), o(i.options)),
  },
  conv: {
    op: "conv2d",
    create: "createConv2d",
    filterArg: "filter",
    outChannels: 6,
    reduction: 36,
    outShape: [1, 3, 3, 6],
    oneShot: (i) => conv2d(t(i.x), t(i.filter), o(i.options)),
    prepare: (i) => createConv2d(t(i.filter), o(i.options)),
    reference: (i) => reference.conv2d(t(i.x), t(i.filter), o(i.options)),
  },
  separable: {
    op: "separableConv2d",
    create: "createSeparableConv2d",
    filterArg: "depthwiseFilter",
    outChannels: 6,
    reduction: 72,
    outShape: [1, 3, 3, 6],
    oneShot: (i) => separableConv2d(t(i.x), t(i.filter), t(i.pointwiseFilter), o(i.options)),
    prepare: (i) => createSeparableConv2d(t(i.filter), t(i.pointwiseFilter), o(i.options)),
    reference: (i) => reference.separableConv2d(t(i.x), t(i.filter), t(i.pointwiseFilter), o(i.options)),
  },
};

/** Valid inputs: x [1, 5, 5, 4]; depthwise [3, 3, 4, 2] (8 channels); pointwise to 6 channels. */
function base(family: Family): Inputs {
  const random = rng(7);
  const x = randomTensor(random, [1, 5, 5, 4]);
  switch (family) {
    case "depthwise":
      return { x, filter: randomTensor(random, [3, 3, 4, 2]), pointwiseFilter: undefined, options: {} };
    case "pointwise":
      return { x, filter: randomTensor(random, [4, 6]), pointwiseFilter: undefined, options: {} };
    case "conv":
      return { x, filter: randomTensor(random, [3, 3, 4, 6]), pointwiseFilter: undefined, options: {} };
    case "separable":
      return {
        x,
        filter: randomTensor(random, [3, 3, 4, 2]),
        pointwiseFilter: randomTensor(random, [8, 6]),
        options: {},
      };
  }
}

function tensor(shape: number[], length = shape.reduce((a, b) => a * b, 1)): Tensor {
  return { data: new Float32Array(length).fill(0.5), shape };
}

interface Case {
  name: string;
  /** Families the case applies to (default: all four). */
  only?: readonly Family[];
  edit: (i: Inputs, e: Entry) => void;
  error: ErrorClass;
  /** Argument, value and expectation the message must name. */
  parts: (e: Entry) => readonly Part[];
}

const opts = (i: Inputs) => i.options as Record<string, unknown>;
const NOT_POINTWISE: readonly Family[] = ["depthwise", "conv", "separable"];
const NOT_SEPARABLE: readonly Family[] = ["depthwise", "pointwise", "conv"];
const WINDOW_EXPECTATION = "must be a positive integer or a pair of positive integers";
const PADDING_EXPECTATION = "must be a non-negative integer or 4 of them [top, bottom, left, right]";
const ACTIVATION_EXPECTATION = 'one of "linear", "relu", "relu6", "hardswish"';

const CASES: readonly Case[] = [
  // x: wrong types
  {
    name: "x is null",
    edit: (i) => (i.x = null),
    error: TypeError,
    parts: () => ["x (null) must be a tensor { data: Float32Array, shape: number[] }"],
  },
  {
    name: "x is undefined",
    edit: (i) => (i.x = undefined),
    error: TypeError,
    parts: () => ["x (undefined) must be a tensor"],
  },
  {
    name: "x is a number",
    edit: (i) => (i.x = 3),
    error: TypeError,
    parts: () => ["x (3) must be a tensor"],
  },
  {
    name: "x is a plain Array of numbers",
    edit: (i) => (i.x = [1, 2, 3]),
    error: TypeError,
    parts: () => ["x ([1, 2, 3]) must be a tensor { data: Float32Array, shape: number[] }"],
  },
  {
    name: "x is a bare Float32Array (data without a shape)",
    edit: (i) => (i.x = new Float32Array(100)),
    error: TypeError,
    parts: () => ["x (Float32Array(100)) must be a tensor { data: Float32Array, shape: number[] }"],
  },
  {
    name: "x.data is a plain Array",
    edit: (i) => (i.x = { data: [0.25, 0.5, 0.75], shape: [1, 1, 3, 1] }),
    error: TypeError,
    parts: () => ["x.data ([0.25, 0.5, 0.75]) must be a Float32Array"],
  },
  {
    name: "x.data is a Float64Array",
    edit: (i) => (i.x = { data: new Float64Array(100), shape: [1, 5, 5, 4] }),
    error: TypeError,
    parts: () => ["x.data (Float64Array(100)) must be a Float32Array"],
  },
  {
    name: "x.data is missing",
    edit: (i) => (i.x = { shape: [1, 5, 5, 4] }),
    error: TypeError,
    parts: () => ["x.data (undefined) must be a Float32Array"],
  },
  {
    name: "x.shape is missing",
    edit: (i) => (i.x = { data: new Float32Array(100) }),
    error: TypeError,
    parts: () => ["x.shape (undefined) must be an array of dimensions"],
  },
  {
    name: "x.shape is an Int32Array",
    edit: (i) => (i.x = { data: new Float32Array(100), shape: Int32Array.of(1, 5, 5, 4) }),
    error: TypeError,
    parts: () => ["x.shape (Int32Array(4)) must be an array of dimensions"],
  },
  {
    name: "x.shape holds a BigInt dimension",
    edit: (i) => (i.x = { data: new Float32Array(100), shape: [1n, 5, 5, 4] }),
    error: TypeError,
    parts: () => ["x.shape[0] (1n) must be a number"],
  },
  {
    name: "x.shape holds a string dimension",
    edit: (i) => (i.x = { data: new Float32Array(100), shape: [1, "5", 5, 4] }),
    error: TypeError,
    parts: () => ['x.shape[1] ("5") must be a number'],
  },
  // x: bad values
  {
    name: "x has rank 3",
    edit: (i) => (i.x = tensor([5, 5, 4])),
    error: RangeError,
    parts: () => ["x.shape ([5, 5, 4]) must have 4 dimensions"],
  },
  {
    name: "x has rank 5",
    edit: (i) => (i.x = tensor([1, 1, 5, 5, 4])),
    error: RangeError,
    parts: () => ["x.shape ([1, 1, 5, 5, 4]) must have 4 dimensions"],
  },
  {
    name: "x.data is shorter than the shape",
    edit: (i) => (i.x = tensor([1, 5, 5, 4], 99)),
    error: RangeError,
    parts: () => ["x.data.length (99) must equal the product of x.shape [1, 5, 5, 4] (100)"],
  },
  {
    name: "x.data is longer than the shape",
    edit: (i) => (i.x = tensor([1, 5, 5, 4], 101)),
    error: RangeError,
    parts: () => ["x.data.length (101) must equal the product of x.shape [1, 5, 5, 4] (100)"],
  },
  {
    name: "x has a zero dimension",
    edit: (i) => (i.x = tensor([1, 0, 5, 4])),
    error: RangeError,
    parts: () => ["x.shape[1] (0) must be a positive integer"],
  },
  {
    name: "x has a negative dimension",
    edit: (i) => (i.x = { data: new Float32Array(100), shape: [1, 5, -5, 4] }),
    error: RangeError,
    parts: () => ["x.shape[2] (-5) must be a positive integer"],
  },
  {
    name: "x has a fractional dimension",
    edit: (i) => (i.x = { data: new Float32Array(100), shape: [1.5, 5, 5, 4] }),
    error: RangeError,
    parts: () => ["x.shape[0] (1.5) must be a positive integer"],
  },
  {
    name: "x has a NaN dimension",
    edit: (i) => (i.x = { data: new Float32Array(100), shape: [1, 5, 5, Number.NaN] }),
    error: RangeError,
    parts: () => ["x.shape[3] (NaN) must be a positive integer"],
  },
  {
    name: "x has an infinite dimension",
    edit: (i) => (i.x = { data: new Float32Array(100), shape: [1, Number.POSITIVE_INFINITY, 5, 4] }),
    error: RangeError,
    parts: () => ["x.shape[1] (Infinity) must be a positive integer"],
  },
  {
    name: "x.data has a detached buffer",
    edit: (i) => {
      const data = new Float32Array(100);
      structuredClone(data.buffer, { transfer: [data.buffer] });
      i.x = { data, shape: [1, 5, 5, 4] };
    },
    error: RangeError,
    parts: () => ["x.data (Float32Array(0)) must not be a view of a detached buffer (transferred, or wasm memory"],
  },
  {
    name: "x channels do not match the filter",
    edit: (i) => (i.x = tensor([1, 5, 5, 32])),
    error: RangeError,
    parts: () => ["x.shape[3] (32) must equal the filter's input channels (4)"],
  },
  // filters
  {
    name: "filter is null",
    edit: (i) => (i.filter = null),
    error: TypeError,
    parts: (e) => [`${e.filterArg} (null) must be a tensor`],
  },
  {
    name: "filter is undefined",
    edit: (i) => (i.filter = undefined),
    error: TypeError,
    parts: (e) => [`${e.filterArg} (undefined) must be a tensor`],
  },
  {
    name: "filter is a plain Array",
    edit: (i) => (i.filter = Array.from({ length: 12 }, () => 0.5)),
    error: TypeError,
    parts: (e) => [`${e.filterArg} ([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, … (12 items)]) must be a tensor`],
  },
  {
    name: "filter is a bare Float32Array",
    edit: (i) => (i.filter = (i.filter as Tensor).data),
    error: TypeError,
    parts: (e) => [new RegExp(`${e.filterArg} \\(Float32Array\\(\\d+\\)\\) must be a tensor`)],
  },
  {
    name: "filter.data is missing",
    edit: (i) => (i.filter = { shape: (i.filter as Tensor).shape }),
    error: TypeError,
    parts: (e) => [`${e.filterArg}.data (undefined) must be a Float32Array`],
  },
  {
    name: "filter.data is a Float64Array",
    edit: (i) => {
      const f = i.filter as Tensor;
      i.filter = { data: Float64Array.from(f.data), shape: f.shape };
    },
    error: TypeError,
    parts: (e) => [new RegExp(`${e.filterArg}\\.data \\(Float64Array\\(\\d+\\)\\) must be a Float32Array`)],
  },
  {
    name: "filter.shape is missing",
    edit: (i) => (i.filter = { data: (i.filter as Tensor).data }),
    error: TypeError,
    parts: (e) => [`${e.filterArg}.shape (undefined) must be an array of dimensions`],
  },
  {
    name: "4-D filter has rank 3",
    only: NOT_POINTWISE,
    edit: (i) => (i.filter = tensor([3, 3, 4])),
    error: RangeError,
    parts: (e) => [`${e.filterArg}.shape ([3, 3, 4]) must have 4 dimensions`],
  },
  {
    name: "4-D filter has rank 2",
    only: NOT_POINTWISE,
    edit: (i) => (i.filter = tensor([9, 4])),
    error: RangeError,
    parts: (e) => [`${e.filterArg}.shape ([9, 4]) must have 4 dimensions`],
  },
  {
    name: "filter.data does not match its shape",
    edit: (i) => {
      const f = i.filter as Tensor;
      i.filter = tensor(f.shape, f.data.length - 1);
    },
    error: RangeError,
    parts: (e) => [
      new RegExp(`${e.filterArg}\\.data\\.length \\(\\d+\\) must equal the product of ${e.filterArg}\\.shape`),
    ],
  },
  {
    name: "filter has a zero dimension",
    edit: (i) => {
      const shape = [...(i.filter as Tensor).shape];
      shape[0] = 0;
      i.filter = tensor(shape);
    },
    error: RangeError,
    parts: (e) => [`${e.filterArg}.shape[0] (0) must be a positive integer`],
  },
  {
    name: "filter has a negative dimension",
    edit: (i) => {
      const f = i.filter as Tensor;
      i.filter = { data: f.data, shape: [-f.shape[0], ...f.shape.slice(1)] };
    },
    error: RangeError,
    parts: (e) => [new RegExp(`${e.filterArg}\\.shape\\[0\\] \\(-\\d+\\) must be a positive integer`)],
  },
  {
    name: "filter has a NaN dimension",
    edit: (i) => {
      const f = i.filter as Tensor;
      i.filter = { data: f.data, shape: [Number.NaN, ...f.shape.slice(1)] };
    },
    error: RangeError,
    parts: (e) => [`${e.filterArg}.shape[0] (NaN) must be a positive integer`],
  },
  {
    name: "filter has a fractional dimension",
    edit: (i) => {
      const f = i.filter as Tensor;
      i.filter = { data: f.data, shape: [...f.shape.slice(0, -1), 2.5] };
    },
    error: RangeError,
    parts: (e) => [new RegExp(`${e.filterArg}\\.shape\\[\\d\\] \\(2\\.5\\) must be a positive integer`)],
  },
  {
    name: "pointwise filter has rank 3",
    only: ["pointwise"],
    edit: (i) => (i.filter = tensor([1, 4, 6])),
    error: RangeError,
    parts: () => ["filter.shape ([1, 4, 6]) must be [Cin, Cout] or [1, 1, Cin, Cout]"],
  },
  {
    name: "pointwise filter is [2, 1, Cin, Cout]",
    only: ["pointwise"],
    edit: (i) => (i.filter = tensor([2, 1, 4, 6])),
    error: RangeError,
    parts: () => ["filter.shape ([2, 1, 4, 6]) must be [Cin, Cout] or [1, 1, Cin, Cout]"],
  },
  {
    name: "pointwiseFilter is null",
    only: ["separable"],
    edit: (i) => (i.pointwiseFilter = null),
    error: TypeError,
    parts: () => ["pointwiseFilter (null) must be a tensor"],
  },
  {
    name: "pointwiseFilter.data is a Float64Array",
    only: ["separable"],
    edit: (i) => (i.pointwiseFilter = { data: new Float64Array(48), shape: [8, 6] }),
    error: TypeError,
    parts: () => ["pointwiseFilter.data (Float64Array(48)) must be a Float32Array"],
  },
  {
    name: "pointwiseFilter.data does not match its shape",
    only: ["separable"],
    edit: (i) => (i.pointwiseFilter = tensor([8, 6], 47)),
    error: RangeError,
    parts: () => ["pointwiseFilter.data.length (47) must equal the product of pointwiseFilter.shape [8, 6] (48)"],
  },
  {
    name: "pointwiseFilter has a negative dimension",
    only: ["separable"],
    edit: (i) => (i.pointwiseFilter = { data: new Float32Array(48), shape: [8, -6] }),
    error: RangeError,
    parts: () => ["pointwiseFilter.shape[1] (-6) must be a positive integer"],
  },
  {
    name: "pointwiseFilter has rank 3",
    only: ["separable"],
    edit: (i) => (i.pointwiseFilter = tensor([1, 8, 6])),
    error: RangeError,
    parts: () => ["pointwiseFilter.shape ([1, 8, 6]) must be [Cin, Cout] or [1, 1, Cin, Cout]"],
  },
  {
    name: "pointwiseFilter is [1, 2, C*M, Cout]",
    only: ["separable"],
    edit: (i) => (i.pointwiseFilter = tensor([1, 2, 8, 6])),
    error: RangeError,
    parts: () => ["pointwiseFilter.shape ([1, 2, 8, 6]) must be [Cin, Cout] or [1, 1, Cin, Cout]"],
  },
  {
    name: "pointwiseFilter input channels differ from C*M",
    only: ["separable"],
    edit: (i) => (i.pointwiseFilter = tensor([4, 6])),
    error: RangeError,
    parts: () => ["pointwiseFilter input channels (4) must equal depthwise output channels C*M (8)"],
  },
  // bias
  {
    name: "bias is too short",
    edit: (i) => (opts(i).bias = new Float32Array(5)),
    error: RangeError,
    parts: (e) => [`options.bias.length (5) must equal the output channels (${e.outChannels})`],
  },
  {
    name: "bias is too long",
    edit: (i, e) => (opts(i).bias = new Float32Array(e.outChannels + 1)),
    error: RangeError,
    parts: (e) => [`options.bias.length (${e.outChannels + 1}) must equal the output channels (${e.outChannels})`],
  },
  {
    name: "bias is a Float64Array",
    edit: (i, e) => (opts(i).bias = new Float64Array(e.outChannels)),
    error: TypeError,
    parts: (e) => [`options.bias (Float64Array(${e.outChannels})) must be a Float32Array`],
  },
  {
    name: "bias is a plain Array",
    edit: (i) => (opts(i).bias = [1, 2]),
    error: TypeError,
    parts: () => ["options.bias ([1, 2]) must be a Float32Array"],
  },
  {
    name: "bias is null",
    edit: (i) => (opts(i).bias = null),
    error: TypeError,
    parts: () => ["options.bias (null) must be a Float32Array"],
  },
  {
    name: "depthwiseBias has the wrong length",
    only: ["separable"],
    edit: (i) => (opts(i).depthwiseBias = new Float32Array(6)),
    error: RangeError,
    parts: () => ["options.depthwiseBias.length (6) must equal the output channels (8)"],
  },
  {
    name: "depthwiseBias is a plain Array",
    only: ["separable"],
    edit: (i) => (opts(i).depthwiseBias = [0, 0, 0, 0, 0, 0, 0, 0]),
    error: TypeError,
    parts: () => ["options.depthwiseBias ([0, 0, 0, 0, 0, 0, 0, 0]) must be a Float32Array"],
  },
  // strides and dilations
  {
    name: "strides 0",
    edit: (i) => (opts(i).strides = 0),
    error: RangeError,
    parts: () => [`options.strides (0) ${WINDOW_EXPECTATION}`],
  },
  {
    name: "strides negative",
    edit: (i) => (opts(i).strides = -2),
    error: RangeError,
    parts: () => [`options.strides (-2) ${WINDOW_EXPECTATION}`],
  },
  {
    name: "strides fractional",
    edit: (i) => (opts(i).strides = 1.5),
    error: RangeError,
    parts: () => [`options.strides (1.5) ${WINDOW_EXPECTATION}`],
  },
  {
    name: "strides NaN",
    edit: (i) => (opts(i).strides = Number.NaN),
    error: RangeError,
    parts: () => [`options.strides (NaN) ${WINDOW_EXPECTATION}`],
  },
  {
    name: "strides infinite",
    edit: (i) => (opts(i).strides = Number.POSITIVE_INFINITY),
    error: RangeError,
    parts: () => [`options.strides (Infinity) ${WINDOW_EXPECTATION}`],
  },
  {
    name: "strides array of length 1",
    edit: (i) => (opts(i).strides = [2]),
    error: RangeError,
    parts: () => [`options.strides ([2]) ${WINDOW_EXPECTATION}`],
  },
  {
    name: "strides array of length 3",
    edit: (i) => (opts(i).strides = [1, 1, 1]),
    error: RangeError,
    parts: () => [`options.strides ([1, 1, 1]) ${WINDOW_EXPECTATION}`],
  },
  {
    name: "strides pair with a zero",
    edit: (i) => (opts(i).strides = [1, 0]),
    error: RangeError,
    parts: () => [`options.strides ([1, 0]) ${WINDOW_EXPECTATION}`],
  },
  {
    name: "strides is a string",
    edit: (i) => (opts(i).strides = "2"),
    error: TypeError,
    parts: () => ['options.strides ("2") must be a positive integer or a pair [h, w] of them'],
  },
  {
    name: "strides too large for 32-bit indexing",
    edit: (i) => (opts(i).strides = 2 ** 31),
    error: RangeError,
    parts: () => ["options.strides ([2147483648, 2147483648]) must be at most 1073741824"],
  },
  {
    name: "dilations 0",
    edit: (i) => (opts(i).dilations = 0),
    error: RangeError,
    parts: () => [`options.dilations (0) ${WINDOW_EXPECTATION}`],
  },
  {
    name: "dilations negative",
    edit: (i) => (opts(i).dilations = -2),
    error: RangeError,
    parts: () => [`options.dilations (-2) ${WINDOW_EXPECTATION}`],
  },
  {
    name: "dilations fractional pair",
    edit: (i) => (opts(i).dilations = [1, 2.5]),
    error: RangeError,
    parts: () => [`options.dilations ([1, 2.5]) ${WINDOW_EXPECTATION}`],
  },
  {
    name: "dilations NaN",
    edit: (i) => (opts(i).dilations = Number.NaN),
    error: RangeError,
    parts: () => [`options.dilations (NaN) ${WINDOW_EXPECTATION}`],
  },
  {
    name: "dilations null",
    edit: (i) => (opts(i).dilations = null),
    error: TypeError,
    parts: () => ["options.dilations (null) must be a positive integer or a pair [h, w] of them"],
  },
  {
    name: "dilations too large for 32-bit indexing",
    edit: (i) => {
      opts(i).dilations = 2 ** 32;
      opts(i).padding = "same";
    },
    error: RangeError,
    parts: () => ["options.dilations ([4294967296, 4294967296]) must be at most 1073741824"],
  },
  {
    name: "dilated kernel span too large for 32-bit indexing",
    only: NOT_POINTWISE,
    edit: (i) => {
      opts(i).dilations = 2 ** 30;
      opts(i).padding = "same";
    },
    error: RangeError,
    parts: () => [
      "the dilated kernel spans 2147483649x2147483649 pixels",
      "options.dilations [1073741824, 1073741824]",
    ],
  },
  // padding
  {
    name: "padding negative",
    edit: (i) => (opts(i).padding = -1),
    error: RangeError,
    parts: () => [`options.padding (-1) ${PADDING_EXPECTATION}`],
  },
  {
    name: "padding fractional",
    edit: (i) => (opts(i).padding = 0.5),
    error: RangeError,
    parts: () => [`options.padding (0.5) ${PADDING_EXPECTATION}`],
  },
  {
    name: "padding NaN",
    edit: (i) => (opts(i).padding = Number.NaN),
    error: RangeError,
    parts: () => [`options.padding (NaN) ${PADDING_EXPECTATION}`],
  },
  {
    name: "padding array of length 2",
    edit: (i) => (opts(i).padding = [1, 1]),
    error: RangeError,
    parts: () => [`options.padding ([1, 1]) ${PADDING_EXPECTATION}`],
  },
  {
    name: "padding array with a negative side",
    edit: (i) => (opts(i).padding = [1, 1, 1, -1]),
    error: RangeError,
    parts: () => [`options.padding ([1, 1, 1, -1]) ${PADDING_EXPECTATION}`],
  },
  {
    name: "padding array with a fractional side",
    edit: (i) => (opts(i).padding = [1, 1, 0.5, 1]),
    error: RangeError,
    parts: () => [`options.padding ([1, 1, 0.5, 1]) ${PADDING_EXPECTATION}`],
  },
  {
    name: "padding unknown string",
    edit: (i) => (opts(i).padding = "full"),
    error: RangeError,
    parts: () => [
      `options.padding ("full") must be 'same', 'valid', a number, [top, bottom, left, right], ` +
        "[[0, 0], [top, bottom], [left, right], [0, 0]] or { top, bottom, left, right }",
    ],
  },
  {
    name: "padding in upper case",
    edit: (i) => (opts(i).padding = "SAME"),
    error: RangeError,
    parts: () => ['options.padding ("SAME") must be'],
  },
  {
    name: "named padding without every side",
    edit: (i) => (opts(i).padding = { top: 1 }),
    error: TypeError,
    parts: () => ["options.padding.bottom (undefined) must be a non-negative integer (every side is needed)"],
  },
  {
    name: "padding is a function",
    edit: (i) => (opts(i).padding = () => 1),
    error: TypeError,
    parts: () => [/options\.padding \(.*\) must be 'same', 'valid', a number, \[top, bottom, left, right\]/],
  },
  {
    name: "padding too large for 32-bit indexing",
    edit: (i) => (opts(i).padding = 2 ** 30),
    error: RangeError,
    parts: () => ["the padded input is 2147483653x2147483653", "options.padding [1073741824, 1073741824"],
  },
  {
    name: "padding that makes x and the output exceed WebAssembly's 4 GiB",
    edit: (i) => (opts(i).padding = 20_000),
    error: RangeError,
    parts: () => [
      /x\.shape \[1, 5, 5, 4\] and its output \[1, \d{5}, \d{5}, [68]\] would take \d{11} bytes; /,
      "they must fit in WebAssembly's 4 GiB memory (4294967296 bytes)",
    ],
  },
  // empty output
  {
    name: "kernel larger than the input leaves an empty output",
    only: NOT_POINTWISE,
    edit: (i) => (i.x = tensor([1, 2, 2, 4])),
    error: RangeError,
    parts: () => ["output would be empty (0x0): input 2x2, kernel 3x3"],
  },
  {
    name: "dilations that leave an empty output",
    only: NOT_POINTWISE,
    edit: (i) => (opts(i).dilations = [1, 3]),
    error: RangeError,
    parts: () => ["output would be empty (3x-1): input 5x5, kernel 3x3, dilations [1, 3]"],
  },
  // activations
  {
    name: "unknown activation",
    edit: (i) => (opts(i).activation = "gelu"),
    error: RangeError,
    parts: () => [`options.activation ("gelu") must be ${ACTIVATION_EXPECTATION}`],
  },
  {
    name: "activation in the wrong case",
    edit: (i) => (opts(i).activation = "ReLU"),
    error: RangeError,
    parts: () => [`options.activation ("ReLU") must be ${ACTIVATION_EXPECTATION}`],
  },
  {
    name: "activation is a number",
    edit: (i) => (opts(i).activation = 1),
    error: TypeError,
    parts: () => [`options.activation (1) must be ${ACTIVATION_EXPECTATION}`],
  },
  {
    name: "unknown depthwiseActivation",
    only: ["separable"],
    edit: (i) => (opts(i).depthwiseActivation = "swish"),
    error: RangeError,
    parts: () => [`options.depthwiseActivation ("swish") must be ${ACTIVATION_EXPECTATION}`],
  },
  // options object
  {
    name: "unknown option key",
    edit: (i) => (opts(i).stride = 2),
    error: TypeError,
    parts: () => ["options.stride is not an option (expected one of strides, padding, dilations, bias, activation"],
  },
  {
    name: "separable-only option on a single op",
    only: NOT_SEPARABLE,
    edit: (i) => (opts(i).depthwiseBias = new Float32Array(8)),
    error: TypeError,
    parts: () => ["options.depthwiseBias is not an option"],
  },
  {
    name: "options is null",
    edit: (i) => (i.options = null),
    error: TypeError,
    parts: () => ["options (null) must be an object"],
  },
  {
    name: "options is a string",
    edit: (i) => (i.options = "same"),
    error: TypeError,
    parts: () => ['options ("same") must be an object'],
  },
  {
    name: "options is an array",
    edit: (i) => (i.options = [1]),
    error: TypeError,
    parts: () => ["options ([1]) must be an object"],
  },
];

/** Runs one case through the one-shot function, the prepared layer and the reference. */
function checkCase(c: Case, family: Family): void {
  const e = ENTRIES[family];
  const label = `${family}: ${c.name}`;
  const make = () => {
    const inputs = base(family);
    c.edit(inputs, e);
    return inputs;
  };
  const parts = c.parts(e);
  const oneShot = caught(() => e.oneShot(make()));
  expectError(oneShot, c.error, e.op, parts, `${label} (one-shot)`);
  const prepared = caught(() => {
    const inputs = make();
    const layer = e.prepare(inputs);
    try {
      layer.run(t(inputs.x));
    } finally {
      layer.dispose();
    }
  });
  expectError(prepared, c.error, e.create, parts, `${label} (prepared)`);
  const ref = caught(() => e.reference(make()));
  expectError(ref, c.error, e.op, parts, `${label} (reference)`);
  expect((ref as Error).message, `${label}: reference and ${backend()} throw the same`).toBe(
    (oneShot as Error).message,
  );
}

// ---------------------------------------------------------------------------------------------
// run(x, out): the output tensor, and the layer life cycle.

interface OutCase {
  name: string;
  /** A bad `out` for a valid x (x given, so aliasing cases can share its buffer). */
  out: (shape: number[], x: Tensor) => unknown;
  error: ErrorClass;
  parts: (shape: number[]) => readonly Part[];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const show = (shape: number[]) => `[${shape.join(", ")}]`;

const OUT_CASES: readonly OutCase[] = [
  {
    name: "out has the wrong shape (right length)",
    out: (s) => tensor([s[0], s[1], s[3], s[2]]),
    error: RangeError,
    parts: (s) => [`out.shape (${show([s[0], s[1], s[3], s[2]])}) must equal the output shape ${show(s)}`],
  },
  {
    name: "out has too many channels",
    out: (s) => tensor([s[0], s[1], s[2], s[3] + 1]),
    error: RangeError,
    parts: (s) => [`out.shape (${show([s[0], s[1], s[2], s[3] + 1])}) must equal the output shape ${show(s)}`],
  },
  {
    name: "out.data has the wrong length",
    out: (s) => tensor(s, size(s) + 1),
    error: RangeError,
    parts: (s) => [`out.data.length (${size(s) + 1}) must equal the product of out.shape ${show(s)} (${size(s)})`],
  },
  {
    name: "out has rank 3",
    out: (s) => tensor(s.slice(1)),
    error: RangeError,
    parts: (s) => [`out.shape (${show(s.slice(1))}) must have 4 dimensions`],
  },
  {
    name: "out.data is a Float64Array",
    out: (s) => ({ data: new Float64Array(size(s)), shape: s }),
    error: TypeError,
    parts: (s) => [`out.data (Float64Array(${size(s)})) must be a Float32Array`],
  },
  {
    name: "out is null",
    out: () => null,
    error: TypeError,
    parts: () => ["out (null) must be a tensor"],
  },
  {
    name: "out is a plain Array",
    out: (s) => new Array(size(s)).fill(0),
    error: TypeError,
    parts: (s) => [`out ([0, 0, 0, 0, 0, 0, 0, 0, … (${size(s)} items)]) must be a tensor`],
  },
  {
    name: "out aliases the input's buffer",
    out: (s, x) => ({ data: new Float32Array(x.data.buffer, x.data.byteOffset + 8, size(s)), shape: s }),
    error: RangeError,
    parts: (s) => [`out.data (Float32Array(${size(s)})) must not overlap x.data (in-place is not supported)`],
  },
  {
    name: "out ends inside the input",
    out: (s, x) => ({
      data: new Float32Array(x.data.buffer, x.data.byteOffset - 4 * (size(s) - 10), size(s)),
      shape: s,
    }),
    error: RangeError,
    parts: (s) => [`out.data (Float32Array(${size(s)})) must not overlap x.data`],
  },
  {
    name: "out starts where x starts (another view of the same memory)",
    out: (s, x) => ({ data: new Float32Array(x.data.buffer, x.data.byteOffset, size(s)), shape: s }),
    error: RangeError,
    parts: (s) => [`out.data (Float32Array(${size(s)})) must not overlap x.data`],
  },
];

/** A copy of x in the middle of a larger buffer, so `out` may alias it from either side. */
function inSharedBuffer(x: Tensor): Tensor {
  const margin = 512;
  const data = new Float32Array(new ArrayBuffer(4 * (2 * margin + x.data.length)), 4 * margin, x.data.length);
  data.set(x.data);
  return { data, shape: x.shape };
}

// ---------------------------------------------------------------------------------------------
// NaN and Infinity in data: expected coverage, computed independently of the kernels.

/** Whether output (oy, ox) reads input (py, px) for a window with these options (explicit pads). */
function covers(
  oy: number,
  ox: number,
  py: number,
  px: number,
  k: number,
  stride: number,
  dilation: number,
  pad: number,
): boolean {
  let y = false;
  let x = false;
  for (let i = 0; i < k; i++) {
    if (oy * stride - pad + i * dilation === py) y = true;
    if (ox * stride - pad + i * dilation === px) x = true;
  }
  return y && x;
}

interface Special {
  /** Input pixel (y, x) and channel holding the special value. */
  py: number;
  px: number;
  channel: number;
}

/**
 * For every output element, whether it must be special (else finite): `perChannel` says whether
 * only the output channels fed by `channel` are affected (depthwise) or all of them (mixing ops).
 */
function checkSpecial(
  got: Tensor,
  s: Special,
  k: number,
  stride: number,
  dilation: number,
  pad: number,
  affected: (oc: number) => boolean,
  isSpecial: (v: number) => boolean,
  label: string,
): void {
  const [n, outH, outW, outC] = got.shape;
  let specials = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const hit = b === 0 && covers(oy, ox, s.py, s.px, k, stride, dilation, pad);
        for (let oc = 0; oc < outC; oc++) {
          const v = got.data[((b * outH + oy) * outW + ox) * outC + oc];
          const want = hit && affected(oc);
          if (want) specials++;
          if (want !== isSpecial(v) || (!want && !Number.isFinite(v))) {
            expect.fail(
              `${label}: output [${b}, ${oy}, ${ox}, ${oc}] is ${v}, expected ${want ? "special" : "finite"}`,
            );
          }
        }
      }
    }
  }
  expect(specials, `${label}: some outputs see the special value`).toBeGreaterThan(0);
}

function withValue(x: Tensor, s: Special, value: number): Tensor {
  const [, , w, c] = x.shape;
  const data = x.data.slice();
  data[(s.py * w + s.px) * c + s.channel] = value;
  return { data, shape: x.shape };
}

/** A filter of positive weights, so one +Infinity input gives +Infinity wherever it is read. */
function positive(random: () => number, shape: number[]): Tensor {
  const data = new Float32Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = 0.1 + random();
  return { data, shape };
}

// ---------------------------------------------------------------------------------------------

const WASM_BYTES: Record<"scalar" | "relaxed-simd", Uint8Array> = {
  scalar: Buffer.from(scalarBase64, "base64"),
  "relaxed-simd": Buffer.from(relaxedSimdBase64, "base64"),
};
/** A valid WebAssembly module that is not a sepconv build (no exports at all). */
const EMPTY_MODULE = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0);
const BACKEND_EXPECTATION = 'must be one of "auto", "relaxed-simd", "simd", "scalar", "js"';
const WASM_EXPECTATION = "must be a WebAssembly.Module, an ArrayBuffer or typed array, a URL or a Response";

for (const build of ALL_BACKENDS) {
  describe(`bad input on the ${build} backend`, () => {
    const random = rng(11);
    const sepX = randomTensor(random, [2, 7, 6, 5]);
    const sepDw = randomTensor(random, [3, 3, 5, 2]);
    const sepPw = randomTensor(random, [10, 7]);
    const sepOptions: SeparableOptions = {
      strides: [2, 1],
      padding: "same",
      depthwiseBias: randomArray(random, 10),
      depthwiseActivation: "relu6",
      bias: randomArray(random, 7),
      activation: "hardswish",
    };
    const sepWant = reference.separableConv2d(sepX, sepDw, sepPw, sepOptions);
    /** One prepared layer that lives through every error below and is checked at the end. */
    let survivor: Layer;

    beforeAll(async () => {
      await init({ backend: build });
      expect(backend()).toBe(build);
      survivor = createSeparableConv2d(sepDw, sepPw, sepOptions);
      expectClose(survivor.run(sepX), sepWant, 9 * 10, "survivor before the errors");
    });

    for (const c of CASES) {
      it(c.name, () => {
        for (const family of c.only ?? FAMILIES) checkCase(c, family);
      });
    }

    for (const c of OUT_CASES) {
      it(`run(x, out): ${c.name}`, () => {
        for (const family of FAMILIES) {
          const e = ENTRIES[family];
          const inputs = base(family);
          const x = inSharedBuffer(randomTensor(rng(3), [1, 5, 5, 4]));
          const want = e.reference({ ...inputs, x });
          expect(want.shape).toEqual(e.outShape);
          const layer = e.prepare(inputs);
          const out = c.out(e.outShape, x) as Tensor | null;
          const before = out?.data ? Array.from(out.data) : undefined;
          const xBefore = Array.from(x.data);
          expectError(
            caught(() => layer.run(x, out as Tensor)),
            c.error,
            e.create,
            c.parts(e.outShape),
            `${family}: ${c.name}`,
          );
          // Nothing written: neither out (no partial output) nor x.
          if (before) expect(Array.from((out as Tensor).data), `${family}: out untouched`).toEqual(before);
          expect(Array.from(x.data), `${family}: x untouched`).toEqual(xBefore);
          // The same layer then fills a good out, also one sharing x's buffer without overlap.
          const good: Tensor = { data: new Float32Array(x.data.buffer, 0, size(e.outShape)), shape: e.outShape };
          expect(layer.run(x, good), `${family}: run returns out`).toBe(good);
          expectClose(good, want, e.reduction, `${family}: after ${c.name}`);
          layer.dispose();
        }
        const shared = inSharedBuffer(sepX);
        const survivorShape = sepWant.shape;
        expectError(
          caught(() => survivor.run(shared, c.out(survivorShape, shared) as Tensor)),
          c.error,
          "createSeparableConv2d",
          c.parts(survivorShape),
          `survivor: ${c.name}`,
        );
      });
    }

    it("a prepared layer recovers from a bad x, a bad out and a shape change", () => {
      for (const family of FAMILIES) {
        const e = ENTRIES[family];
        const inputs = base(family);
        const x = t(inputs.x);
        const want = e.reference(inputs);
        const layer = e.prepare(inputs);
        expectClose(layer.run(x), want, e.reduction, `${family}: first run`);
        expectError(
          caught(() => layer.run(tensor([1, 5, 5, 3]))),
          RangeError,
          e.create,
          ["x.shape[3] (3) must equal the filter's input channels (4)"],
          `${family}: bad x`,
        );
        expectClose(layer.run(x), want, e.reduction, `${family}: after a bad x`);
        const bigger = randomTensor(rng(5), [2, 6, 7, 4]);
        expectClose(layer.run(bigger), e.reference({ ...inputs, x: bigger }), e.reduction, `${family}: another shape`);
        expectError(
          caught(() => layer.run(x, tensor([1, 1, 1, 1]))),
          RangeError,
          e.create,
          ["out.shape ([1, 1, 1, 1])"],
        );
        const out = tensor(e.outShape);
        expectClose(layer.run(x, out), want, e.reduction, `${family}: after a bad out`);
        layer.dispose();
      }
    });

    it("run(x, x) on a layer whose output has x's shape: the aliasing error, x untouched", () => {
      const filter = randomTensor(rng(8), [4, 4]);
      const x = randomTensor(rng(9), [1, 5, 5, 4]);
      const xBefore = x.data.slice();
      const layer = createPointwiseConv2d(filter);
      expectError(
        caught(() => layer.run(x, x)),
        RangeError,
        "createPointwiseConv2d",
        ["out.data (Float32Array(100)) must not overlap x.data (in-place is not supported)"],
      );
      expect(x.data).toEqual(xBefore);
      expectClose(layer.run(x), reference.pointwiseConv2d(x, filter), 4, "after run(x, x)");
      layer.dispose();
    });

    it("out aliasing x through a second SharedArrayBuffer object cannot be detected, and is still correct", () => {
      // structuredClone gives a new SharedArrayBuffer object over the same memory: no check can
      // see the overlap, so the result must not depend on it (x is read in full before out is written).
      const shared = new SharedArrayBuffer(4 * 256);
      const x: Tensor = { data: new Float32Array(shared, 0, 100), shape: [1, 5, 5, 4] };
      x.data.set(randomTensor(rng(10), [100]).data);
      const alias: SharedArrayBuffer = structuredClone(shared);
      expect(alias).not.toBe(shared);
      for (const family of FAMILIES) {
        const e = ENTRIES[family];
        const inputs = base(family);
        const xCopy = { data: x.data.slice(), shape: x.shape };
        const want = e.reference({ ...inputs, x: xCopy });
        const out: Tensor = { data: new Float32Array(alias, 8, size(e.outShape)), shape: e.outShape };
        const layer = e.prepare(inputs);
        expect(layer.run(x, out)).toBe(out);
        expectClose(out, want, e.reduction, `${family}: aliased through a cloned SharedArrayBuffer`);
        layer.dispose();
        x.data.set(xCopy.data);
      }
    });

    it("run after dispose throws Error; dispose twice is harmless", () => {
      for (const family of FAMILIES) {
        const e = ENTRIES[family];
        const inputs = base(family);
        const layer = e.prepare(inputs);
        layer.run(t(inputs.x));
        layer.dispose();
        expect(() => layer.dispose()).not.toThrow();
        const parts = ["the layer was disposed; create a new one"];
        expectError(
          caught(() => layer.run(t(inputs.x))),
          Error,
          e.create,
          parts,
          `${family}: run(x)`,
        );
        const out = tensor(e.outShape);
        expectError(
          caught(() => layer.run(t(inputs.x), out)),
          Error,
          e.create,
          parts,
          `${family}: run(x, out)`,
        );
        expect(
          out.data.every((v) => v === 0.5),
          `${family}: out untouched after dispose`,
        ).toBe(true);
        // Disposed before any run, and disposed after a failed run.
        const fresh = e.prepare(inputs);
        fresh.dispose();
        fresh.dispose();
        expectError(
          caught(() => fresh.run(t(inputs.x))),
          Error,
          e.create,
          parts,
          `${family}: never run`,
        );
        const failed = e.prepare(inputs);
        caught(() => failed.run(tensor([1, 5, 5, 9])));
        failed.dispose();
        failed.dispose();
      }
    });

    describe("init", () => {
      async function expectInitError(options: unknown, type: ErrorClass, parts: readonly Part[]): Promise<void> {
        expectError(await caughtAsync(() => init(options as never)), type, "init", parts, `init(${String(options)})`);
        expect(backend(), "a failed init keeps the build in use").toBe(build);
      }

      it("unknown backend", async () => {
        await expectInitError({ backend: "gpu" }, RangeError, [`options.backend ("gpu") ${BACKEND_EXPECTATION}`]);
        await expectInitError({ backend: "SIMD" }, RangeError, [`options.backend ("SIMD") ${BACKEND_EXPECTATION}`]);
      });

      it("backend of the wrong type", async () => {
        await expectInitError({ backend: 5 }, TypeError, ["options.backend (5) must be"]);
        await expectInitError({ backend: null }, TypeError, ["options.backend (null) must be"]);
      });

      it("unknown option key", async () => {
        await expectInitError({ backends: "simd" }, TypeError, [
          "options.backends is not an option (expected backend, wasm, tiles, threads, workerUrl)",
        ]);
      });

      it("threads and workerUrl of the wrong type or range", async () => {
        await expectInitError({ threads: "2" }, TypeError, ['options.threads (2) must be "auto" or a number']);
        await expectInitError({ threads: "many" }, TypeError, ['options.threads (many) must be "auto" or a number']);
        for (const n of [0, -1, 1.5, Number.NaN, 65, Number.POSITIVE_INFINITY]) {
          await expectInitError({ threads: n }, RangeError, [
            `options.threads (${n}) must be a whole number from 1 to 64`,
          ]);
        }
        await expectInitError({ workerUrl: 5 }, TypeError, ["options.workerUrl (5) must be a string or a URL"]);
      });

      it("options of the wrong type", async () => {
        await expectInitError(null, TypeError, ["options (null) must be an object"]);
        await expectInitError("simd", TypeError, ['options ("simd") must be an object']);
        await expectInitError(["simd"], TypeError, ['options (["simd"]) must be an object']);
      });

      it("wasm of the wrong type", async () => {
        await expectInitError({ wasm: "sepconv.wasm" }, TypeError, [
          `options.wasm ("sepconv.wasm") ${WASM_EXPECTATION}`,
        ]);
        await expectInitError({ wasm: 42 }, TypeError, [`options.wasm (42) ${WASM_EXPECTATION}`]);
        await expectInitError({ wasm: null }, TypeError, [`options.wasm (null) ${WASM_EXPECTATION}`]);
        await expectInitError({ wasm: {} }, TypeError, [`options.wasm (an object) ${WASM_EXPECTATION}`]);
        await expectInitError({ wasm: [0, 97, 115, 109] }, TypeError, [
          `options.wasm ([0, 97, 115, 109]) ${WASM_EXPECTATION}`,
        ]);
      });

      it("wasm that is not a sepconv build", async () => {
        const parts = ["is not a sepconv build", "heapBase, buildKind"];
        await expectInitError({ wasm: EMPTY_MODULE }, RangeError, ["options.wasm (Uint8Array(8))", ...parts]);
        await expectInitError({ wasm: new WebAssembly.Module(EMPTY_MODULE) }, RangeError, [
          "options.wasm (a Module)",
          ...parts,
        ]);
      });

      it("wasm of another build than the backend asked for", async () => {
        const other = build === "scalar" ? "relaxed-simd" : "scalar";
        const asked = other === "scalar" ? "simd" : "scalar";
        await expectInitError({ backend: asked, wasm: WASM_BYTES[other] }, RangeError, [
          `options.backend ("${asked}") must match options.wasm, which is the '${other}' build`,
        ]);
      });

      it("a repeated init with the same backend keeps working", async () => {
        await init({ backend: build });
        expect(backend()).toBe(build);
      });
    });

    describe("cost", () => {
      const input = [1, 8, 8, 4];
      it("validates options and names the cost function", () => {
        const checks: [string, () => unknown, ErrorClass, string][] = [
          [
            "cost.depthwiseConv2d",
            () => cost.depthwiseConv2d(input, [3, 3, 4, 1], { strides: 0 }),
            RangeError,
            "options.strides (0)",
          ],
          [
            "cost.conv2d",
            () => cost.conv2d(input, [3, 3, 4, 8], { padding: [1, 1] as never }),
            RangeError,
            "options.padding ([1, 1])",
          ],
          [
            "cost.conv2d",
            () => cost.conv2d(input, [3, 3, 4, 8], { activation: 3 as never }),
            TypeError,
            "options.activation (3)",
          ],
          [
            "cost.pointwiseConv2d",
            () => cost.pointwiseConv2d(input, [4, 8], { foo: 1 } as never),
            TypeError,
            "options.foo is not an option",
          ],
          [
            "cost.pointwiseConv2d",
            () => cost.pointwiseConv2d(input, [4, 8], { dilations: 1.5 }),
            RangeError,
            "options.dilations (1.5)",
          ],
          [
            "cost.separableConv2d",
            () => cost.separableConv2d(input, [3, 3, 4, 1], [4, 8], { dilations: -1 }),
            RangeError,
            "options.dilations (-1)",
          ],
          [
            "cost.separableConv2d",
            () => cost.separableConv2d(input, [3, 3, 4, 1], [4, 8], { activation: "gelu" as never }),
            RangeError,
            'options.activation ("gelu")',
          ],
          [
            "cost.compareSeparable",
            () => cost.compareSeparable(input, 3, 8, { padding: "full" as never }),
            RangeError,
            'options.padding ("full")',
          ],
          [
            "cost.depthwiseConv2d",
            () => cost.depthwiseConv2d([1, 2, 2, 4], [3, 3, 4, 1]),
            RangeError,
            "output would be empty (0x0)",
          ],
        ];
        for (const [op, fn, type, part] of checks) expectError(caught(fn), type, op, [part], `${op} ${part}`);
        expect(cost.depthwiseConv2d(input, [3, 3, 4, 1], { padding: "same", bias: true }).params).toBe(40);
      });
    });

    describe("NaN and Infinity in data", () => {
      const r = rng(21);
      const x = randomTensor(r, [2, 7, 7, 3]);

      it("depthwise: NaN reaches only the windows that cover it, on the fast and generic paths", () => {
        const s: Special = { py: 1, px: 5, channel: 1 };
        const bad = withValue(x, s, Number.NaN);
        for (const [k, stride, dilation, m] of [
          [3, 1, 1, 1],
          [3, 2, 1, 1],
          [5, 1, 1, 1],
          [3, 1, 2, 2],
        ]) {
          const filter = randomTensor(r, [k, k, 3, m]);
          const pad = Math.floor(((k - 1) * dilation) / 2);
          const options: ConvOptions = {
            strides: stride,
            dilations: dilation,
            padding: pad,
            bias: randomArray(r, 3 * m),
          };
          const got = depthwiseConv2d(bad, filter, options);
          const label = `dw ${k}x${k} s${stride} d${dilation} m${m}`;
          checkSpecial(got, s, k, stride, dilation, pad, (oc) => Math.floor(oc / m) === s.channel, Number.isNaN, label);
          expectClose(got, reference.depthwiseConv2d(bad, filter, options), k * k, label);
        }
      });

      it("depthwise: +Infinity gives +Infinity where read; NaN in the bias fills its channel", () => {
        const s: Special = { py: 6, px: 0, channel: 2 };
        const filter = positive(r, [3, 3, 3, 1]);
        const got = depthwiseConv2d(withValue(x, s, Number.POSITIVE_INFINITY), filter, { padding: "same" });
        checkSpecial(
          got,
          s,
          3,
          1,
          1,
          1,
          (oc) => oc === 2,
          (v) => v === Number.POSITIVE_INFINITY,
          "dw +Infinity",
        );
        const bias = Float32Array.of(0, Number.NaN, 0);
        const biased = depthwiseConv2d(x, filter, { padding: "same", bias });
        for (let i = 0; i < biased.data.length; i++) {
          expect(Number.isNaN(biased.data[i]), `dw NaN bias element ${i}`).toBe(i % 3 === 1);
        }
      });

      it("pointwise: a NaN pixel gives NaN in that output pixel only", () => {
        const s: Special = { py: 3, px: 4, channel: 0 };
        const bad = withValue(x, s, Number.NaN);
        const filter = randomTensor(r, [3, 13]);
        const options: ConvOptions = { bias: randomArray(r, 13) };
        const got = pointwiseConv2d(bad, filter, options);
        checkSpecial(got, s, 1, 1, 1, 0, () => true, Number.isNaN, "pw NaN");
        expectClose(got, reference.pointwiseConv2d(bad, filter, options), 3, "pw NaN vs reference");
        const layer = createPointwiseConv2d({ data: filter.data, shape: [1, 1, 3, 13] }, options);
        const out = tensor([2, 7, 7, 13]);
        expectClose(layer.run(bad, out), got, 3, "pw prepared [1, 1, Cin, Cout] NaN");
        layer.dispose();
      });

      it("conv2d: +Infinity and a NaN weight", () => {
        const s: Special = { py: 2, px: 3, channel: 1 };
        const filter = positive(r, [3, 3, 3, 5]);
        const options: ConvOptions = { strides: 2, padding: [1, 1, 1, 1] };
        const got = conv2d(withValue(x, s, Number.POSITIVE_INFINITY), filter, options);
        checkSpecial(
          got,
          s,
          3,
          2,
          1,
          1,
          () => true,
          (v) => v === Number.POSITIVE_INFINITY,
          "conv +Infinity",
        );
        // A NaN weight of output channel 4 on the centre tap: every output of channel 4, nothing else.
        const nanFilter = { data: filter.data.slice(), shape: filter.shape };
        nanFilter.data[(1 * 3 + 1) * 3 * 5 + 0 * 5 + 4] = Number.NaN;
        const nan = conv2d(x, nanFilter, options);
        for (let i = 0; i < nan.data.length; i++)
          expect(Number.isNaN(nan.data[i]), `conv NaN weight ${i}`).toBe(i % 5 === 4);
      });

      it("separable: a NaN pixel poisons every channel of the outputs that read it, fused or prepared", () => {
        const s: Special = { py: 4, px: 2, channel: 2 };
        const bad = withValue(x, s, Number.NaN);
        const dw = randomTensor(r, [3, 3, 3, 2]);
        const pw = randomTensor(r, [6, 9]);
        const options: SeparableOptions = {
          padding: "same",
          depthwiseBias: randomArray(r, 6),
          bias: randomArray(r, 9),
        };
        const got = separableConv2d(bad, dw, pw, options);
        checkSpecial(got, s, 3, 1, 1, 1, () => true, Number.isNaN, "sep NaN");
        expectClose(got, reference.separableConv2d(bad, dw, pw, options), 9 * 6, "sep NaN vs reference");
        const layer = createSeparableConv2d(dw, pw, options);
        expectClose(layer.run(bad), got, 9 * 6, "sep prepared NaN");
        expectClose(layer.run(x), reference.separableConv2d(x, dw, pw, options), 9 * 6, "sep prepared after NaN");
        layer.dispose();
      });
    });

    it("still computes correct results after all the errors", () => {
      expect(backend()).toBe(build);
      const random2 = rng(99);
      const x = randomTensor(random2, [1, 6, 6, 5]);
      const filter = randomTensor(random2, [3, 3, 5, 2]);
      const options: ConvOptions = { strides: 2, padding: "same", bias: randomArray(random2, 10), activation: "relu6" };
      expectClose(depthwiseConv2d(x, filter, options), reference.depthwiseConv2d(x, filter, options), 9, "depthwise");
      expectClose(survivor.run(sepX), sepWant, 9 * 10, "survivor run(x)");
      const out = tensor(sepWant.shape);
      expect(survivor.run(sepX, out)).toBe(out);
      expectClose(out, sepWant, 9 * 10, "survivor run(x, out)");
      const fresh = createSeparableConv2d(sepDw, sepPw, sepOptions);
      expectClose(fresh.run(sepX), sepWant, 9 * 10, "a new separable layer");
      fresh.dispose();
      survivor.dispose();
    });
  });
}
