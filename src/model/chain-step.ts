// A fused chain on a wasm build: [1x1 expand ->] depthwise -> 1x1 project [+ residual], one
// band of output rows at a time, so the wide intermediate tensors never exist in full:
//
//   expand:    the input rows the band needs go through the expand GEMM into a band buffer
//              (rows the previous band already expanded are kept, moved to the front);
//   depthwise: dwconvRows reads that buffer as a short image whose top edge is moved down (its
//              geometry's inH and padTop are rewritten per band), writing the band's rows;
//   project:   the GEMM turns those rows into output rows, and the residual is added to them
//              while they are still in cache.
//
// Without an expand the depthwise reads the input tensor directly (a separable block).

import { DwGeometry } from "../abi.generated.js";
import { dwconvKernelName, gemmKernelName } from "../kernel-names.js";
import { activationCode, writeDwGeometry } from "../ops/geometry.js";
import { dwPack, gemmPack } from "../ops/pack.js";
import { PaddedTaps } from "../ops/padded-taps.js";
import type { Runtime } from "../runtime.js";
import type { Geometry } from "../shapes.js";
import type { ChainOp } from "./ops.js";
import type { Plan } from "./plan.js";
import { windowGeometry } from "./shape-inference.js";
import type { Arena, Needs, Step } from "./step.js";
import { Blocks } from "./wasm-steps.js";

/** Floats of depthwise output per band (as the separable layer): stays in L2 with the weights. */
const DEPTHWISE_BAND_FLOATS = 32 * 1024;
/** Floats of expanded input rows per band. */
const EXPAND_BAND_FLOATS = 64 * 1024;

/** Field indices (i32) of DwGeometry rewritten per band. */

export class WasmChainStep implements Step {
  /** In the order they run per band: [expand GEMM,] depthwise, project GEMM. */
  readonly kernels: readonly string[];
  /** The GEMM microkernel id this layer runs (the dispatch table's choice when it was made). */
  private readonly gemmTile: number;
  private readonly blocks: Blocks;
  private readonly expandPacked: number;
  private readonly depthwisePacked: number;
  private readonly projectPacked: number;
  private readonly geometry: number;
  private readonly padded: PaddedTaps | undefined;
  private g: Geometry | undefined;
  private batch = 1;
  private inH = 0;
  private inW = 0;
  private inChannels = 0;
  /** Channels the depthwise reads (expanded, or the input's) and writes (times the multiplier). */
  private mid = 0;
  private depth = 0;
  private bandRows = 1;
  /** Arena offsets (bytes) and per-image sizes (bytes). */
  private input = 0;
  private output = 0;
  private residual = -1;
  private inImage = 0;
  private outImage = 0;
  /** Bytes from the scratch block to the depthwise band (the expanded band comes first). */
  private depthwiseBandAt = 0;

  constructor(
    rt: Runtime,
    private readonly op: ChainOp,
  ) {
    const { expand, depthwise: dw, project } = op;
    const depth = dw.channels * dw.multiplier;
    const { kH, kW } = dw.window;
    const packs = [
      dwPack(rt, dw.filter, dw.bias, depth, kH * kW),
      gemmPack(rt, project.filter, project.bias, depth, project.outChannels),
    ];
    if (expand) packs.push(gemmPack(rt, expand.filter, expand.bias, expand.inChannels, expand.outChannels));
    this.blocks = new Blocks(rt, packs, `layers '${op.layers.join("+")}'`);
    this.gemmTile = rt.gemmTile;
    const gemm = gemmKernelName(rt, this.gemmTile);
    const stages = [dwconvKernelName(rt, { ...dw.window, multiplier: dw.multiplier }), gemm];
    this.kernels = expand ? [gemm, ...stages] : stages;
    [this.depthwisePacked, this.projectPacked] = this.blocks.packed;
    this.expandPacked = expand ? this.blocks.packed[2] : 0;
    this.geometry = this.blocks.geometry;
    // The project stage mixes every channel, so a padded tap with a non-finite depthwise weight
    // makes its whole output pixel NaN.
    this.padded = PaddedTaps.of(dw.filter, kH, kW, depth)?.toAllChannels();
  }

