// Depthwise convolution, general case: any kernel size, stride, dilation, padding and
// depth multiplier. Output pixels are visited row by row; for each pixel, blocks of 4 output
// channels accumulate the taps that fall inside the image (the tap range is computed once per
// row and column, so the inner loops carry no bounds checks).

import { DwGeometry } from "../abi";
import { F32, activate, activate4, endTapInside, firstTapInside, madd, storeLanes } from "../common";

/**
 * Four input values for a block of output channels when the multiplier is above 1: the source
 * channels' byte offsets (s0..s3) are worked out once per block, not per tap (no division in the
 * tap loop); a multiplier that is a multiple of 4 reads one channel for the whole block.
 */
// @ts-ignore: decorator
@inline function gatherInputs(pixel: usize, s0: usize, s1: usize, s2: usize, s3: usize, splat: bool): v128 {
  if (splat) return v128.load32_splat(pixel + s0);
  let v = f32x4.splat(load<f32>(pixel + s0));
  v = f32x4.replace_lane(v, 1, load<f32>(pixel + s1));
  v = f32x4.replace_lane(v, 2, load<f32>(pixel + s2));
  v = f32x4.replace_lane(v, 3, load<f32>(pixel + s3));
  return v;
}

/** Byte offset of the input channel that output channel oc reads (the last channel past the end). */
// @ts-ignore: decorator
@inline function sourceOffset(oc: i32, multiplier: i32, channels: i32): usize {
  return <usize>min<i32>(oc / multiplier, channels - 1) * F32;
}

/** Output rows [rowBegin, rowEnd) of one image, SIMD across output channels. */
export function dwconv_generic__simd128(
  g: DwGeometry, input: usize, packed: usize, output: usize, rowBegin: i32, rowEnd: i32,
): void {
  const outChannels = g.channels * g.multiplier;
  const blocks = (outChannels + 3) >> 2;
  const taps = g.kH * g.kW;
  const blockBytes = <usize>(taps + 1) * 16;
  const pixelBytes = <usize>g.channels * F32;
  const rowBytes = <usize>g.inW * pixelBytes;
  const outPixelBytes = <usize>outChannels * F32;
  const act = g.activation;
  const multiplier = g.multiplier;
  const splat = multiplier % 4 == 0;
  let out = output;
  for (let oy = rowBegin; oy < rowEnd; oy++) {
    const iyTop = oy * g.strideH - g.padTop;
    const kyLo = firstTapInside(iyTop, g.dilationH);
    const kyHi = endTapInside(iyTop, g.dilationH, g.inH, g.kH);
    for (let ox = 0; ox < g.outW; ox++) {
      const ixLeft = ox * g.strideW - g.padLeft;
      const kxLo = firstTapInside(ixLeft, g.dilationW);
      const kxHi = endTapInside(ixLeft, g.dilationW, g.inW, g.kW);
      for (let b = 0; b < blocks; b++) {
        const weights = packed + <usize>b * blockBytes;
        const oc0 = b << 2;
        let acc = v128.load(weights);
        const s0 = multiplier == 1 ? <usize>oc0 * F32 : sourceOffset(oc0, multiplier, g.channels);
        const s1: usize = multiplier == 1 ? 0 : sourceOffset(oc0 + 1, multiplier, g.channels);
        const s2: usize = multiplier == 1 ? 0 : sourceOffset(oc0 + 2, multiplier, g.channels);
        const s3: usize = multiplier == 1 ? 0 : sourceOffset(oc0 + 3, multiplier, g.channels);
        for (let ky = kyLo; ky < kyHi; ky++) {
          const row = input + <usize>(iyTop + ky * g.dilationH) * rowBytes;
          const tapRow = weights + 16 + <usize>(ky * g.kW) * 16;
          for (let kx = kxLo; kx < kxHi; kx++) {
            const pixel = row + <usize>(ixLeft + kx * g.dilationW) * pixelBytes;
            const x = multiplier == 1 ? v128.load(pixel + s0) : gatherInputs(pixel, s0, s1, s2, s3, splat);
            acc = madd(x, v128.load(tapRow + <usize>kx * 16), acc);
          }
        }
        storeLanes(out + <usize>oc0 * F32, activate4(acc, act), outChannels - oc0);
      }
      out += outPixelBytes;
    }
  }
}

/**
 * Output rows [rowBegin, rowEnd) of one image without SIMD, multiplier 1: a block of 4 channels
 * in 4 scalar accumulators, so each tap's weights and inputs are 4 adjacent floats (no per-channel
 * index arithmetic). The last block may read up to 3 floats past a pixel (the allocator leaves
 * 16 bytes of slack) and stores only the channels that exist.
 */
