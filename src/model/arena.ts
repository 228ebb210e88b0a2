// Offsets for tensors in one arena, shared across time: two tensors may overlap in memory only
// if their lifetimes (the ops from the one that writes them to the last that reads them) do
// not overlap. Greedy by size, largest first, each at the lowest offset that fits, as
// TensorFlow Lite's arena planner does; for a chain of layers this lands close to the largest
// pair of tensors alive at once.

export interface Lifetime {
  /** Floats. */
  size: number;
  /** First and last op index (inclusive) during which the tensor must hold its value. */
  first: number;
  last: number;
}

/** Floats per alignment unit: 16 bytes, so every tensor starts on a v128 boundary. */
const ALIGN = 4;

function aligned(size: number): number {
  return Math.ceil(size / ALIGN) * ALIGN;
}

/**
 * Placed tensors are kept grouped by offset, and each group sorted by time: tensors at one
 * offset share memory, so their lifetimes are disjoint, and the ones overlapping a new tensor's
 * lifetime are found by binary search. For a chain of layers a placement looks at a few groups
 * instead of every tensor placed before (which made plans quadratic in the number of layers);
 * for tensors all alive at once (a wide fan-out) it is one cheap test per group.
 */
export function assignOffsets(items: Lifetime[]): { offsets: number[]; total: number } {
  const n = items.length;
  const offsets = new Array<number>(n).fill(0);
  const firsts = new Float64Array(n);
  const lasts = new Float64Array(n);
  const sizes = new Float64Array(n);
  items.forEach((item, i) => {
    firsts[i] = item.first;
    lasts[i] = item.last;
    sizes[i] = aligned(item.size);
  });
  const order = items.map((_, i) => i).sort((a, b) => items[b].size - items[a].size || items[a].first - items[b].first);
  // Distinct offsets in use, ascending (count of them: `used`); per offset the items there by
  // first op, the time they span, and the end of its one item when it has one (the common case,
  // read without touching the group).
  let used = 0;
  const starts = new Float64Array(n);
  const spanFirst = new Float64Array(n);
  const spanLast = new Float64Array(n);
  const soleEnd = new Float64Array(n);
  const groups: number[][] = [];
  let total = 0;
  for (const i of order) {
    const size = sizes[i];
    if (size === 0) continue; // occupies nothing
    const first = firsts[i];
    const last = lasts[i];
    let offset = 0;
    for (let s = 0; s < used; s++) {
      const start = starts[s];
      if (offset + size <= start) break;
      if (spanFirst[s] > last || spanLast[s] < first) continue;
      if (soleEnd[s] > 0) {
        offset = Math.max(offset, soleEnd[s]); // its span is its item's lifetime: they overlap
        continue;
      }
      const group = groups[s];
      // The first item of the group still alive at `first` (lasts ascend as firsts do).
      let lo = 0;
      let hi = group.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (lasts[group[mid]] < first) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < group.length && firsts[group[k]] <= last; k++) {
        offset = Math.max(offset, start + sizes[group[k]]);
      }
    }
    offsets[i] = offset;
    let s = 0;
    while (s < used && starts[s] < offset) s++;
    if (s === used || starts[s] !== offset) {
      for (const column of [starts, spanFirst, spanLast, soleEnd]) column.copyWithin(s + 1, s, used);
      groups.splice(s, 0, []);
      used++;
      starts[s] = offset;
      spanFirst[s] = first;
      spanLast[s] = last;
    }
    const group = groups[s];
    let at = group.length;
    while (at > 0 && firsts[group[at - 1]] > first) at--;
    group.splice(at, 0, i);
    soleEnd[s] = group.length === 1 ? offset + size : 0;
    spanFirst[s] = Math.min(spanFirst[s], first);
    spanLast[s] = Math.max(spanLast[s], last);
    total = Math.max(total, offset + size);
  }
  return { offsets, total };
}
