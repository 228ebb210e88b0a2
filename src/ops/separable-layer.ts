import { dwconvKernelName, gemmKernelName } from "../kernel-names.js";
import { ROW_POINTER_BYTES, type Runtime } from "../runtime.js";
import type { Geometry } from "../shapes.js";
import { type SeparableSpec, separableGeometry } from "../specs.js";
import type { Tensor } from "../types.js";
import { activationCode, writeDwGeometry } from "./geometry.js";
import { type Plan, WasmLayer } from "./layer.js";
import { dwPack, gemmPack } from "./pack.js";
import { PaddedTaps } from "./padded-taps.js";

/** Floats of depthwise output kept per band: small enough to stay in L2 next to the weights. */
const BAND_FLOATS = 32 * 1024;

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
  private zeroRow = 0;
  private rows = 0;
  private scratch = 0;
  private g: Geometry | undefined;
  private inH = 0;
  private inW = 0;
  private outH = 0;
  private bandRows = 0;
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
    this.outH = g.outH;
    this.bandRows = Math.max(1, Math.min(g.outH, Math.floor(BAND_FLOATS / (g.outW * depth))));
    this.inImage = inH * inW * channels * 4;
    this.outImage = g.outH * g.outW * pw.outChannels * 4;
    return {
      outShape: [n, g.outH, g.outW, pw.outChannels],
      scratch: [
        { bytes: inW * channels * 4, zeroed: true },
        { bytes: this.bandRows * g.outW * depth * 4 },
        { bytes: ROW_POINTER_BYTES },
      ],
    };
  }

  protected bind([zeroRow, scratch, rows]: readonly number[]): void {
    const dw = this.spec.depthwise;
    this.zeroRow = zeroRow;
    this.rows = rows;
    this.scratch = scratch;
    const i32 = this.rt.heap.i32();
    writeDwGeometry(i32, this.geometry, this.inH, this.inW, dw.channels, dw.multiplier, this.g!, dw.window.activation);
  }

  protected execute(input: number, output: number, batch: number): void {
    const k = this.rt.kernels;
    const pw = this.spec.pointwise;
    const act = activationCode(pw.window.activation);
    for (let i = 0; i < batch; i++) {
      k.separable(
        this.gemmTile,
        this.geometry,
        input + i * this.inImage,
        this.depthwisePacked,
        this.zeroRow,
        this.pointwisePacked,
        pw.outChannels,
        act,
        this.outH,
        this.bandRows,
        this.scratch,
        output + i * this.outImage,
        this.rows,
      );
    }
    this.padded?.apply(this.rt.heap.f32(), output >>> 2, batch, this.g!, this.inH, this.inW, pw.outChannels);
  }
}
