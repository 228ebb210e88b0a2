// A shared-memory build differs from its single-thread twin only where the memory is declared
// (asc --importMemory --sharedMemory: an imported shared memory instead of a defined one); the code is
// the same bytes. Embedding both would add ~54 KB of base64 per build, so the default entry carries
// the twin and this delta: how many leading and trailing bytes the two share, and the bytes between.
// src/embedded/delta.ts applies it at init; scripts/build.mjs checks that applying it gives back
// the asc output byte for byte.

/** { prefix, middle, suffix } such that target = base[0, prefix) + middle + base[base.length - suffix, ...). */
export function delta(base, target) {
  let prefix = 0;
  while (prefix < base.length && prefix < target.length && base[prefix] === target[prefix]) prefix++;
  let suffix = 0;
  const room = Math.min(base.length, target.length) - prefix;
  while (suffix < room && base[base.length - 1 - suffix] === target[target.length - 1 - suffix]) suffix++;
  return { prefix, middle: target.subarray(prefix, target.length - suffix), suffix };
}
