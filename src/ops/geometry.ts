// Writes geometry records in the field order of the @unmanaged classes DwGeometry
// (assembly/dwconv/generic.ts) and ConvGeometry (assembly/conv/conv.ts).

import { ACTIVATIONS, type Geometry } from "../shapes.js";
import type { Activation } from "../types.js";

/** Bytes reserved for one geometry record (16 i32 fields). */
export const GEOMETRY_BYTES = 64;

export function activationCode(activation: Activation): number {
  return ACTIVATIONS.indexOf(activation);
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
  i32.set(
    [
      inH,
      inW,
      channels,
      multiplier,
      g.kH,
      g.kW,
      g.strideH,
      g.strideW,
      g.dilationH,
      g.dilationW,
      g.padTop,
      g.padLeft,
      g.outW,
      activationCode(activation),
    ],
    ptr >>> 2,
  );
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
  i32.set(
    [
      inH,
      inW,
      inChannels,
      g.kH,
      g.kW,
      g.strideH,
      g.strideW,
      g.dilationH,
      g.dilationW,
      g.padTop,
      g.padLeft,
      g.outH,
      g.outW,
      outChannels,
      activationCode(activation),
    ],
    ptr >>> 2,
  );
}
