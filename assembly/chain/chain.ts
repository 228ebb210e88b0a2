// The one band loop of every fused chain: [1x1 expand ->] depthwise -> 1x1 project [+ residual],
// for prepared separable layers (no expand, no residual) and the model's separable and
// inverted-residual steps alike, one band of output rows at a time, so the wide intermediate
// tensors never exist in full:
//
//   expand:    the input rows the band needs go through the expand GEMM into a band buffer
//              (rows the previous band already expanded are kept, moved to the front);
//   depthwise: dwconvRows reads that buffer as a short image whose top edge is moved down (the
//              geometry's inH and padTop are rewritten per band and restored at the end),
//              writing the band's rows;
//   project:   the GEMM turns those rows into output rows, and the residual is added to them
//              while they are still in cache.
//
// Without an expand the depthwise reads the input tensor directly. The whole loop runs here:
// one call per run instead of three per band from JavaScript.

import { ChainParams, DwGeometry } from "../abi";
import { F32 } from "../common";
import { dwconvRows } from "../dwconv";
import { gemm } from "../gemm/gemm";

/** y[0..n) += r[0..n), a band's residual (each sum rounded to f32, as a JS store rounds it). */
// @ts-ignore: decorator
@inline function addInPlace(y: usize, r: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i * F32;
      v128.store(y + at, f32x4.add(v128.load(y + at), v128.load(r + at)));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i * F32;
    store<f32>(y + at, load<f32>(y + at) + load<f32>(r + at));
  }
}

/**
 * Runs chain `c` over its batch with the depthwise geometry `g` (restored when it returns).
 * Returns the ids of the kernels that ran: depthwise | project GEMM << 8 | expand GEMM << 16
 * (255 for no expand), for the wrapper's testers.
 */
export function chain(g: DwGeometry, c: ChainParams): i32 {
  let ran = 255 << 16;
  // The geometry describes the depthwise stage's input (the expanded one, with an expand): its
  // height, width, channels (mid) and top padding are the chain's, read before the bands edit them.
  const inH = g.inH, inW = g.inW, mid = g.channels, outW = g.outW, padTop = g.padTop;
  const depth = mid * g.multiplier;
  const outRowBytes = <usize>outW * c.outChannels * F32;
  const expandRowBytes = <usize>inW * mid * F32;
  const inRowBytes = <usize>inW * c.inChannels * F32;
  const strideH = g.strideH, reach = (g.kH - 1) * g.dilationH + 1;
  for (let image = 0; image < c.batch; image++) {
    const input = <usize>c.input + <usize>image * c.inImage;
    const output = <usize>c.output + <usize>image * c.outImage;
    const residual: usize = c.residual == 0 ? 0 : <usize>c.residual + <usize>image * c.outImage;
    // Input rows [have0, have1) are in the expanded band, row have0 first.
    let have0 = 0, have1 = 0;
    for (let oy0 = 0; oy0 < c.outH; oy0 += c.bandRows) {
      const oy1 = min<i32>(oy0 + c.bandRows, c.outH);
      let dwInput = input;
      if (c.expandPacked != 0) {
        const need0 = min<i32>(inH, max<i32>(0, oy0 * strideH - padTop));
        const need1 = max<i32>(need0, min<i32>(inH, (oy1 - 1) * strideH - padTop + reach));
        const band = <usize>c.expandBand;
        if (need0 >= have0 && need0 < have1) {
          if (need0 > have0) {
            memory.copy(band, band + <usize>(need0 - have0) * expandRowBytes, <usize>(have1 - need0) * expandRowBytes);
          }
        } else {
          have1 = need0;
        }
        have0 = need0;
        if (need1 > have1) {
          const expandRan = gemm(
            c.gemmTile, input + <usize>have1 * inRowBytes, (need1 - have1) * inW, c.inChannels, c.inChannels,
            c.expandPacked, mid, band + <usize>(have1 - have0) * expandRowBytes, mid, c.expandAct,
          );
          ran = (ran & 0xffff) | (expandRan << 16);
          have1 = need1;
        }
        // The band as an image: rows have0.. of the input, with the top edge moved down.
        g.inH = have1 - have0;
        g.padTop = padTop + have0;
        dwInput = band;
      }
      const dwRan = dwconvRows(g, dwInput, c.depthwisePacked, c.depthwiseBand, oy0, oy1, c.zeros, c.rows);
      const bandOutput = output + <usize>oy0 * outRowBytes;
      const projectRan = gemm(
        c.gemmTile, c.depthwiseBand, (oy1 - oy0) * outW, depth, depth, c.projectPacked, c.outChannels, bandOutput,
        c.outChannels, c.projectAct,
      );
      ran = (ran & 0xffff0000) | dwRan | (projectRan << 8);
      if (residual != 0) {
        addInPlace(bandOutput, residual + <usize>oy0 * outRowBytes, (oy1 - oy0) * outW * c.outChannels);
      }
    }
    g.inH = inH;
    g.padTop = padTop;
  }
  return ran;
}