export function dwconv_generic_c4__scalar(
  g: DwGeometry, input: usize, packed: usize, output: usize, rowBegin: i32, rowEnd: i32,
): void {
  const channels = g.channels;
  const blocks = (channels + 3) >> 2;
  const blockBytes = <usize>(g.kH * g.kW + 1) * 16;
  const pixelBytes = <usize>channels * F32;
  const rowBytes = <usize>g.inW * pixelBytes;
  const act = g.activation;
  const tapStep = <usize>g.dilationW * pixelBytes;
  let out = output;
  for (let oy = rowBegin; oy < rowEnd; oy++) {
    const iyTop = oy * g.strideH - g.padTop;
    const kyLo = firstTapInside(iyTop, g.dilationH);
    const kyHi = endTapInside(iyTop, g.dilationH, g.inH, g.kH);
    for (let ox = 0; ox < g.outW; ox++) {
      const ixLeft = ox * g.strideW - g.padLeft;
      const kxLo = firstTapInside(ixLeft, g.dilationW);
      const kxHi = endTapInside(ixLeft, g.dilationW, g.inW, g.kW);
      for (let b = 0; b < blocks; b++) {
        const weights = packed + <usize>b * blockBytes;
        const channelOffset = <usize>b * 16;
        let a0 = load<f32>(weights), a1 = load<f32>(weights, 4), a2 = load<f32>(weights, 8), a3 = load<f32>(weights, 12);
        for (let ky = kyLo; ky < kyHi; ky++) {
          let x = input + <usize>(iyTop + ky * g.dilationH) * rowBytes + <usize>(ixLeft + kxLo * g.dilationW) * pixelBytes
            + channelOffset;
          let w = weights + 16 + <usize>(ky * g.kW + kxLo) * 16;
          const end = w + <usize>(kxHi - kxLo) * 16;
          while (w < end) {
            a0 += load<f32>(x) * load<f32>(w);
            a1 += load<f32>(x, 4) * load<f32>(w, 4);
            a2 += load<f32>(x, 8) * load<f32>(w, 8);
            a3 += load<f32>(x, 12) * load<f32>(w, 12);
            x += tapStep;
            w += 16;
          }
        }
        const o = out + channelOffset;
        const lanes = channels - (b << 2);
        store<f32>(o, activate(a0, act));
        if (lanes > 1) store<f32>(o, activate(a1, act), 4);
        if (lanes > 2) store<f32>(o, activate(a2, act), 8);
        if (lanes > 3) store<f32>(o, activate(a3, act), 12);
      }
      out += pixelBytes;
    }
  }
}

/** Output rows [rowBegin, rowEnd) of one image, one channel at a time (no SIMD; any multiplier). */
export function dwconv_generic__scalar(
  g: DwGeometry, input: usize, packed: usize, output: usize, rowBegin: i32, rowEnd: i32,
): void {
  const taps = g.kH * g.kW;
  const blockFloats = (taps + 1) * 4;
  const pixelBytes = <usize>g.channels * F32;
  const rowBytes = <usize>g.inW * pixelBytes;
  const act = g.activation;
  let out = output;
  for (let oy = rowBegin; oy < rowEnd; oy++) {
    const iyTop = oy * g.strideH - g.padTop;
    const kyLo = firstTapInside(iyTop, g.dilationH);
    const kyHi = endTapInside(iyTop, g.dilationH, g.inH, g.kH);
    for (let ox = 0; ox < g.outW; ox++) {
      const ixLeft = ox * g.strideW - g.padLeft;
      const kxLo = firstTapInside(ixLeft, g.dilationW);
      const kxHi = endTapInside(ixLeft, g.dilationW, g.inW, g.kW);
      // Output channel oc = c * multiplier + m reads input channel c: nested loops, no division.
      let oc = 0;
      for (let c = 0; c < g.channels; c++) {
        const channelOffset = <usize>c * F32;
        for (let m = 0; m < g.multiplier; m++, oc++) {
          // Weight (tap t, channel oc) sits at block oc/4, slot t+1, lane oc%4.
          const weights = packed + (<usize>((oc >> 2) * blockFloats + (oc & 3))) * F32;
          let acc = load<f32>(weights);
          for (let ky = kyLo; ky < kyHi; ky++) {
            const row = input + <usize>(iyTop + ky * g.dilationH) * rowBytes + channelOffset;
            for (let kx = kxLo; kx < kxHi; kx++) {
              const x = load<f32>(row + <usize>(ixLeft + kx * g.dilationW) * pixelBytes);
              acc += x * load<f32>(weights + <usize>((ky * g.kW + kx + 1) * 4) * F32);
            }
          }
          store<f32>(out, activate(acc, act));
          out += F32;
        }
      }
    }
  }
}
