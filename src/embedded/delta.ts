// Undoes scripts/delta.mjs: a shared-memory build from its single-thread twin and the bytes
// where they differ (the memory declaration; see there).

/** base[0, prefix) + middle + the last `suffix` bytes of base. */
export function applyDelta(
  base: Uint8Array,
  prefix: number,
  middle: Uint8Array,
  suffix: number,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(prefix + middle.length + suffix);
  out.set(base.subarray(0, prefix), 0);
  out.set(middle, prefix);
  out.set(base.subarray(base.length - suffix), prefix + middle.length);
  return out;
}
