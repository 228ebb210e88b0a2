// A fused chain on a wasm build: [1x1 expand ->] depthwise -> 1x1 project [+ residual]. The
// band loop runs in the kernels (chain() in assembly/chain/chain.ts, the same loop prepared
// separable layers run): this step plans the bands (src/ops/chain-params.ts), writes the
// geometry and chain params once per plan and the moving pointers per run.

import { dwconvKernelName, gemmKernelName } from "../kernel-names.js";
import { CHAIN_PARAMS_AT, planBands, writeChainParams, writeChainRun, writeChainScratch } from "../ops/chain-params.js";
import { activationCode, writeDwGeometry } from "../ops/geometry.js";
import { dwPack, gemmPack } from "../ops/pack.js";
import { PaddedTaps } from "../ops/padded-taps.js";
import { chainThreadScratch, type Runtime } from "../runtime.js";
import type { Geometry } from "../shapes.js";
import type { ChainOp } from "./ops.js";
import type { Plan } from "./plan.js";
import { windowGeometry } from "./shape-inference.js";
import type { Arena, Needs, Step } from "./step.js";
import { Blocks } from "./wasm-steps.js";

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
  /** Channels the depthwise reads (expanded, or the input's) and writes (times the multiplier). */
  private mid = 0;
  private depth = 0;
  /** Arena offsets (bytes) and per-image sizes (bytes). */
  private input = 0;
  private output = 0;
  private residual = -1;
  private inImage = 0;
  private outImage = 0;
  /** Bytes from the scratch block to the depthwise band (the expanded band comes first). */
  private depthwiseBandAt = 0;
  /** Output rows per image, and multiply-adds per run (whether threads are worth waking). */
  private outH = 0;
  private bandRows = 0;
  private macs = 0;

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
    this.mid = op.expand ? op.expand.outChannels : c;
    this.depth = this.mid * dw.multiplier;
    const cout = op.project.outChannels;
    this.input = (plan.slots.get(op.input)?.offset as number) * 4;
    this.output = (plan.slots.get(op.output)?.offset as number) * 4;
    this.residual = op.residual === undefined ? -1 : (plan.slots.get(op.residual)?.offset as number) * 4;
    this.inImage = h * w * c * 4;
    this.outImage = g.outH * g.outW * cout * 4;
    writeDwGeometry(this.blocks.rt.heap.i32(), this.geometry, h, w, this.mid, dw.multiplier, g, dw.act);

    const rt = this.blocks.rt;
    const bands = planBands(g, h, w, this.mid, this.depth, op.expand !== undefined);
    this.depthwiseBandAt = bands.depthwiseBandAt;
    this.outH = g.outH;
    this.bandRows = bands.bandRows;
    const expandMacs = op.expand ? h * w * c * this.mid : 0;
    this.macs = this.batch * (expandMacs + g.outH * g.outW * this.depth * (dw.window.kH * dw.window.kW + cout));
    rt.needThreadScratch(chainThreadScratch(bands.scratchFloats * 4));
    writeChainParams(this.blocks.rt.heap.i32(), this.geometry + CHAIN_PARAMS_AT, {
      gemmTile: this.gemmTile,
      batch: this.batch,
      inChannels: c,
      outH: g.outH,
      outChannels: cout,
      bandRows: bands.bandRows,
      input: 0,
      inImage: this.inImage,
      output: 0,
      outImage: this.outImage,
      residual: 0,
      expandPacked: this.expandPacked,
      expandAct: op.expand ? activationCode(op.expand.act) : 0,
      depthwisePacked: this.depthwisePacked,
      projectPacked: this.projectPacked,
      projectAct: activationCode(op.project.act),
      residualAct: activationCode(op.residualAct ?? "linear"),
      expandBand: 0,
      depthwiseBand: 0,
      zeros: 0,
      rows: 0,
    });
    return { scratch: bands.scratchFloats, zeros: w * this.mid };
  }

  run(arena: Arena): void {
    const i32 = this.blocks.rt.heap.i32();
    const params = this.geometry + CHAIN_PARAMS_AT;
    const residual = this.residual < 0 ? 0 : arena.ptr + this.residual;
    writeChainRun(i32, params, this.batch, arena.ptr + this.input, arena.ptr + this.output, residual);
    writeChainScratch(i32, params, arena.scratch, arena.scratch + this.depthwiseBandAt, arena.zeros, arena.rows);
    const expands = this.expandPacked !== 0;
    this.blocks.rt.chain(this.geometry, params, this.batch * this.outH, this.macs, expands, this.bandRows);
    const at = (arena.ptr + this.output) >>> 2;
    const cout = this.op.project.outChannels;
    this.padded?.apply(arena.mem, at, this.batch, this.g as Geometry, this.inH, this.inW, cout);
  }

  dispose(): void {
    this.blocks.dispose();
  }
}
