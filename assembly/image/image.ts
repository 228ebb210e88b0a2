// An image's bytes (RGBA or RGB, 8 bits a channel) to a model's float input in one pass:
// TensorFlow's bilinear resize (the coordinate rules of tf.image.resizeBilinear), the
// normalisation y = x * scale[c] + shift[c], the channel order, and the alpha dropped. SIMD:
// the four source pixels of an output pixel are read as 4 bytes each, widened to f32x4 (one
// lane per channel) and blended. Each output pixel is stored as 16 bytes at 12-byte steps (the
// next pixel overwrites the fourth lane), but the last one as 8 + 4 bytes: a block's slack is
// never written.
//
// `table` is the caller's scratch: outW * RESIZE_BILINEAR_COLUMN_BYTES bytes of column table
// (written here, once per call), then h u32s the caller has filled: the byte offset in src of
// each source row the resize reads (the caller copies only those rows, so a 1080p frame resized
// to 224 rows copies 440 of its 1080).

import { IMAGE_BILINEAR_U8, RESIZE_BILINEAR_COLUMN_BYTES } from "../abi";
import { F32 } from "../common";
import { bilinearColumns } from "./resize";

// @ts-ignore: decorator
@inline function coordinate(o: i32, ratio: f64, halfPixel: bool): f64 {
  return halfPixel ? ratio * (<f64>o + 0.5) - 0.5 : ratio * <f64>o;
}

// @ts-ignore: decorator
@inline function pixel4(p: usize): v128 {
  // 4 bytes -> 4 u32 lanes -> f32 (the 4th byte is alpha, or the next pixel's red for RGB).
  return f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p))));
}

// @ts-ignore: decorator
@inline function pixelOut(top: usize, bottom: usize, e: usize, dy: v128, bgr: bool, scale: v128, shift: v128): v128 {
  // Column entry e: the left and right pixels' byte offsets in a row, and the weight of the right.
  const left = <usize>load<u32>(e);
  const right = <usize>load<u32>(e, 4);
  const dx = f32x4.splat(load<f32>(e, 8));
  const a = pixel4(top + left);
  const b = pixel4(bottom + left);
  const t = f32x4.add(a, f32x4.mul(f32x4.sub(pixel4(top + right), a), dx));
  const u = f32x4.add(b, f32x4.mul(f32x4.sub(pixel4(bottom + right), b), dx));
  let v = f32x4.add(t, f32x4.mul(f32x4.sub(u, t), dy));
  if (bgr) v = i32x4.shuffle(v, v, 2, 1, 0, 3);
  return f32x4.add(f32x4.mul(v, scale), shift);
}

export function imageBilinearU8(
  src: usize, w: i32, h: i32, channels: i32, dst: usize, outH: i32, outW: i32, alignCorners: bool, halfPixel: bool,
  scale0: f32, scale1: f32, scale2: f32, shift0: f32, shift1: f32, shift2: f32, bgr: bool, table: usize,
): i32 {
  const ratioH = alignCorners && outH > 1 ? <f64>(h - 1) / <f64>(outH - 1) : <f64>h / <f64>outH;
  const ratioW = alignCorners && outW > 1 ? <f64>(w - 1) / <f64>(outW - 1) : <f64>w / <f64>outW;
  const pixelBytes = <usize>channels;
  const stride = <usize>RESIZE_BILINEAR_COLUMN_BYTES;
  const rows = table + <usize>outW * stride;
  bilinearColumns(table, w, outW, ratioW, halfPixel, pixelBytes);
  let out = dst;
  if (ASC_FEATURE_SIMD) {
    // The normalisation is per output channel (after the BGR swap).
    const scale = f32x4(scale0, scale1, scale2, 0);
    const shift = f32x4(shift0, shift1, shift2, 0);
    // The last output pixel is stored without its fourth lane.
    const last = dst + (<usize>outH * <usize>outW - 1) * 3 * F32;
    for (let oy = 0; oy < outH; oy++) {
      const fy = coordinate(oy, ratioH, halfPixel);
      const y0 = max<i32>(0, <i32>Math.floor(fy));
      const dy = f32x4.splat(<f32>(fy - <f64>y0));
      const y1 = min<i32>(h - 1, <i32>Math.ceil(fy));
      const top = src + <usize>load<u32>(rows + <usize>y0 * 4);
      const bottom = src + <usize>load<u32>(rows + <usize>y1 * 4);
      for (let ox = 0; ox < outW; ox++) {
        const v = pixelOut(top, bottom, table + <usize>ox * stride, dy, bgr, scale, shift);
        if (out < last) {
          v128.store(out, v);
        } else {
          v128.store64_lane(out, v, 0);
          v128.store32_lane(out, v, 2, 8);
        }
        out += 3 * F32;
      }
    }
    return IMAGE_BILINEAR_U8;
  }
  for (let oy = 0; oy < outH; oy++) {
    const fy = coordinate(oy, ratioH, halfPixel);
    const y0 = max<i32>(0, <i32>Math.floor(fy));
    const dy = <f32>(fy - <f64>y0);
    const y1 = min<i32>(h - 1, <i32>Math.ceil(fy));
    const top = src + <usize>load<u32>(rows + <usize>y0 * 4);
    const bottom = src + <usize>load<u32>(rows + <usize>y1 * 4);
    for (let ox = 0; ox < outW; ox++) {
      const e = table + <usize>ox * stride;
      const left = <usize>load<u32>(e);
      const right = <usize>load<u32>(e, 4);
      const dx = load<f32>(e, 8);
      for (let c = 0; c < 3; c++) {
        const a = <f32>load<u8>(top + left + c);
        const b = <f32>load<u8>(bottom + left + c);
        const t = a + (<f32>load<u8>(top + right + c) - a) * dx;
        const u = b + (<f32>load<u8>(bottom + right + c) - b) * dx;
        const value = t + (u - t) * dy;
        // Output channel k takes source channel c (reversed for BGR) and output channel k's normalisation.
        const k = bgr ? 2 - c : c;
        const s = k == 0 ? scale0 : k == 1 ? scale1 : scale2;
        const z = k == 0 ? shift0 : k == 1 ? shift1 : shift2;
        store<f32>(out + <usize>k * F32, value * s + z);
      }
      out += 3 * F32;
    }
  }
  return IMAGE_BILINEAR_U8;
}
