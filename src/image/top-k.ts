// topK: the k largest values of a tensor's last axis per row, as tf.topk returns them (values in
// descending order, ties by the lower index). NaN ranks above every number (as torch.topk, and
// NumPy's sort, treat it as the largest value), NaNs among themselves by index. tf.topk has no
// defined order around NaN (its comparison returns NaN, so a NaN lands wherever its selection
// leaves it); rows without NaN get tf.topk's result exactly.

import { show } from "../shapes.js";
import type { Tensor } from "../types.js";

export interface TopK {
  values: Float32Array;
  indices: Int32Array;
  /** The tensor's shape with the last axis k. */
  shape: number[];
}

/** b ranks before a: larger, NaN first, the lower index on a tie. */
function before(va: number, ia: number, vb: number, ib: number): boolean {
  const na = Number.isNaN(va);
  const nb = Number.isNaN(vb);
  if (na !== nb) return nb;
  if (!na && va !== vb) return vb > va;
  return ib < ia;
}

/** Puts (v, i) at the root of the heap of `size` and moves it down to its place. */
function siftDown(hv: Float32Array, hi: Int32Array, size: number, v: number, i: number): void {
  let at = 0;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= size) break;
    // The worse child (the one the other ranks before).
    if (child + 1 < size && before(hv[child + 1], hi[child + 1], hv[child], hi[child])) child++;
    if (!before(hv[child], hi[child], v, i)) break;
    hv[at] = hv[child];
    hi[at] = hi[child];
    at = child;
  }
  hv[at] = v;
  hi[at] = i;
}

export function topK(tensor: Tensor, k = 1): TopK {
  if (
    tensor === null ||
    typeof tensor !== "object" ||
    !(tensor.data instanceof Float32Array) ||
    !Array.isArray(tensor.shape)
  ) {
    throw new TypeError(`topK: tensor (${show(tensor)}) must be a { data: Float32Array, shape } tensor`);
  }
  const n = tensor.shape[tensor.shape.length - 1];
  let size = 1;
  for (const d of tensor.shape) size *= Number.isInteger(d) && d >= 1 ? d : Number.NaN;
  if (tensor.shape.length === 0 || !(size === tensor.data.length)) {
    throw new RangeError(
      `topK: tensor.shape (${show(tensor.shape)}) must be one or more positive integers whose product is its data's length (${tensor.data.length})`,
    );
  }
  if (typeof k !== "number") throw new TypeError(`topK: k (${show(k)}) must be a number`);
  if (!(Number.isInteger(k) && k >= 1 && k <= n))
    throw new RangeError(`topK: k (${show(k)}) must be an integer from 1 to ${n} (the last axis)`);
  const rows = tensor.data.length / n;
  const values = new Float32Array(rows * k);
  const indices = new Int32Array(rows * k);
  // Per row, a binary heap of the best k so far with the worst of them at its root: a value is
  // compared with the root and, only when it ranks before it, replaces it (O(log k)); then the
  // heap is emptied worst first into the row's output from its end. O(n log k) at worst, about
  // n comparisons when few values displace the root (the usual case for small k).
  const hv = new Float32Array(k);
  const hi = new Int32Array(k);
  const data = tensor.data;
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let i = 0; i < k; i++) {
      // Sift up: a parent must rank after (be worse than) its children.
      const v = data[base + i];
      let at = i;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!before(v, i, hv[parent], hi[parent])) break;
        hv[at] = hv[parent];
        hi[at] = hi[parent];
        at = parent;
      }
      hv[at] = v;
      hi[at] = i;
    }
    // before(root, v) without its index test: every kept index is below i, so a tie never
    // displaces the root; a NaN displaces a number.
    let worst = hv[0];
    for (let i = k; i < n; i++) {
      const v = data[base + i];
      if (v > worst || (Number.isNaN(v) && !Number.isNaN(worst))) {
        siftDown(hv, hi, k, v, i);
        worst = hv[0];
      }
    }
    const out = r * k;
    for (let size = k; size > 0; size--) {
      values[out + size - 1] = hv[0];
      indices[out + size - 1] = hi[0];
      if (size > 1) siftDown(hv, hi, size - 1, hv[size - 1], hi[size - 1]);
    }
  }
  return { values, indices, shape: [...tensor.shape.slice(0, -1), k] };
}
