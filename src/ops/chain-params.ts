// What a fused chain needs from the wrapper, for the kernels' one band loop (chain() in
// assembly/chain/chain.ts): band sizes, scratch layout and the ChainParams record. Shared by
// prepared separable layers and the model's chain steps, so that both plan bands alike.

import { ChainParams } from "../abi.generated.js";
import type { Geometry } from "../shapes.js";
import { RECORD_BYTES } from "./geometry.js";

/** Floats of depthwise output per band: it stays in L2 with the project weights. */
export const DEPTHWISE_BAND_FLOATS = 32 * 1024;
/** Floats of expanded input rows per band. */
export const EXPAND_BAND_FLOATS = 64 * 1024;

/** Byte offset of the ChainParams record in a layer's record block (after its geometry). */
export const CHAIN_PARAMS_AT = RECORD_BYTES;

/** A chain's band plan for one input shape. */
export interface Bands {
  bandRows: number;
  /** Floats of scratch: [expanded band (rounded up to 4 floats) + 4][depthwise band]. */
  scratchFloats: number;
  /** Bytes from the scratch start to the depthwise band. */
  depthwiseBandAt: number;
}

/**
 * Output rows per band: as many as keep the depthwise band within DEPTHWISE_BAND_FLOATS and,
 * with an expand of `mid` channels, the expanded input rows they need within EXPAND_BAND_FLOATS.
 */
export function planBands(g: Geometry, inH: number, inW: number, mid: number, depth: number, expand: boolean): Bands {
  const rowsNeeded = (rows: number) => Math.min(inH, (rows - 1) * g.strideH + (g.kH - 1) * g.dilationH + 1);
  let rows = Math.max(1, Math.min(g.outH, Math.floor(DEPTHWISE_BAND_FLOATS / (g.outW * depth))));
  if (expand) {
    while (rows > 1 && rowsNeeded(rows) * inW * mid > EXPAND_BAND_FLOATS) rows--;
  }
  const expandFloats = expand ? Math.ceil((rowsNeeded(rows) * inW * mid) / 4) * 4 : 0;
  return {
    bandRows: rows,
    scratchFloats: expandFloats + 4 + rows * g.outW * depth,
    depthwiseBandAt: (expandFloats + 4) * 4,
  };
}

/** The fields of ChainParams (pointers in bytes; 0 for no expand / no residual). */
export type ChainFields = { [K in keyof typeof ChainParams]: number };

/** Writes a ChainParams record at byte `ptr`. */
export function writeChainParams(i32: Int32Array, ptr: number, fields: ChainFields): void {
  const at = ptr >>> 2;
  for (const key in ChainParams) {
    const field = key as keyof typeof ChainParams;
    // Pointers above 2 GiB are stored as their 32 bits (the kernels read them as usize).
    i32[at + ChainParams[field]] = fields[field] | 0;
  }
}

/** Rewrites what changes per run: the batch and the pointers that move with an arena or a tensor. */
export function writeChainRun(
  i32: Int32Array,
  ptr: number,
  batch: number,
  input: number,
  output: number,
  residual: number,
): void {
  const at = ptr >>> 2;
  i32[at + ChainParams.batch] = batch;
  i32[at + ChainParams.input] = input | 0;
  i32[at + ChainParams.output] = output | 0;
  i32[at + ChainParams.residual] = residual | 0;
}

/** Rewrites the scratch pointers, for a model step whose arena may have moved since bind. */
export function writeChainScratch(
  i32: Int32Array,
  ptr: number,
  expandBand: number,
  depthwiseBand: number,
  zeros: number,
  rows: number,
): void {
  const at = ptr >>> 2;
  i32[at + ChainParams.expandBand] = expandBand | 0;
  i32[at + ChainParams.depthwiseBand] = depthwiseBand | 0;
  i32[at + ChainParams.zeros] = zeros | 0;
  i32[at + ChainParams.rows] = rows | 0;
}
