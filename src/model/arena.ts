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
  /** Distinct offsets in use, ascending; per offset the items there by first op, and the time they span. */
  const starts: number[] = [];
  const groups: number[][] = [];
  const spanFirst: number[] = [];
  const spanLast: number[] = [];
  let total = 0;
  for (const i of order) {
    const size = sizes[i];
    if (size === 0) continue; // occupies nothing
    const first = firsts[i];
    const last = lasts[i];
    let offset = 0;
    for (let s = 0; s < starts.length; s++) {
      const start = starts[s];
      if (offset + size <= start) break;
      if (spanFirst[s] > last || spanLast[s] < first) continue;
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
    while (s < starts.length && starts[s] < offset) s++;
    if (starts[s] !== offset) {
      starts.splice(s, 0, offset);
      groups.splice(s, 0, []);
      spanFirst.splice(s, 0, first);
      spanLast.splice(s, 0, last);
    }
    const group = groups[s];
    let at = group.length;
    while (at > 0 && firsts[group[at - 1]] > first) at--;
    group.splice(at, 0, i);
    spanFirst[s] = Math.min(spanFirst[s], first);
    spanLast[s] = Math.max(spanLast[s], last);
    total = Math.max(total, offset + size);
  }
  return { offsets, total };
}
