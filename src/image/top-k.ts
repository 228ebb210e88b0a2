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
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const out = r * k;
    let count = 0;
    // Insertion into a sorted list of at most k: O(n k), small for the usual k.
    for (let i = 0; i < n; i++) {
      const v = tensor.data[base + i];
      if (count === k && !before(values[out + k - 1], indices[out + k - 1], v, i)) continue;
      let at = count < k ? count++ : k - 1;
      while (at > 0 && before(values[out + at - 1], indices[out + at - 1], v, i)) {
        values[out + at] = values[out + at - 1];
        indices[out + at] = indices[out + at - 1];
        at--;
      }
      values[out + at] = v;
      indices[out + at] = i;
    }
  }
  return { values, indices, shape: [...tensor.shape.slice(0, -1), k] };
}
