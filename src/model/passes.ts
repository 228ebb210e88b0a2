// The small layers as plain loops over the arena (a Float32Array with indices into it):
// elementwise adds, activations the kernels cannot fuse, standalone batch norms, padding and
// pooling. They move a few hundred thousand floats per MobileNet inference, about 1% of its
// time, so they stay in JS. Adds and activations round each step to float32 as the kernels
// do; the reductions (average pooling, global average) and a standalone batch norm compute in
// double and round once on the store, as TensorFlow.js's CPU backend does for pooling. No
// allocation: everything is indices into `mem`.

import { hardswish } from "../reference/activation.js";
import type { Geometry } from "../shapes.js";
import type { Act } from "./graph.js";

/** y[i] = sum over inputs of input[i]; `inputs` are start indices. */
export function addPass(mem: Float32Array, inputs: readonly number[], y: number, size: number): void {
  const first = inputs[0];
  if (inputs.length === 2) {
    // The usual residual Add, without the loop over inputs (block_2_add: 0.22 -> 0.13 ms).
    const second = inputs[1];
    for (let i = 0; i < size; i++) mem[y + i] = mem[first + i] + mem[second + i];
    return;
  }
  for (let i = 0; i < size; i++) {
    let sum = mem[first + i];
    // Rounded at each addition, as the 2-input Add and TensorFlow.js's Add (float32 steps) do.
    for (let k = 1; k < inputs.length; k++) sum = Math.fround(sum + mem[inputs[k] + i]);
    mem[y + i] = sum;
  }
}

/** The activation of `size` values; softmax is taken over groups of `channels` (the last axis). */
export function activationPass(
  mem: Float32Array,
  x: number,
  y: number,
  size: number,
  channels: number,
  act: Act,
): void {
  if (act === "softmax") {
    for (let row = 0; row < size; row += channels) softmaxRow(mem, x + row, y + row, channels);
    return;
  }
  if (typeof act === "object") {
    // Keras 2's backend.relu: values above the threshold pass (clipped to [0, maxValue] when
    // a maxValue is set), the rest give negativeSlope * (x - threshold).
    const { maxValue, negativeSlope, threshold } = act;
    const clip = Number.isFinite(maxValue);
    for (let i = 0; i < size; i++) {
      const v = mem[x + i];
      let pos = threshold !== 0 ? (v > threshold ? v : 0) : Math.max(v, 0);
      if (clip) pos = Math.min(Math.max(pos, 0), maxValue);
      const below = threshold - v;
      mem[y + i] = negativeSlope !== 0 && below > 0 ? pos - negativeSlope * below : pos;
    }
    return;
  }
  for (let i = 0; i < size; i++) {
    const v = mem[x + i];
    let r = v;
    if (act === "relu") r = Math.max(v, 0);
    else if (act === "relu6") r = Math.min(Math.max(v, 0), 6);
    else if (act === "hardswish") r = hardswish(v);
    else if (act === "sigmoid") r = 1 / (1 + Math.exp(-v));
    else if (act === "tanh") r = Math.tanh(v);
    else if (act === "elu") r = v < 0 ? Math.exp(v) - 1 : v;
    // As tfjs-layers composes them: sigmoid rounded to float32, then the product.
    else if (act === "swish") r = Math.fround(1 / (1 + Math.exp(-v))) * v;
    else if (act === "hard-sigmoid") r = Math.min(Math.max(Math.fround(Math.fround(0.2 * v) + 0.5), 0), 1);
    mem[y + i] = r;
  }
}

function softmaxRow(mem: Float32Array, x: number, y: number, n: number): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (mem[x + i] > max) max = mem[x + i];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(mem[x + i] - max);
  for (let i = 0; i < n; i++) mem[y + i] = Math.exp(mem[x + i] - max) / sum;
}

/** y = x * scale[c] + shift[c] over the last axis. */
export function affinePass(
  mem: Float32Array,
  x: number,
  y: number,
  size: number,
  scale: Float64Array,
  shift: Float64Array,
): void {
  const channels = scale.length;
  if (channels === 1) {
    // A scalar (input normalisation): one multiply-add per value, no inner loop (2x faster in V8).
    const s = scale[0];
    const b = shift[0];
    for (let i = 0; i < size; i++) mem[y + i] = mem[x + i] * s + b;
    return;
  }
  for (let i = 0; i < size; i += channels) {
    for (let c = 0; c < channels; c++) mem[y + i + c] = mem[x + i + c] * scale[c] + shift[c];
  }
}

/**
 * Zero padding of `batch` images h x w x c by [top, bottom, left, right], and by `before` and
 * `after` channels.
 */
export function padPass(
  mem: Float32Array,
  x: number,
  y: number,
  batch: number,
  h: number,
  w: number,
  c: number,
  pads: readonly number[],
  before = 0,
  after = 0,
): void {
  const [top, bottom, left, right] = pads;
  const outC = c + before + after;
  const outW = w + left + right;
  const outRow = outW * outC;
  const outImage = (h + top + bottom) * outRow;
  mem.fill(0, y, y + batch * outImage);
  for (let b = 0; b < batch; b++) {
    for (let row = 0; row < h; row++) {
      const from = x + (b * h + row) * w * c;
      const to = y + b * outImage + (row + top) * outRow + left * outC + before;
      if (outC === c) mem.copyWithin(to, from, from + w * c);
      else for (let p = 0; p < w; p++) mem.copyWithin(to + p * outC, from + p * c, from + (p + 1) * c);
    }
  }
}

