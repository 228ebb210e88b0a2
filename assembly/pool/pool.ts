// Max and average pooling (NHWC) with TensorFlow's rules: the window is clipped to the image,
// padding never wins a max and is not counted in an average. SIMD across channels, four at a
// time, the last channels one by one; the scalar build runs the same loops on single channels.
// The geometry is a DwGeometry (multiplier 1, no dilation); output row rowBegin is written first.

import { AVGPOOL_C1, AVGPOOL_C4, DwGeometry, MAXPOOL_C1, MAXPOOL_C4 } from "../abi";
import { F32 } from "../common";

/** Pooling kind codes (the wrapper's src/ops/geometry.ts POOL_MAX / POOL_AVG). */
const MAX: i32 = 0;

/**
 * Output rows [rowBegin, rowEnd) of one image; kind 0 is max, 1 average. Returns the id of the
 * kernel that ran (maxpool_c4 / avgpool_c4; the scalar build's are _c1).
 */
export function pool2d(kind: i32, g: DwGeometry, input: usize, output: usize, rowBegin: i32, rowEnd: i32): i32 {
  const channels = g.channels;
  const pixelBytes = <usize>channels * F32;
  const rowBytes = <usize>g.inW * pixelBytes;
  const vectorEnd = ASC_FEATURE_SIMD ? channels & ~3 : 0;
  let out = output;
  for (let oy = rowBegin; oy < rowEnd; oy++) {
    const top = oy * g.strideH - g.padTop;
    const y0 = max<i32>(top, 0);
    const y1 = min<i32>(top + g.kH, g.inH);
    for (let ox = 0; ox < g.outW; ox++) {
      const left = ox * g.strideW - g.padLeft;
      const x0 = max<i32>(left, 0);
      const x1 = min<i32>(left + g.kW, g.inW);
      const count = <f32>((y1 - y0) * (x1 - x0));
      const first = input + <usize>y0 * rowBytes + <usize>x0 * pixelBytes;
      if (ASC_FEATURE_SIMD) {
        for (let c = 0; c < vectorEnd; c += 4) {
          const at = first + <usize>c * F32;
          let acc = kind == MAX ? f32x4.splat(-Infinity) : f32x4.splat(0);
          for (let iy = y0, row = at; iy < y1; iy++, row += rowBytes) {
            for (let ix = x0, p = row; ix < x1; ix++, p += pixelBytes) {
              // f32x4.max, not pmax: a NaN anywhere in the window is the result, as in TensorFlow.
              acc = kind == MAX ? f32x4.max(acc, v128.load(p)) : f32x4.add(acc, v128.load(p));
            }
          }
          v128.store(out + <usize>c * F32, kind == MAX ? acc : f32x4.div(acc, f32x4.splat(count)));
        }
      }
      for (let c = vectorEnd; c < channels; c++) {
        const at = first + <usize>c * F32;
        let acc: f32 = kind == MAX ? -Infinity : 0;
        for (let iy = y0, row = at; iy < y1; iy++, row += rowBytes) {
          for (let ix = x0, p = row; ix < x1; ix++, p += pixelBytes) {
            const v = load<f32>(p);
            acc = kind == MAX ? max<f32>(acc, v) : acc + v;
          }
        }
        store<f32>(out + <usize>c * F32, kind == MAX ? acc : acc / count);
      }
      out += pixelBytes;
    }
  }
  if (!ASC_FEATURE_SIMD) return kind == MAX ? MAXPOOL_C1 : AVGPOOL_C1;
  return kind == MAX ? MAXPOOL_C4 : AVGPOOL_C4;
}
