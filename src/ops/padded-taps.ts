// Padding is zeros under IEEE arithmetic: a tap in the padding adds 0 * w, which is NaN when
// w is infinite or NaN (XNNPACK and TensorFlow compute it so; src/reference does the same).
// The kernels reach the padding two ways that agree only for finite weights: some read a zero
// row or pixel (0 * w), others skip the tap (the clipped columns of the 3x3/5x5 tiles, the
// generic depthwise kernel). Rather than slow the kernels down for a broken model, a layer
// whose filter holds a non-finite weight marks, after the kernels ran, each output that such a
// tap reaches through the padding as NaN. Finite filters (all real ones) never get here.

import type { Geometry } from "../shapes.js";

interface Tap {
  ky: number;
  kx: number;
  /** Output channels the tap's non-finite weights feed; null: all of them. */
  channels: Int32Array | null;
}

export class PaddedTaps {
  private constructor(private readonly taps: readonly Tap[]) {}

  /**
   * For a filter [kH, kW, inner, outChannels] (depthwise: inner 1, outChannels C*M): the taps
   * with a non-finite weight, and the output channels they feed. Undefined when all are finite.
   */
  static of(filter: Float32Array, kH: number, kW: number, outChannels: number): PaddedTaps | undefined {
    if (filter.every(Number.isFinite)) return undefined;
    const perTap = filter.length / (kH * kW);
    const taps: Tap[] = [];
    for (let t = 0; t < kH * kW; t++) {
      const fed = new Set<number>();
      for (let i = 0; i < perTap; i++) if (!Number.isFinite(filter[t * perTap + i])) fed.add(i % outChannels);
      if (fed.size > 0) taps.push({ ky: Math.floor(t / kW), kx: t % kW, channels: Int32Array.from(fed) });
    }
    return new PaddedTaps(taps);
  }

  /** The same taps feeding every output channel (separable: the pointwise stage mixes them all). */
  toAllChannels(): PaddedTaps {
    return new PaddedTaps(this.taps.map((t) => ({ ...t, channels: null })));
  }

  /**
   * Sets to NaN, in `batch` images of output at float index `at`, every output a listed tap
   * reaches through the padding. Allocates nothing.
   */
  apply(
    f32: Float32Array,
    at: number,
    batch: number,
    g: Geometry,
    inH: number,
    inW: number,
    outChannels: number,
  ): void {
    if (g.padTop + g.padBottom + g.padLeft + g.padRight === 0) return;
    const pixelFloats = outChannels;
    const imageFloats = g.outH * g.outW * pixelFloats;
    for (const { ky, kx, channels } of this.taps) {
      for (let oy = 0; oy < g.outH; oy++) {
        const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
        const rowPadded = iy < 0 || iy >= inH;
        for (let ox = 0; ox < g.outW; ox++) {
          const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
          if (!rowPadded && ix >= 0 && ix < inW) continue;
          for (let b = 0; b < batch; b++) {
            const pixel = at + b * imageFloats + (oy * g.outW + ox) * pixelFloats;
            if (channels === null) f32.fill(Number.NaN, pixel, pixel + outChannels);
            else for (let i = 0; i < channels.length; i++) f32[pixel + channels[i]] = Number.NaN;
          }
        }
      }
    }
  }
}
