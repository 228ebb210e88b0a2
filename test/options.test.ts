// Options in the forms TensorFlow.js and Keras users write them: TensorFlow.js's explicit
// padding [[0, 0], [t, b], [l, r], [0, 0]] and a named { top, bottom, left, right } beside the
// flat [top, bottom, left, right]; Keras's "hard_swish" (and Keras 3's "hard_silu") for
// hardswish. Each form computes what the flat form does, bit for bit, on every build; a
// malformed one is refused by name; names are looked up as own properties only.

import { beforeAll, describe, expect, it } from "vitest";
import { init, type Padding, type SeparableOptions, type Tensor } from "../src/index.js";
import { bits, OPS, type OpCase, oneShot, prepare, referenceOf } from "./cases.js";
import { ALL_BACKENDS, caught, randomArray, randomTensor, rng } from "./helpers.js";

/** A case of `op` on x [2, 6, 7, 3] with the given options (weights seeded per op). */
function caseOf(op: OpCase["op"], options: SeparableOptions): OpCase {
  const r = rng(11);
  const dw = randomTensor(r, [3, 2, 3, 2]);
  switch (op) {
    case "depthwise":
      return { op, filter: dw, options };
    case "pointwise":
      return { op, filter: randomTensor(r, [3, 5]), options };
    case "conv":
      return { op, filter: randomTensor(r, [3, 2, 3, 5]), options };
    case "separable":
      return { op, filter: dw, pointwiseFilter: randomTensor(r, [6, 5]), options };
  }
}

const X: Tensor = randomTensor(rng(12), [2, 6, 7, 3]);

/** Every way to write pads [top 2, bottom 0, left 1, right 3]. */
const FLAT: Padding = [2, 0, 1, 3];
const SAME_PADS: readonly Padding[] = [
  [
    [0, 0],
    [2, 0],
    [1, 3],
    [0, 0],
  ],
  { top: 2, bottom: 0, left: 1, right: 3 },
  { right: 3, left: 1, bottom: 0, top: 2 },
];

/** The call throws exactly `type` with a message starting with `op: ` and containing `part`. */
function expectRefused(fn: () => unknown, type: typeof TypeError | typeof RangeError, op: string, part: string) {
  const e = caught(fn);
  expect(e.constructor.name, e.message).toBe(type.name);
  expect(e.message.startsWith(`${op}: `), e.message).toBe(true);
  expect(e.message).toContain(part);
}

