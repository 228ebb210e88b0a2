import { conv2dKernelName, gemmKernelName } from "../kernel-names.js";
import type { Runtime } from "../runtime.js";
import type { Geometry } from "../shapes.js";
import { type ConvSpec, convGeometry, runsAsGemm } from "../specs.js";
import type { Tensor } from "../types.js";
import { activationCode, convScratchBytes, writeConvGeometry } from "./geometry.js";
import { type Plan, WasmLayer } from "./layer.js";
import { gemmPack } from "./pack.js";
import { PaddedTaps } from "./padded-taps.js";

/** conv2d and pointwise: 1x1 windows with stride 1 and no padding run as one GEMM over all pixels. */
export class ConvLayer extends WasmLayer {
  readonly kernels: readonly string[];
  /** The GEMM microkernel id this layer runs (the dispatch table's choice when it was made). */
  private readonly gemmTile: number;
  private readonly asGemm: boolean;
  private readonly packed: number;
  private readonly geometry: number;
  private readonly padded: PaddedTaps | undefined;
  private zero = 0;
  private scratch = 0;
  private g: Geometry | undefined;
  private inH = 0;
  private inW = 0;
  private pixels = 0;
  private inImage = 0;
  private outImage = 0;

  constructor(
    rt: Runtime,
    private readonly spec: ConvSpec,
  ) {
    super(rt, spec.op);
    const depth = spec.kH * spec.kW * spec.inChannels;
    const cols = spec.outChannels;
    const { packed, geometry } = this.packAll([gemmPack(rt, spec.filter, spec.window.bias, depth, cols)]);
    this.packed = packed[0];
    this.geometry = geometry;
    this.padded = PaddedTaps.of(spec.filter, spec.kH, spec.kW, cols);
    this.asGemm = runsAsGemm(spec);
    this.gemmTile = rt.gemmTile;
    this.kernels = [this.asGemm ? gemmKernelName(rt, this.gemmTile) : conv2dKernelName(rt)];
  }

  protected plan(x: Tensor): Plan {
    const s = this.spec;
    const g = convGeometry(s, x);
    const [n, inH, inW, inChannels] = x.shape;
    this.g = g;
    this.inH = inH;
    this.inW = inW;
    this.pixels = g.outH * g.outW;
    this.inImage = inH * inW * inChannels * 4;
    this.outImage = this.pixels * s.outChannels * 4;
    return {
      outShape: [n, g.outH, g.outW, s.outChannels],
      scratch: this.asGemm
        ? []
        : [
            // The zero segment of one kernel row (kW pixels) for taps above and below the image.
            { bytes: s.kW * inChannels * 4, zeroed: true },
            { bytes: convScratchBytes(s.kH, s.kW, inChannels), zeroed: true },
          ],
    };
  }

  protected bind(scratch: readonly number[]): void {
    if (this.asGemm) return;
    const s = this.spec;
    this.zero = scratch[0];
    this.scratch = scratch[1];
    this.rt.needThreadScratch(convScratchBytes(s.kH, s.kW, s.inChannels));
    const i32 = this.rt.heap.i32();
    writeConvGeometry(
      i32,
      this.geometry,
      this.inH,
      this.inW,
      s.inChannels,
      s.outChannels,
      this.g!,
      s.window.activation,
    );
  }

  protected execute(input: number, output: number, batch: number): void {
    const rt = this.rt;
    const s = this.spec;
    if (this.asGemm) {
      rt.gemm(
        this.gemmTile,
        input,
        batch * this.pixels,
        s.inChannels,
        s.inChannels,
        this.packed,
        s.outChannels,
        output,
        s.outChannels,
        activationCode(s.window.activation),
      );
      return;
    }
    const g = this.g!;
    const macs = batch * this.pixels * s.outChannels * s.kH * s.kW * s.inChannels;
    rt.conv(
      this.geometry,
      input,
      this.packed,
      output,
      this.zero,
      this.scratch,
      g.outH,
      batch,
      this.inImage,
      this.outImage,
      macs,
    );
    this.padded?.apply(this.rt.heap.f32(), output >>> 2, batch, this.g!, this.inH, this.inW, s.outChannels);
  }
}
