import type { Runtime } from "../runtime.js";
import { type ConvSpec, inputGeometry } from "../specs.js";
import type { Tensor } from "../types.js";
import { activationCode, GEOMETRY_BYTES, writeConvGeometry } from "./geometry.js";
import { WasmLayer } from "./layer.js";

/** conv2d and pointwise: 1x1 windows with stride 1 and no padding run as one GEMM over all pixels. */
export class ConvLayer extends WasmLayer {
  private readonly packed: number;
  private readonly geometry: number;
  private zero = 0;
  private scratch = 0;
  private asGemm = false;
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
    const k = rt.kernels;
    this.packed = this.pack(spec.filter, spec.window.bias, k.gemmPackedLength(depth, cols), (f, b, p) =>
      k.gemmPack(f, b, depth, cols, p),
    );
    this.geometry = this.ownedBlock(GEOMETRY_BYTES, `${spec.op} geometry`);
  }

  protected plan(x: Tensor): number[] {
    const s = this.spec;
    const g = inputGeometry(s.op, x, s.inChannels, s.kH, s.kW, s.window);
    const [n, inH, inW, inChannels] = x.shape;
    this.asGemm =
      s.kH === 1 &&
      s.kW === 1 &&
      g.strideH === 1 &&
      g.strideW === 1 &&
      g.padTop === 0 &&
      g.padBottom === 0 &&
      g.padLeft === 0 &&
      g.padRight === 0;
    if (!this.asGemm) {
      this.zero = this.shapedBlock(inChannels * 4, `${s.op} zero pixel`, true);
      // Four gathered receptive fields (see assembly/conv/conv.ts), plus room for a 16-byte tail.
      this.scratch = this.shapedBlock(4 * s.kH * s.kW * inChannels * 4 + 16, `${s.op} gather rows`, true);
      writeConvGeometry(this.rt.heap.i32(), this.geometry, inH, inW, inChannels, s.outChannels, g, s.window.activation);
    }
    this.pixels = g.outH * g.outW;
    this.inImage = inH * inW * inChannels * 4;
    this.outImage = this.pixels * s.outChannels * 4;
    return [n, g.outH, g.outW, s.outChannels];
  }

  protected execute(input: number, output: number, batch: number): void {
    const k = this.rt.kernels;
    const s = this.spec;
    if (this.asGemm) {
      k.gemm(
        input,
        batch * this.pixels,
        s.inChannels,
        this.packed,
        s.outChannels,
        output,
        activationCode(s.window.activation),
      );
      return;
    }
    for (let i = 0; i < batch; i++) {
      k.conv2d(
        this.geometry,
        input + i * this.inImage,
        this.packed,
        output + i * this.outImage,
        this.zero,
        this.scratch,
      );
    }
  }
}
