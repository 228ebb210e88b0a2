import { dwconvKernelName } from "../kernel-names.js";
import { ROW_POINTER_BYTES, type Runtime } from "../runtime.js";
import type { Geometry } from "../shapes.js";
import { type DepthwiseSpec, depthwiseGeometry } from "../specs.js";
import type { Tensor } from "../types.js";
import { writeDwGeometry } from "./geometry.js";
import { type Plan, WasmLayer } from "./layer.js";
import { dwPack } from "./pack.js";
import { PaddedTaps } from "./padded-taps.js";

export class DepthwiseLayer extends WasmLayer {
  readonly kernels: readonly string[];
  private readonly packed: number;
  private readonly geometry: number;
  private readonly padded: PaddedTaps | undefined;
  private zeroRow = 0;
  private rows = 0;
  private g: Geometry | undefined;
  private inH = 0;
  private inW = 0;
  private inImage = 0;
  private outImage = 0;

  constructor(
    rt: Runtime,
    private readonly spec: DepthwiseSpec,
  ) {
    super(rt, spec.op);
    const depth = spec.channels * spec.multiplier;
    const taps = spec.kH * spec.kW;
    const { packed, geometry } = this.packAll([dwPack(rt, spec.filter, spec.window.bias, depth, taps)]);
    this.packed = packed[0];
    this.geometry = geometry;
    this.padded = PaddedTaps.of(spec.filter, spec.kH, spec.kW, depth);
    this.kernels = [dwconvKernelName(rt, { ...spec, ...spec.window })];
  }

  protected plan(x: Tensor): Plan {
    const s = this.spec;
    const g = depthwiseGeometry(s, x);
    const [n, inH, inW, channels] = x.shape;
    const depth = channels * s.multiplier;
    this.g = g;
    this.inH = inH;
    this.inW = inW;
    this.inImage = inH * inW * channels * 4;
    this.outImage = g.outH * g.outW * depth * 4;
    return {
      outShape: [n, g.outH, g.outW, depth],
      scratch: [{ bytes: inW * channels * 4, zeroed: true }, { bytes: ROW_POINTER_BYTES }],
    };
  }

  protected bind([zeroRow, rows]: readonly number[]): void {
    const s = this.spec;
    this.zeroRow = zeroRow;
    this.rows = rows;
    const i32 = this.rt.heap.i32();
    writeDwGeometry(i32, this.geometry, this.inH, this.inW, s.channels, s.multiplier, this.g!, s.window.activation);
    this.rt.needThreadScratch(ROW_POINTER_BYTES);
  }

  protected execute(input: number, output: number, batch: number): void {
    const s = this.spec;
    const g = this.g!;
    const depth = s.channels * s.multiplier;
    const rowBytes = g.outW * depth * 4;
    const macs = batch * g.outH * g.outW * depth * s.kH * s.kW;
    this.rt.dwconv(
      this.geometry,
      input,
      this.packed,
      output,
      this.zeroRow,
      this.rows,
      g.outH,
      rowBytes,
      batch,
      this.inImage,
      this.outImage,
      macs,
    );
    this.padded?.apply(this.rt.heap.f32(), output >>> 2, batch, this.g!, this.inH, this.inW, s.channels * s.multiplier);
  }
}