for (const build of ALL_BACKENDS) {
  describe(`options in TensorFlow.js's and Keras's forms on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    for (const op of OPS) {
      it(`${op}: explicit and named padding compute what [top, bottom, left, right] does`, () => {
        const options = { strides: [2, 1] as [number, number], bias: randomArray(rng(13), op === "depthwise" ? 6 : 5) };
        const flat = caseOf(op, { ...options, padding: FLAT });
        const want = bits(oneShot(flat, X));
        // [2, 0, 1, 3] on 6x7 with a 3x2 kernel, strides [2, 1]: floor((8 - 3) / 2) + 1 = 3 rows,
        // 7 + 4 - 2 + 1 = 10 columns (so the pads are not read as [t, l, b, r]).
        expect(oneShot(flat, X).shape.slice(1, 3)).toEqual(op === "pointwise" ? [4, 11] : [3, 10]);
        for (const padding of SAME_PADS) {
          const c = caseOf(op, { ...options, padding });
          const label = `${op} padding ${JSON.stringify(padding)}`;
          expect(bits(oneShot(c, X)), `${label} one-shot`).toEqual(want);
          const layer = prepare(c);
          expect(bits(layer.run(X)), `${label} prepared`).toEqual(want);
          layer.dispose();
          expect(bits(referenceOf(c, X)), `${label} reference`).toEqual(bits(referenceOf(flat, X)));
        }
      });

      it(`${op}: "hard_swish" and "hard_silu" are "hardswish"`, () => {
        const depthwise = op === "separable" ? { depthwiseActivation: "hardswish" as const } : {};
        const want = bits(oneShot(caseOf(op, { padding: "same", activation: "hardswish", ...depthwise }), X));
        for (const name of ["hard_swish", "hard_silu"] as const) {
          const c = caseOf(op, {
            padding: "same",
            activation: name,
            ...(op === "separable" && { depthwiseActivation: name }),
          });
          expect(bits(oneShot(c, X)), name).toEqual(want);
          const layer = prepare(c);
          expect(bits(layer.run(X)), `${name} prepared`).toEqual(want);
          layer.dispose();
        }
      });
    }
  });
}

describe("malformed padding and names are refused by name", () => {
  beforeAll(() => init({ backend: "js" }));
  const run = (options: unknown) => () => oneShot(caseOf("depthwise", options as SeparableOptions), X);
  const OP = "depthwiseConv2d";

  it("TensorFlow.js's explicit form pads height and width only", () => {
    const pad = (batch: unknown, channel: unknown) => ({ padding: [batch, [1, 1], [1, 1], channel] });
    expectRefused(
      run(pad([1, 0], [0, 0])),
      RangeError,
      OP,
      "options.padding[0] ([1, 0]) must be [0, 0]: the batch axis is not padded (the form is [[0, 0], [top, bottom], [left, right], [0, 0]], NHWC)",
    );
    expectRefused(
      run(pad([0, 0], [0, 2])),
      RangeError,
      OP,
      "options.padding[3] ([0, 2]) must be [0, 0]: the channel axis is not padded",
    );
    expectRefused(
      run({
        padding: [
          [0, 0],
          [1, -1],
          [1, 1],
          [0, 0],
        ],
      }),
      RangeError,
      OP,
      "options.padding[1] ([1, -1]) must be a pair of non-negative integers",
    );
    expectRefused(
      run({ padding: [[0, 0], [1], [1, 1], [0, 0]] }),
      RangeError,
      OP,
      "options.padding[1] ([1]) must be a pair of non-negative integers",
    );
    expectRefused(
      run({ padding: [[0, 0], 1, [1, 1], [0, 0]] }),
      TypeError,
      OP,
      "options.padding[1] (1) must be a pair [before, after] like the other entries",
    );
    // NCHW's [[0, 0], [0, 0], [t, b], [l, r]] pads the channels of an NHWC tensor: refused.
    expectRefused(
      run({
        padding: [
          [0, 0],
          [0, 0],
          [1, 1],
          [1, 1],
        ],
      }),
      RangeError,
      OP,
      "options.padding[3] ([1, 1])",
    );
    // Two pairs ([[t, b], [l, r]], Keras's ZeroPadding2D form) is not an op option.
    expectRefused(
      run({
        padding: [
          [1, 1],
          [1, 1],
        ],
      }),
      RangeError,
      OP,
      "options.padding ([[1, 1], [1, 1]]) must be a non-negative integer or 4 of them [top, bottom, left, right]",
    );
  });

  it("named padding needs every side, as an own property, and no other key", () => {
    expectRefused(
      run({ padding: { top: 1, bottom: 1, left: 1 } }),
      TypeError,
      OP,
      "options.padding.right (undefined) must be a non-negative integer (every side is needed)",
    );
    expectRefused(
      run({ padding: { top: 1, bottom: 1, left: 1, right: -2 } }),
      RangeError,
      OP,
      "options.padding.right (-2) must be a non-negative integer",
    );
    expectRefused(
      run({ padding: { top: 1, bottom: 1, left: 1, right: "1" } }),
      TypeError,
      OP,
      'options.padding.right ("1") must be a non-negative integer',
    );
    expectRefused(
      run({ padding: { top: 1, bottom: 1, left: 1, right: 1, front: 0 } }),
      TypeError,
      OP,
      "options.padding.front is not a side (expected top, bottom, left, right)",
    );
    // Sides inherited from a prototype are not given.
    const inherited = Object.create({ top: 1, bottom: 1, left: 1, right: 1 });
    expectRefused(run({ padding: inherited }), TypeError, OP, "options.padding.top (undefined) must be");
    // JSON's "__proto__" is an own key, not a side.
    const parsed = JSON.parse('{"top": 1, "bottom": 1, "left": 1, "right": 1, "__proto__": {"top": 9}}');
    expectRefused(run({ padding: parsed }), TypeError, OP, "options.padding.__proto__ is not a side");
    expectRefused(
      run({ padding: Int32Array.of(1, 1, 1, 1) }),
      TypeError,
      OP,
      "options.padding (Int32Array(4)) must be",
    );
  });

  it("every Object.prototype name is refused as an activation or a padding", () => {
    for (const name of Object.getOwnPropertyNames(Object.prototype)) {
      for (const [key, op] of [
        ["activation", "depthwise"],
        ["depthwiseActivation", "separable"],
      ] as const) {
        expectRefused(
          () => oneShot(caseOf(op, { [key]: name } as SeparableOptions), X),
          RangeError,
          op === "depthwise" ? OP : "separableConv2d",
          `options.${key} (${JSON.stringify(name)}) must be one of "linear", "relu", "relu6", "hardswish" (or Keras's "hard_swish", "hard_silu")`,
        );
      }
      expectRefused(run({ padding: name }), RangeError, OP, `options.padding (${JSON.stringify(name)}) must be 'same'`);
      // As an option's name, own (JSON.parse makes "__proto__" an own key too): not an option.
      const options = JSON.parse(`{${JSON.stringify(name)}: 1}`);
      expectRefused(run(options), TypeError, OP, `options.${name} is not an option (expected one of strides`);
    }
  });
});
