// The benchmark cases: every layer of bench/models/*.txt (dw, pw, conv) and every separable
// block (a dw line followed by a pw line), with output size, multiply-adds and seeded data.
import { separableBlocks } from "./model-shapes.mjs";
import { readModels } from "./models.mjs";

export const CATEGORIES = ["depthwise", "pointwise", "separable block", "standard conv"];
const CATEGORY = { dw: "depthwise", pw: "pointwise", conv: "standard conv", sep: "separable block" };

/** Output height and width ('same' or 'valid'). */
export function outSize(layer) {
  const along = (size) =>
    layer.padding === "same" ? Math.ceil(size / layer.stride) : Math.floor((size - layer.k) / layer.stride) + 1;
  return [along(layer.h), along(layer.w)];
}

/** Multiply-adds of one case (a separable block counts both stages). */
export function macsOf(layer) {
  const [oh, ow] = outSize(layer);
  const pixels = oh * ow;
  const dw = pixels * layer.cin * layer.k * layer.k;
  const pw = pixels * layer.cin * layer.cout;
  return { dw, pw, conv: pixels * layer.k * layer.k * layer.cin * layer.cout, sep: dw + pw }[layer.op];
}

/** "dw4 3x3 56x56x128→128 s2": what a table row or chart label shows. */
export function describe(layer) {
  const s = layer.stride > 1 ? ` s${layer.stride}` : "";
  const k = layer.op === "pw" ? "" : ` ${layer.k}x${layer.k}`;
  return `${layer.name}${k} ${layer.h}x${layer.w}x${layer.cin}→${layer.cout}${s}`;
}

/**
 * Every case of the chosen models, layers first (in file order) then separable blocks.
 * @param {{ model?: string, only?: string[], quick?: boolean }} filter
 *   model: substring of the model name ("v1", "v2"); only: layer or block names;
 *   quick: per model the first conv, and the first 14x14 (or smaller) case of each category.
 */
export function readCases(filter = {}) {
  return casesOf(readModels(), filter);
}

/** readCases over models already read ({ model, layers }[]): no file system, for the browser page. */
export function casesOf(models, { model, only, quick } = {}) {
  const cases = [];
  for (const m of models) {
    if (model && !m.model.includes(model)) continue;
    const mine = [];
    for (const layer of m.layers) mine.push(makeCase(m.model, layer));
    for (const { depthwise, pointwise } of separableBlocks(m.layers)) {
      const layer = { ...depthwise, op: "sep", cout: pointwise.cout, name: `${depthwise.name}+${pointwise.name}` };
      mine.push(makeCase(m.model, layer));
    }
    let chosen = mine;
    if (only?.length) chosen = chosen.filter((c) => only.includes(c.layer.name));
    if (quick) {
      chosen = CATEGORIES.map(
        (cat) =>
          chosen.find((c) => c.category === cat && (cat === "standard conv" || c.layer.h <= 14)) ??
          chosen.find((c) => c.category === cat),
      ).filter(Boolean);
    }
    cases.push(...chosen);
  }
  return cases;
}

function makeCase(model, layer) {
  const [oh, ow] = outSize(layer);
  return {
    id: `${model}/${layer.name}`,
    model,
    category: CATEGORY[layer.op],
    layer,
    outShape: [1, oh, ow, layer.cout],
    macs: macsOf(layer),
  };
}

/** Seeded uniform values in [-scale, scale). */
export function random(n, seed, scale = 1) {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = (s / 2 ** 31 - 1) * scale;
  }
  return a;
}

/**
 * Input and weights of a case, NHWC / TensorFlow layouts: x [1, H, W, Cin]; filter
 * [k, k, Cin, 1] (dw) or [k, k, Cin, Cout] (pw, conv); separable: dwFilter [k, k, Cin, 1] and
 * pwFilter [Cin, Cout]. Weights are scaled by 1/sqrt(fan-in) so outputs stay mostly inside
 * relu6's linear range, which keeps the cross-check between peers sensitive.
 */
export function dataFor({ layer }) {
  const { k, cin, cout, op } = layer;
  const k2 = k * k;
  return {
    x: random(layer.h * layer.w * cin, 1),
    filter: op === "dw" ? random(k2 * cin, 2, 1 / k) : random(k2 * cin * cout, 2, 1 / Math.sqrt(k2 * cin)),
    bias: random(op === "dw" ? cin : cout, 3, 0.1),
    dwFilter: random(k2 * cin, 4, 1 / k),
    pwFilter: random(cin * cout, 5, 1 / Math.sqrt(cin)),
    dwBias: random(cin, 6, 0.1),
  };
}

/** max |got - want| / max |want|: 0 for identical outputs, small for rounding differences. */
export function relativeError(got, want) {
  if (got.length !== want.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    if (d > diff) diff = d;
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / (scale || 1);
}
