// Depthwise weight packing, shared by every build.
//
// Layout: output channels in blocks of 4; each block is [bias x4][tap 0 x4]...[tap T-1 x4],
// so a block's weights sit at constant offsets from its base. Channels past the end are 0.
// The filter is TensorFlow's [kH, kW, C, M]; flattened per tap it is [T][C*M] with output
// channel oc = c*M + m, which is exactly the order we want.

import { F32 } from "../common";

/** Floats in the packed form of `taps` taps over `outChannels` channels. */
export function dwPackedLength(outChannels: i32, taps: i32): i32 {
  return ((outChannels + 3) >> 2) * 4 * (taps + 1);
}

/** Packs filter [taps][outChannels] and optional bias (0 = none) into `packed`. */
export function dwPack(filter: usize, bias: usize, outChannels: i32, taps: i32, packed: usize): void {
  const blocks = (outChannels + 3) >> 2;
  let dst = packed;
  for (let b = 0; b < blocks; b++) {
    for (let t = -1; t < taps; t++) {
      for (let lane = 0; lane < 4; lane++) {
        const oc = b * 4 + lane;
        let value: f32 = 0;
        if (oc < outChannels) {
          if (t < 0) {
            if (bias) value = load<f32>(bias + <usize>oc * F32);
          } else {
            value = load<f32>(filter + (<usize>t * outChannels + oc) * F32);
          }
        }
        store<f32>(dst, value);
        dst += F32;
      }
    }
  }
}
