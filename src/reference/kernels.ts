// Plain-JS kernels over validated specs: the oracle for tests and the baseline for benchmarks.
// Deliberately straightforward loops in float32 arithmetic, as the wasm builds compute: each
// product and each partial sum is rounded to float32 (fround), starting from the bias and
// going through the taps in order, so a partial sum past 3.4e38 overflows to Infinity here as
// it does there (float64 sums would come back finite). The relaxed-SIMD build's FMA rounds a
// multiply-add once, which only changes last bits.
// Padding is zeros under IEEE arithmetic: a tap in the padding adds 0 * w, which is 0 for a
// finite weight and NaN for an infinite or NaN one (as XNNPACK and TensorFlow compute it).

import { type Geometry, geometry } from "../shapes.js";
import { type ConvSpec, type DepthwiseSpec, type SeparableSpec, separableGeometry } from "../specs.js";
import type { Tensor } from "../types.js";
import { activationFn } from "./activation.js";

const f32 = Math.fround;

export function depthwiseKernel(spec: DepthwiseSpec, x: Tensor, g: Geometry): Tensor {
  const [n, inH, inW, channels] = x.shape;
  const { multiplier, filter, window } = spec;
  const depth = channels * multiplier;
  const out = new Float32Array(n * g.outH * g.outW * depth);
  const act = activationFn(window.activation);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let oc = 0; oc < depth; oc++) {
          const c = Math.floor(oc / multiplier);
          let acc = window.bias ? window.bias[oc] : 0;
          for (let ky = 0; ky < g.kH; ky++) {
            const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
            const rowInside = iy >= 0 && iy < inH;
            for (let kx = 0; kx < g.kW; kx++) {
              const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
              const w = filter[(ky * g.kW + kx) * depth + oc];
              const inside = rowInside && ix >= 0 && ix < inW;
              acc = f32(acc + f32((inside ? x.data[((b * inH + iy) * inW + ix) * channels + c] : 0) * w));
            }
          }
          out[o++] = act(acc);
        }
      }
    }
  }
  return { data: out, shape: [n, g.outH, g.outW, depth] };
}

export function convKernel(spec: ConvSpec, x: Tensor, g: Geometry): Tensor {
  const [n, inH, inW, cin] = x.shape;
  const { outChannels: cout, filter, window } = spec;
  // The partial sums of one output pixel live in `out` itself: each store rounds to float32.
  // Output channels innermost keeps every channel's sum in tap order while the channels'
  // dependency chains run side by side (one fround-bound chain at a time is 2x slower).
  const out = new Float32Array(n * g.outH * g.outW * cout);
  const act = activationFn(window.activation);
  for (let b = 0, o = 0; b < n; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++, o += cout) {
        for (let co = 0; co < cout; co++) out[o + co] = window.bias ? window.bias[co] : 0;
        for (let ky = 0; ky < g.kH; ky++) {
          const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
          const rowInside = iy >= 0 && iy < inH;
          for (let kx = 0; kx < g.kW; kx++) {
            const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
            const inside = rowInside && ix >= 0 && ix < inW;
            const xBase = ((b * inH + iy) * inW + ix) * cin;
            for (let ci = 0; ci < cin; ci++) {
              const v = inside ? x.data[xBase + ci] : 0;
              const fBase = ((ky * g.kW + kx) * cin + ci) * cout;
              for (let co = 0; co < cout; co++) out[o + co] += f32(v * filter[fBase + co]);
            }
          }
        }
        for (let co = 0; co < cout; co++) out[o + co] = act(out[o + co]);
      }
    }
  }
  return { data: out, shape: [n, g.outH, g.outW, cout] };
}

/** Depthwise then pointwise, with the intermediate rounded to float32 as the fused kernels keep it. */
export function separableKernel(spec: SeparableSpec, x: Tensor): Tensor {
  const { op, depthwise: dw, pointwise: pw } = spec;
  const g = separableGeometry(spec, x);
  const mid = depthwiseKernel(dw, x, g);
  return convKernel(pw, mid, geometry(op, g.outH, g.outW, 1, 1, pw.window));
}
