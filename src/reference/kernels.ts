// Plain-JS kernels over validated specs: the oracle for tests and the baseline for benchmarks.
// Deliberately straightforward loops; accumulation is in float64 and rounded once at the end.
// Padding is zeros under IEEE arithmetic: a tap in the padding adds 0 * w, which is 0 for a
// finite weight and NaN for an infinite or NaN one (as XNNPACK and TensorFlow compute it).

import { type Geometry, geometry } from "../shapes.js";
import { type ConvSpec, type DepthwiseSpec, type SeparableSpec, separableGeometry } from "../specs.js";
import type { Tensor } from "../types.js";
import { activationFn } from "./activation.js";

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
              acc += (inside ? x.data[((b * inH + iy) * inW + ix) * channels + c] : 0) * w;
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
  const out = new Float32Array(n * g.outH * g.outW * cout);
  const act = activationFn(window.activation);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let co = 0; co < cout; co++) {
          let acc = window.bias ? window.bias[co] : 0;
          for (let ky = 0; ky < g.kH; ky++) {
            const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
            const rowInside = iy >= 0 && iy < inH;
            for (let kx = 0; kx < g.kW; kx++) {
              const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
              const fBase = (ky * g.kW + kx) * cin * cout + co;
              if (rowInside && ix >= 0 && ix < inW) {
                const xBase = ((b * inH + iy) * inW + ix) * cin;
                for (let ci = 0; ci < cin; ci++) acc += x.data[xBase + ci] * filter[fBase + ci * cout];
              } else {
                for (let ci = 0; ci < cin; ci++) acc += 0 * filter[fBase + ci * cout];
              }
            }
          }
          out[o++] = act(acc);
        }
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
