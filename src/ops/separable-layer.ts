import type { Runtime } from "../runtime.js";
import { inputGeometry, type SeparableSpec } from "../specs.js";
import type { Tensor } from "../types.js";
import { activationCode, GEOMETRY_BYTES, writeDwGeometry } from "./geometry.js";
import { WasmLayer } from "./layer.js";

/** Floats of depthwise output kept per band: small enough to stay in L2 next to the weights. */
const BAND_FLOATS = 32 * 1024;

/** Fused depthwise -> pointwise: the intermediate exists only one band of rows at a time. */
export class SeparableLayer extends WasmLayer {
  private readonly depthwisePacked: number;
  private readonly pointwisePacked: number;
  private readonly geometry: number;
  private zeroRow = 0;
  private scratch = 0;
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
    const k = rt.kernels;
    this.depthwisePacked = this.pack(dw.filter, dw.window.bias, k.dwPackedLength(depth, taps), (f, b, p) =>
      k.dwPack(f, b, depth, taps, p),
    );
    this.pointwisePacked = this.pack(pw.filter, pw.window.bias, k.gemmPackedLength(depth, pw.outChannels), (f, b, p) =>
      k.gemmPack(f, b, depth, pw.outChannels, p),
    );
    this.geometry = this.ownedBlock(GEOMETRY_BYTES, `${spec.op} geometry`);
  }

  protected plan(x: Tensor): number[] {
    const { op, depthwise: dw, pointwise: pw } = this.spec;
    const g = inputGeometry(op, x, dw.channels, dw.kH, dw.kW, dw.window);
    const [n, inH, inW, channels] = x.shape;
    const depth = channels * dw.multiplier;
    this.bandRows = Math.max(1, Math.min(g.outH, Math.floor(BAND_FLOATS / (g.outW * depth))));
    this.zeroRow = this.shapedBlock(inW * channels * 4, `${op} zero row`, true);
    this.scratch = this.shapedBlock(this.bandRows * g.outW * depth * 4, `${op} band scratch`);
    writeDwGeometry(this.rt.heap.i32(), this.geometry, inH, inW, channels, dw.multiplier, g, dw.window.activation);
    this.outH = g.outH;
    this.inImage = inH * inW * channels * 4;
    this.outImage = g.outH * g.outW * pw.outChannels * 4;
    return [n, g.outH, g.outW, pw.outChannels];
  }

  protected execute(input: number, output: number, batch: number): void {
    const k = this.rt.kernels;
    const pw = this.spec.pointwise;
    const act = activationCode(pw.window.activation);
    for (let i = 0; i < batch; i++) {
      k.separable(
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
      );
    }
  }
}
