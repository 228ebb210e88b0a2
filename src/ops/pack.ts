// Packing weights into wasm memory, shared by prepared layers and loaded models: each filter
// (and bias) is uploaded to a temporary block and repacked by the module's pack function into
// a block the caller keeps, all in one all-or-nothing group with one geometry record.

import type { Heap } from "../memory.js";
import type { Runtime } from "../runtime.js";
import { GEOMETRY_BYTES } from "./geometry.js";

/** A filter (and bias) to pack into a kept block, with the module's pack function. */
export interface Pack {
  filter: Float32Array;
  bias: Float32Array | undefined;
  packedFloats: number;
  packFn: (filter: number, bias: number, packed: number) => void;
}

/**
 * Packs every filter into a block of its own plus one geometry record; the caller owns those
 * and frees them. The temporary uploads are released here. `who` names the request in errors.
 */
export function packAll(heap: Heap, packs: readonly Pack[], who: string): { packed: number[]; geometry: number } {
  const uploads = packs.flatMap((p) => (p.bias ? [p.filter, p.bias] : [p.filter]));
  const ptrs = heap.allocAll(
    [...packs.map((p) => p.packedFloats * 4), GEOMETRY_BYTES, ...uploads.map((u) => u.byteLength)],
    who,
  );
  const kept = packs.length + 1;
  const f32 = heap.f32();
  for (let i = 0; i < uploads.length; i++) f32.set(uploads[i], ptrs[kept + i] >>> 2);
  let next = kept;
  for (const [i, p] of packs.entries()) {
    const filter = ptrs[next++];
    const bias = p.bias ? ptrs[next++] : 0;
    p.packFn(filter, bias, ptrs[i]);
  }
  for (const ptr of ptrs.slice(kept)) heap.release(ptr);
  return { packed: ptrs.slice(0, packs.length), geometry: ptrs[packs.length] };
}

/** GEMM panels of matrix [depth, cols] and its bias. */
export function gemmPack(
  rt: Runtime,
  matrix: Float32Array,
  bias: Float32Array | undefined,
  depth: number,
  cols: number,
): Pack {
  const k = rt.kernels;
  return {
    filter: matrix,
    bias,
    packedFloats: k.gemmPackedLength(depth, cols),
    packFn: (m, b, p) => k.gemmPack(m, b, depth, cols, p),
  };
}

/** Depthwise blocks of filter [taps, channels] and its bias. */
export function dwPack(
  rt: Runtime,
  filter: Float32Array,
  bias: Float32Array | undefined,
  channels: number,
  taps: number,
): Pack {
  const k = rt.kernels;
  return {
    filter,
    bias,
    packedFloats: k.dwPackedLength(channels, taps),
    packFn: (f, b, p) => k.dwPack(f, b, channels, taps, p),
  };
}
