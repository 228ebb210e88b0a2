// Writes geometry records by the field offsets of src/abi.generated.ts, which scripts/gen-abi.mjs
// generates together with the kernels' @unmanaged classes (assembly/abi.ts): no order is
// restated here.

import { ACTIVATION_CODES, ConvGeometry, DwGeometry, RECORD_BYTES } from "../abi.generated.js";
import type { Geometry } from "../shapes.js";
import type { Activation } from "../types.js";

export { RECORD_BYTES };
/** Bytes of a layer's record block: its geometry, then (for chains) the chain params. */
export const GEOMETRY_BYTES = 2 * RECORD_BYTES;

export function activationCode(activation: Activation): number {
  return ACTIVATION_CODES.indexOf(activation);
}

export function writeDwGeometry(
  i32: Int32Array,
  ptr: number,
  inH: number,
  inW: number,
  channels: number,
  multiplier: number,
  g: Geometry,
  activation: Activation,
): void {
  const at = ptr >>> 2;
  i32[at + DwGeometry.inH] = inH;
  i32[at + DwGeometry.inW] = inW;
  i32[at + DwGeometry.channels] = channels;
  i32[at + DwGeometry.multiplier] = multiplier;
  i32[at + DwGeometry.kH] = g.kH;
  i32[at + DwGeometry.kW] = g.kW;
  i32[at + DwGeometry.strideH] = g.strideH;
  i32[at + DwGeometry.strideW] = g.strideW;
  i32[at + DwGeometry.dilationH] = g.dilationH;
  i32[at + DwGeometry.dilationW] = g.dilationW;
  i32[at + DwGeometry.padTop] = g.padTop;
  i32[at + DwGeometry.padLeft] = g.padLeft;
  i32[at + DwGeometry.outW] = g.outW;
  i32[at + DwGeometry.activation] = activationCode(activation);
}

export function writeConvGeometry(
  i32: Int32Array,
  ptr: number,
  inH: number,
  inW: number,
  inChannels: number,
  outChannels: number,
  g: Geometry,
  activation: Activation,
): void {
  const at = ptr >>> 2;
  i32[at + ConvGeometry.inH] = inH;
  i32[at + ConvGeometry.inW] = inW;
  i32[at + ConvGeometry.inChannels] = inChannels;
  i32[at + ConvGeometry.kH] = g.kH;
  i32[at + ConvGeometry.kW] = g.kW;
  i32[at + ConvGeometry.strideH] = g.strideH;
  i32[at + ConvGeometry.strideW] = g.strideW;
  i32[at + ConvGeometry.dilationH] = g.dilationH;
  i32[at + ConvGeometry.dilationW] = g.dilationW;
  i32[at + ConvGeometry.padTop] = g.padTop;
  i32[at + ConvGeometry.padLeft] = g.padLeft;
  i32[at + ConvGeometry.outH] = g.outH;
  i32[at + ConvGeometry.outW] = g.outW;
  i32[at + ConvGeometry.outChannels] = outChannels;
  i32[at + ConvGeometry.activation] = activationCode(activation);
}

/** Scratch of one conv2d call: four gathered receptive fields (assembly/conv/conv.ts) and a 16-byte tail. */
export function convScratchBytes(kH: number, kW: number, inChannels: number): number {
  return 4 * kH * kW * inChannels * 4 + 16;
}
