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

export function assignOffsets(items: Lifetime[]): { offsets: number[]; total: number } {
  const offsets = new Array<number>(items.length).fill(0);
  const placed: number[] = [];
  const order = items.map((_, i) => i).sort((a, b) => items[b].size - items[a].size || items[a].first - items[b].first);
  let total = 0;
  for (const i of order) {
    const item = items[i];
    const size = Math.ceil(item.size / ALIGN) * ALIGN;
    const busy = placed
      .filter((j) => items[j].first <= item.last && item.first <= items[j].last)
      .map((j) => [offsets[j], offsets[j] + Math.ceil(items[j].size / ALIGN) * ALIGN])
      .sort((a, b) => a[0] - b[0]);
    let offset = 0;
    for (const [start, end] of busy) {
      if (offset + size <= start) break;
      offset = Math.max(offset, end);
    }
    offsets[i] = offset;
    placed.push(i);
    total = Math.max(total, offset + size);
  }
  return { offsets, total };
}
