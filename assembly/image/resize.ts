// TensorFlow's ResizeBilinear and ResizeNearestNeighbor of a batch of NHWC float32 images, with
// the source-coordinate rules of tfjs-backend-cpu's kernels (alignCorners, halfPixelCenters, the
// clamping), computed in double as they are there. The blend is float32: top = tl + (tr - tl) *
// dx, bottom likewise, then top + (bottom - top) * dy, each step rounded (no FMA in any build,
// so every build computes the same bits as src/reference/resize.ts).
//
// The column table (per output column: source byte offsets, and the weight for bilinear) is
// written once per call into the caller's scratch (RESIZE_*_COLUMN_BYTES per output column); the
// row's offsets and weight are computed once per output row. SIMD four channels at a time, a
// partial last block of 4 as an overlapping block ending at the pixel's last channel (its
// repeated lanes get the same values); under 4 channels, and in the scalar build, channel by
// channel. Nearest copies bits (NaN payloads included) and copies an output row whole when the
// previous row read the same source row.

import {
  RESIZE_ALIGN_CORNERS,
  RESIZE_BILINEAR_C1,
  RESIZE_BILINEAR_C4,
  RESIZE_BILINEAR_COLUMN_BYTES,
  RESIZE_HALF_PIXEL_CENTERS,
  RESIZE_NEAREST,
  RESIZE_NEAREST_C1,
  RESIZE_NEAREST_C4,
  RESIZE_NEAREST_COLUMN_BYTES,
} from "../abi";
import { F32 } from "../common";

/** tfjs's effective size ratio: (in - 1) / (out - 1) when aligning corners of an output > 1. */
// @ts-ignore: decorator
@inline function ratio(inSize: i32, outSize: i32, align: bool): f64 {
  return align && outSize > 1 ? <f64>(inSize - 1) / <f64>(outSize - 1) : <f64>inSize / <f64>outSize;
}

// @ts-ignore: decorator
@inline function bilinearSource(o: i32, r: f64, half: bool): f64 {
  return half ? r * (<f64>o + 0.5) - 0.5 : r * <f64>o;
}

function nearestSource(o: i32, r: f64, size: i32, align: bool, half: bool): i32 {
  const f = half ? r * (<f64>o + 0.5) : r * <f64>o;
  const i = min<i32>(size - 1, <i32>(align ? Math.round(f) : Math.floor(f)));
  return half ? max<i32>(0, i) : i;
}

/**
 * The bilinear column table (shared with image_bilinear_u8): per output column the left and
 * right source offsets (source column * pixelBytes) and the weight of the right one.
 */
export function bilinearColumns(table: usize, w: i32, outW: i32, rw: f64, half: bool, pixelBytes: usize): void {
  for (let ox = 0; ox < outW; ox++) {
    const fx = bilinearSource(ox, rw, half);
    const x0 = max<i32>(0, <i32>Math.floor(fx));
    const x1 = min<i32>(w - 1, <i32>Math.ceil(fx));
    const e = table + <usize>ox * <usize>RESIZE_BILINEAR_COLUMN_BYTES;
    store<u32>(e, <usize>x0 * pixelBytes);
    store<u32>(e, <usize>x1 * pixelBytes, 4);
    store<f32>(e, <f32>(fx - <f64>x0), 8);
  }
}

// @ts-ignore: decorator
@inline function blend4(tl: usize, tr: usize, bl: usize, br: usize, dx: v128, dy: v128): v128 {
  const a = v128.load(tl);
  const b = v128.load(bl);
  const t = f32x4.add(a, f32x4.mul(f32x4.sub(v128.load(tr), a), dx));
  const u = f32x4.add(b, f32x4.mul(f32x4.sub(v128.load(br), b), dx));
  return f32x4.add(t, f32x4.mul(f32x4.sub(u, t), dy));
}