  bind(plan: Plan): Needs {
    const { op } = this;
    const dw = op.depthwise;
    const [h, w, c] = plan.dims.get(op.input) as number[];
    const g = windowGeometry(dw.node, dw.window, h, w, plan.op);
    this.g = g;
    this.batch = plan.batch;
    this.inH = h;
    this.inW = w;
    this.inChannels = c;
    this.mid = op.expand ? op.expand.outChannels : c;
    this.depth = this.mid * dw.multiplier;
    const cout = op.project.outChannels;
    this.input = (plan.slots.get(op.input)?.offset as number) * 4;
    this.output = (plan.slots.get(op.output)?.offset as number) * 4;
    this.residual = op.residual === undefined ? -1 : (plan.slots.get(op.residual)?.offset as number) * 4;
    this.inImage = h * w * c * 4;
    this.outImage = g.outH * g.outW * cout * 4;
    writeDwGeometry(this.blocks.rt.heap.i32(), this.geometry, h, w, this.mid, dw.multiplier, g, dw.act);

    let rows = Math.max(1, Math.min(g.outH, Math.floor(DEPTHWISE_BAND_FLOATS / (g.outW * this.depth))));
    if (op.expand) {
      while (rows > 1 && this.rowsNeeded(rows) * w * this.mid > EXPAND_BAND_FLOATS) rows--;
    }
    this.bandRows = rows;
    const expandFloats = op.expand ? Math.ceil((this.rowsNeeded(rows) * w * this.mid) / 4) * 4 : 0;
    this.depthwiseBandAt = (expandFloats + 4) * 4;
    return { scratch: expandFloats + 4 + rows * g.outW * this.depth, zeros: w * this.mid };
  }

  /** Input rows the depthwise reads for `rows` consecutive output rows (at most). */
  private rowsNeeded(rows: number): number {
    const g = this.g as Geometry;
    return Math.min(this.inH, (rows - 1) * g.strideH + (g.kH - 1) * g.dilationH + 1);
  }

  run(arena: Arena): void {
    for (let i = 0; i < this.batch; i++) this.image(arena, i);
    const at = (arena.ptr + this.output) >>> 2;
    const cout = this.op.project.outChannels;
    this.padded?.apply(arena.mem, at, this.batch, this.g as Geometry, this.inH, this.inW, cout);
  }

  private image(arena: Arena, index: number): void {
    const k = this.blocks.rt.kernels;
    const g = this.g as Geometry;
    const { op, depth } = this;
    const cout = op.project.outChannels;
    const input = arena.ptr + this.input + index * this.inImage;
    const output = arena.ptr + this.output + index * this.outImage;
    const outRowBytes = g.outW * cout * 4;
    const projectAct = activationCode(op.project.act);
    const expandBand = arena.scratch;
    const depthwiseBand = arena.scratch + this.depthwiseBandAt;
    const expandRowFloats = this.inW * this.mid;
    const i32 = this.blocks.rt.heap.i32();
    const geometryIndex = this.geometry >>> 2;
    // Input rows [have0, have1) are in the expanded band, row have0 first.
    let have0 = 0;
    let have1 = 0;
    for (let oy0 = 0; oy0 < g.outH; oy0 += this.bandRows) {
      const oy1 = Math.min(oy0 + this.bandRows, g.outH);
      let dwInput = input;
      if (op.expand) {
        const need0 = Math.min(this.inH, Math.max(0, oy0 * g.strideH - g.padTop));
        const need1 = Math.max(
          need0,
          Math.min(this.inH, (oy1 - 1) * g.strideH - g.padTop + (g.kH - 1) * g.dilationH + 1),
        );
        if (need0 >= have0 && need0 < have1) {
          if (need0 > have0) {
            const from = (expandBand >>> 2) + (need0 - have0) * expandRowFloats;
            arena.mem.copyWithin(expandBand >>> 2, from, from + (have1 - need0) * expandRowFloats);
          }
        } else {
          have1 = need0;
        }
        have0 = need0;
        if (need1 > have1) {
          k.gemm(
            this.gemmTile,
            input + have1 * this.inW * this.inChannels * 4,
            (need1 - have1) * this.inW,
            this.inChannels,
            this.expandPacked,
            this.mid,
            expandBand + (have1 - have0) * expandRowFloats * 4,
            activationCode(op.expand.act),
          );
          have1 = need1;
        }
        // The band as an image: rows have0.. of the input, with the top edge moved down.
        i32[geometryIndex + DwGeometry.inH] = have1 - have0;
        i32[geometryIndex + DwGeometry.padTop] = g.padTop + have0;
        dwInput = expandBand;
      }
      k.dwconvRows(this.geometry, dwInput, this.depthwisePacked, depthwiseBand, oy0, oy1, arena.zeros, arena.rows);
      const bandOutput = output + oy0 * outRowBytes;
      k.gemm(
        this.gemmTile,
        depthwiseBand,
        (oy1 - oy0) * g.outW,
        depth,
        this.projectPacked,
        cout,
        bandOutput,
        projectAct,
      );
      if (this.residual >= 0) {
        const mem = arena.mem;
        const y = bandOutput >>> 2;
        const r = (arena.ptr + this.residual + index * this.outImage + oy0 * outRowBytes) >>> 2;
        const n = (oy1 - oy0) * g.outW * cout;
        for (let i = 0; i < n; i++) mem[y + i] += mem[r + i];
      }
    }
  }

  dispose(): void {
    this.blocks.dispose();
  }
}