/**
 * A transposed convolution of `batch` images h x w x c (filter [outC, kH, kW, c]) into
 * outH x outW x outC, accumulated in double and rounded once per output, plus the bias.
 */
export function convTransposePass(
  mem: Float32Array,
  x: number,
  y: number,
  batch: number,
  h: number,
  w: number,
  c: number,
  outH: number,
  outW: number,
  node: {
    filter: Float32Array;
    kH: number;
    kW: number;
    strideH: number;
    strideW: number;
    outChannels: number;
    bias: Float32Array | undefined;
  },
  acc: Float64Array,
): void {
  const { filter, kH, kW, strideH, strideW, outChannels: oc, bias } = node;
  // TensorFlow's rule: the padding the forward conv of this output would have, split low-first.
  const padTop = Math.floor(Math.max((h - 1) * strideH + kH - outH, 0) / 2);
  const padLeft = Math.floor(Math.max((w - 1) * strideW + kW - outW, 0) / 2);
  const outImage = outH * outW * oc;
  for (let b = 0; b < batch; b++) {
    acc.fill(0, 0, outImage);
    const image = x + b * h * w * c;
    for (let iy = 0; iy < h; iy++) {
      for (let ix = 0; ix < w; ix++) {
        const pixel = image + (iy * w + ix) * c;
        for (let ky = 0; ky < kH; ky++) {
          const oy = iy * strideH + ky - padTop;
          if (oy < 0 || oy >= outH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ox = ix * strideW + kx - padLeft;
            if (ox < 0 || ox >= outW) continue;
            const out = (oy * outW + ox) * oc;
            for (let o = 0; o < oc; o++) {
              const tap = ((o * kH + ky) * kW + kx) * c;
              let sum = 0;
              for (let ci = 0; ci < c; ci++) sum += mem[pixel + ci] * filter[tap + ci];
              acc[out + o] += sum;
            }
          }
        }
      }
    }
    const to = y + b * outImage;
    for (let i = 0; i < outImage; i++) mem[to + i] = acc[i] + (bias ? bias[i % oc] : 0);
  }
}

/**
 * Average or max pooling with TensorFlow's rules: padding is not counted in an average and
 * never wins a max.
 */
export function poolPass(
  mem: Float32Array,
  x: number,
  y: number,
  batch: number,
  h: number,
  w: number,
  c: number,
  g: Geometry,
  kind: "avg" | "max",
): void {
  let o = y;
  for (let b = 0; b < batch; b++) {
    const image = x + b * h * w * c;
    for (let oy = 0; oy < g.outH; oy++) {
      const y0 = Math.max(0, oy * g.strideH - g.padTop);
      const y1 = Math.min(h, oy * g.strideH - g.padTop + g.kH);
      for (let ox = 0; ox < g.outW; ox++) {
        const x0 = Math.max(0, ox * g.strideW - g.padLeft);
        const x1 = Math.min(w, ox * g.strideW - g.padLeft + g.kW);
        const count = (y1 - y0) * (x1 - x0);
        for (let ch = 0; ch < c; ch++) {
          let acc = kind === "max" ? -Infinity : 0;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const v = mem[image + (iy * w + ix) * c + ch];
              if (kind === "max") acc = v > acc || Number.isNaN(v) ? v : acc;
              else acc += v;
            }
          }
          mem[o++] = kind === "max" ? acc : acc / count;
        }
      }
    }
  }
}

/** Mean over the pixels of each image, per channel. */
export function globalAvgPoolPass(
  mem: Float32Array,
  x: number,
  y: number,
  batch: number,
  pixels: number,
  c: number,
): void {
  for (let b = 0; b < batch; b++) {
    for (let ch = 0; ch < c; ch++) {
      let acc = 0;
      for (let p = 0; p < pixels; p++) acc += mem[x + (b * pixels + p) * c + ch];
      mem[y + b * c + ch] = acc / pixels;
    }
  }
}

/**
 * Inputs joined along the channel axis: `inputs` are start indices, `widths` their channel
 * counts, `rows` the number of pixels (batch included).
 */
export function concatPass(
  mem: Float32Array,
  inputs: readonly number[],
  widths: readonly number[],
  y: number,
  rows: number,
): void {
  let total = 0;
  for (let k = 0; k < widths.length; k++) total += widths[k];
  let column = 0;
  for (let k = 0; k < inputs.length; k++) {
    const c = widths[k];
    const x = inputs[k];
    if (c === 1) {
      for (let p = 0; p < rows; p++) mem[y + p * total + column] = mem[x + p];
    } else {
      for (let p = 0; p < rows; p++) mem.copyWithin(y + p * total + column, x + p * c, x + (p + 1) * c);
    }
    column += c;
  }
}

/**
 * y = a * b elementwise; when `b` has fewer values it is `period` values broadcast over
 * every image's pixels (a [1, 1, C] gate per image: `perImage` values per image of `a`).
 */
export function mulPass(
  mem: Float32Array,
  a: number,
  b: number,
  y: number,
  size: number,
  period: number,
  perImage: number,
): void {
  if (period === size) {
    for (let i = 0; i < size; i++) mem[y + i] = mem[a + i] * mem[b + i];
    return;
  }
  for (let start = 0, image = 0; start < size; start += perImage, image += period) {
    for (let i = 0; i < perImage; i++) mem[y + start + i] = mem[a + start + i] * mem[b + image + (i % period)];
  }
}
