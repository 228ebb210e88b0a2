import { dwconvKernelName, gemmKernelName } from "../kernel-names.js";
import { chainThreadScratch, ROW_POINTER_BYTES, type Runtime } from "../runtime.js";
import type { Geometry } from "../shapes.js";
import { type SeparableSpec, separableGeometry } from "../specs.js";
import type { Tensor } from "../types.js";
import { type Bands, CHAIN_PARAMS_AT, planBands, writeChainParams, writeChainRun } from "./chain-params.js";
import { activationCode, writeDwGeometry } from "./geometry.js";
import { type Plan, WasmLayer } from "./layer.js";
import { dwPack, gemmPack } from "./pack.js";
import { PaddedTaps } from "./padded-taps.js";

/** Fused depthwise -> pointwise: the intermediate exists only one band of rows at a time. */
export class SeparableLayer extends WasmLayer {
  readonly kernels: readonly string[];
  /** The GEMM microkernel id this layer runs (the dispatch table's choice when it was made). */
  private readonly gemmTile: number;
  private readonly depthwisePacked: number;
  private readonly pointwisePacked: number;
  private readonly geometry: number;
  /** A NaN in any depthwise channel reaches every output channel through the pointwise stage. */
  private readonly padded: PaddedTaps | undefined;
  private g: Geometry | undefined;
  private inH = 0;
  private inW = 0;
  private bands: Bands | undefined;
  private inImage = 0;
  private outImage = 0;

  constructor(
    rt: Runtime,
    private readonly spec: SeparableSpec,
  ) {
    super(rt, spec.op);
    const { depthwise: dw, pointwise: pw } = spec;
    const depth = dw.channels * dw.multiplier;
    const taps = dw.kH * dw.kW;
    const { packed, geometry } = this.packAll([
      dwPack(rt, dw.filter, dw.window.bias, depth, taps),
      gemmPack(rt, pw.filter, pw.window.bias, depth, pw.outChannels),
    ]);
    [this.depthwisePacked, this.pointwisePacked] = packed;
    this.geometry = geometry;
    this.padded = PaddedTaps.of(dw.filter, dw.kH, dw.kW, depth)?.toAllChannels();
    this.gemmTile = rt.gemmTile;
    this.kernels = [dwconvKernelName(rt, { ...dw, ...dw.window }), gemmKernelName(rt, this.gemmTile)];
  }

  protected plan(x: Tensor): Plan {
    const { depthwise: dw, pointwise: pw } = this.spec;
    const g = separableGeometry(this.spec, x);
    const [n, inH, inW, channels] = x.shape;
    const depth = channels * dw.multiplier;
    this.g = g;
    this.inH = inH;
    this.inW = inW;
    this.bands = planBands(g, inH, inW, channels, depth, false);
    this.inImage = inH * inW * channels * 4;
    this.outImage = g.outH * g.outW * pw.outChannels * 4;
    return {
      outShape: [n, g.outH, g.outW, pw.outChannels],
      scratch: [
        { bytes: inW * channels * 4, zeroed: true },
        { bytes: this.bands.scratchFloats * 4 },
        { bytes: ROW_POINTER_BYTES },
      ],
    };
  }

  protected bind([zeroRow, scratch, rows]: readonly number[]): void {
    const { depthwise: dw, pointwise: pw } = this.spec;
    const g = this.g!;
    const bands = this.bands!;
    const i32 = this.rt.heap.i32();
    writeDwGeometry(i32, this.geometry, this.inH, this.inW, dw.channels, dw.multiplier, g, dw.window.activation);
    writeChainParams(i32, this.geometry + CHAIN_PARAMS_AT, {
      gemmTile: this.gemmTile,
      batch: 1,
      inChannels: dw.channels,
      outH: g.outH,
      outChannels: pw.outChannels,
      bandRows: bands.bandRows,
      input: 0,
      inImage: this.inImage,
      output: 0,
      outImage: this.outImage,
      residual: 0,
      expandPacked: 0,
      expandAct: 0,
      depthwisePacked: this.depthwisePacked,
      projectPacked: this.pointwisePacked,
      projectAct: activationCode(pw.window.activation),
      residualAct: 0,
      expandBand: scratch,
      depthwiseBand: scratch + bands.depthwiseBandAt,
      zeros: zeroRow,
      rows,
    });
    this.rt.needThreadScratch(chainThreadScratch(bands.scratchFloats * 4));
  }

  protected execute(input: number, output: number, batch: number): void {
    const params = this.geometry + CHAIN_PARAMS_AT;
    writeChainRun(this.rt.heap.i32(), params, batch, input, output, 0);
    const { depthwise: dw, pointwise: pw } = this.spec;
    const g = this.g!;
    const depth = dw.channels * dw.multiplier;
    const macs = batch * g.outH * g.outW * depth * (dw.kH * dw.kW + pw.outChannels);
    this.rt.chain(this.geometry, params, batch * g.outH, macs, false, this.bands!.bandRows);
    this.padded?.apply(this.rt.heap.f32(), output >>> 2, batch, this.g!, this.inH, this.inW, pw.outChannels);
  }
}