function bilinear(
  x: usize, batch: i32, h: i32, w: i32, c: i32, y: usize, outH: i32, outW: i32, flags: i32, table: usize,
): i32 {
  const align = (flags & RESIZE_ALIGN_CORNERS) != 0;
  const half = (flags & RESIZE_HALF_PIXEL_CENTERS) != 0;
  const rh = ratio(h, outH, align);
  const rw = ratio(w, outW, align);
  const pixel = <usize>c * F32;
  const rowBytes = <usize>w * pixel;
  const stride = <usize>RESIZE_BILINEAR_COLUMN_BYTES;
  bilinearColumns(table, w, outW, rw, half, pixel);
  const simd = ASC_FEATURE_SIMD && c >= 4;
  const last = pixel - 4 * F32;
  let out = y;
  for (let b = 0; b < batch; b++) {
    const image = x + <usize>b * <usize>h * rowBytes;
    for (let oy = 0; oy < outH; oy++) {
      const fy = bilinearSource(oy, rh, half);
      const y0 = max<i32>(0, <i32>Math.floor(fy));
      const y1 = min<i32>(h - 1, <i32>Math.ceil(fy));
      const dy = <f32>(fy - <f64>y0);
      const top = image + <usize>y0 * rowBytes;
      const bottom = image + <usize>y1 * rowBytes;
      for (let ox = 0; ox < outW; ox++) {
        const e = table + <usize>ox * stride;
        const left = <usize>load<u32>(e);
        const right = <usize>load<u32>(e, 4);
        const dx = load<f32>(e, 8);
        if (ASC_FEATURE_SIMD && simd) {
          const vdx = f32x4.splat(dx);
          const vdy = f32x4.splat(dy);
          // Blocks of 4 from channel 0; the last one ends at the pixel's last channel.
          for (let k: usize = 0; ; k += 4 * F32) {
            const at = min<usize>(k, last);
            v128.store(out + at, blend4(top + left + at, top + right + at, bottom + left + at, bottom + right + at, vdx, vdy));
            if (at == last) break;
          }
        } else {
          for (let k: usize = 0; k < pixel; k += F32) {
            const a = load<f32>(top + left + k);
            const bl = load<f32>(bottom + left + k);
            const t = a + (load<f32>(top + right + k) - a) * dx;
            const u = bl + (load<f32>(bottom + right + k) - bl) * dx;
            store<f32>(out + k, t + (u - t) * dy);
          }
        }
        out += pixel;
      }
    }
  }
  return simd ? RESIZE_BILINEAR_C4 : RESIZE_BILINEAR_C1;
}

function nearest(
  x: usize, batch: i32, h: i32, w: i32, c: i32, y: usize, outH: i32, outW: i32, flags: i32, table: usize,
): i32 {
  const align = (flags & RESIZE_ALIGN_CORNERS) != 0;
  const half = (flags & RESIZE_HALF_PIXEL_CENTERS) != 0;
  const rh = ratio(h, outH, align);
  const rw = ratio(w, outW, align);
  const pixel = <usize>c * F32;
  const rowBytes = <usize>w * pixel;
  const outRowBytes = <usize>outW * pixel;
  const stride = <usize>RESIZE_NEAREST_COLUMN_BYTES;
  for (let ox = 0; ox < outW; ox++) {
    store<u32>(table + <usize>ox * stride, <usize>nearestSource(ox, rw, w, align, half) * pixel);
  }
  const simd = ASC_FEATURE_SIMD && c >= 4;
  const last = pixel - 4 * F32;
  let out = y;
  for (let b = 0; b < batch; b++) {
    const image = x + <usize>b * <usize>h * rowBytes;
    let previous = -1;
    for (let oy = 0; oy < outH; oy++) {
      const iy = nearestSource(oy, rh, h, align, half);
      if (iy == previous) {
        // The same source row as the row above: its output row again.
        memory.copy(out, out - outRowBytes, outRowBytes);
        out += outRowBytes;
        continue;
      }
      previous = iy;
      const row = image + <usize>iy * rowBytes;
      for (let ox = 0; ox < outW; ox++) {
        const from = row + <usize>load<u32>(table + <usize>ox * stride);
        if (ASC_FEATURE_SIMD && simd) {
          for (let k: usize = 0; ; k += 4 * F32) {
            const at = min<usize>(k, last);
            v128.store(out + at, v128.load(from + at));
            if (at == last) break;
          }
        } else {
          for (let k: usize = 0; k < pixel; k += F32) store<u32>(out + k, load<u32>(from + k));
        }
        out += pixel;
      }
    }
  }
  return simd ? RESIZE_NEAREST_C4 : RESIZE_NEAREST_C1;
}

/**
 * TensorFlow's bilinear or (flags & RESIZE_NEAREST) nearest-neighbour resize of `batch` h x w x c
 * images at x to outH x outW at y (byte addresses; y must not overlap x). `table` is scratch of
 * outW * RESIZE_{BILINEAR,NEAREST}_COLUMN_BYTES bytes, 4-aligned. Returns the kernel id.
 */
export function resize2d(
  x: usize, batch: i32, h: i32, w: i32, c: i32, y: usize, outH: i32, outW: i32, flags: i32, table: usize,
): i32 {
  if (flags & RESIZE_NEAREST) return nearest(x, batch, h, w, c, y, outH, outW, flags, table);
  return bilinear(x, batch, h, w, c, y, outH, outW, flags, table);
}
