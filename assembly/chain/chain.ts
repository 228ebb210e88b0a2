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

import { ChainParams, DwGeometry, RECORD_BYTES, ROW_POINTER_BYTES } from "../abi";
import { F32, activate, activate4 } from "../common";
import { dwconvRows } from "../dwconv";
import { gemm } from "../gemm/gemm";

/**
 * y[0..n) = act(y + r), a band's residual (each sum rounded to f32, as a JS store rounds it)
 * and the activation after it (an Add with a fused ReLU, as TFLite and ResNet-style blocks have).
 */
// @ts-ignore: decorator
@inline function addInPlace(y: usize, r: usize, n: i32, act: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i * F32;
      v128.store(y + at, activate4(f32x4.add(v128.load(y + at), v128.load(r + at)), act));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i * F32;
    store<f32>(y + at, activate(load<f32>(y + at) + load<f32>(r + at), act));
  }
}

/**
 * Runs output rows [row0, row1) of chain `c`, counted over its whole batch (row r is row
 * r % outH of image r / outH; one thread passes all of them), in bands of c.bandRows rows from
 * row0 (a band never crosses an image or row1), with the depthwise geometry `g0`. Returns the
 * ids of the kernels that ran: depthwise | project GEMM << 8 | expand GEMM << 16 (255 for no
 * expand), for the wrapper's testers.
 *
 * `thread` is 0 on the thread that owns the chain's scratch (c.expandBand, c.depthwiseBand,
 * c.rows), which then edits `g0` in place and restores it. Any other thread passes a block of its
 * own (RECORD_BYTES for a copy of the geometry, then ROW_POINTER_BYTES of row pointers, then the
 * expand and depthwise bands laid out as in c), so threads running bands of one chain at once
 * share nothing they write but their output rows.
 */
export function chain(g0: DwGeometry, c: ChainParams, row0: i32, row1: i32, thread: usize): i32 {
  let ran = 255 << 16;
  let g = g0;
  let expandBand = <usize>c.expandBand, depthwiseBand = <usize>c.depthwiseBand, rows = <usize>c.rows;
  if (thread != 0) {
    memory.copy(thread, changetype<usize>(g0), RECORD_BYTES);
    g = changetype<DwGeometry>(thread);
    rows = thread + RECORD_BYTES;
    expandBand = rows + ROW_POINTER_BYTES;
    depthwiseBand = expandBand + (<usize>c.depthwiseBand - <usize>c.expandBand);
  }
  // The geometry describes the depthwise stage's input (the expanded one, with an expand): its
  // height, width, channels (mid) and top padding are the chain's, read before the bands edit them.
  const inH = g.inH, inW = g.inW, mid = g.channels, outW = g.outW, padTop = g.padTop;
  const depth = mid * g.multiplier;
  const outRowBytes = <usize>outW * c.outChannels * F32;
  const expandRowBytes = <usize>inW * mid * F32;
  const inRowBytes = <usize>inW * c.inChannels * F32;
  const strideH = g.strideH, reach = (g.kH - 1) * g.dilationH + 1;
  // Input rows [have0, have1) of image `haveImage` are in the expanded band, row have0 first.
  let haveImage = -1, have0 = 0, have1 = 0;
  for (let r = row0; r < row1; ) {
    const image = r / c.outH;
    const oy0 = r - image * c.outH;
    const oy1 = min<i32>(min<i32>(oy0 + c.bandRows, c.outH), row1 - image * c.outH);
    r += oy1 - oy0;
    const input = <usize>c.input + <usize>image * c.inImage;
    const output = <usize>c.output + <usize>image * c.outImage;
    if (image != haveImage) {
      haveImage = image;
      have0 = have1 = 0;
    }
    let dwInput = input;
    if (c.expandPacked != 0) {
      const need0 = min<i32>(inH, max<i32>(0, oy0 * strideH - padTop));
      const need1 = max<i32>(need0, min<i32>(inH, (oy1 - 1) * strideH - padTop + reach));
      if (need0 >= have0 && need0 < have1) {
        if (need0 > have0) {
          memory.copy(
            expandBand, expandBand + <usize>(need0 - have0) * expandRowBytes, <usize>(have1 - need0) * expandRowBytes,
          );
        }
      } else {
        have1 = need0;
      }
      have0 = need0;
      if (need1 > have1) {
        const expandRan = gemm(
          c.gemmTile, input + <usize>have1 * inRowBytes, (need1 - have1) * inW, c.inChannels, c.inChannels,
          c.expandPacked, mid, expandBand + <usize>(have1 - have0) * expandRowBytes, mid, c.expandAct,
        );
        ran = (ran & 0xffff) | (expandRan << 16);
        have1 = need1;
      }
      // The band as an image: rows have0.. of the input, with the top edge moved down.
      g.inH = have1 - have0;
      g.padTop = padTop + have0;
      dwInput = expandBand;
    }
    const dwRan = dwconvRows(g, dwInput, c.depthwisePacked, depthwiseBand, oy0, oy1, c.zeros, rows);
    const bandOutput = output + <usize>oy0 * outRowBytes;
    const projectRan = gemm(
      c.gemmTile, depthwiseBand, (oy1 - oy0) * outW, depth, depth, c.projectPacked, c.outChannels, bandOutput,
      c.outChannels, c.projectAct,
    );
    ran = (ran & 0xffff0000) | dwRan | (projectRan << 8);
    if (c.residual != 0) {
      const residual = <usize>c.residual + <usize>image * c.outImage;
      addInPlace(bandOutput, residual + <usize>oy0 * outRowBytes, (oy1 - oy0) * outW * c.outChannels, c.residualAct);
    }
  }
  g.inH = inH;
  g.padTop = padTop;
  return ran;
}
