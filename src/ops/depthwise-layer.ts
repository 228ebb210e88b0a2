import type { Runtime } from "../runtime.js";
import { type DepthwiseSpec, inputGeometry } from "../specs.js";
import type { Tensor } from "../types.js";
import { GEOMETRY_BYTES, writeDwGeometry } from "./geometry.js";
import { WasmLayer } from "./layer.js";

export class DepthwiseLayer extends WasmLayer {
  private readonly packed: number;
  private readonly geometry: number;
  private zeroRow = 0;
  private outH = 0;
  private inImage = 0;
  private outImage = 0;

  constructor(
    rt: Runtime,
    private readonly spec: DepthwiseSpec,
  ) {
    super(rt, spec.op);
    const depth = spec.channels * spec.multiplier;
    const taps = spec.kH * spec.kW;
    const k = rt.kernels;
    this.packed = this.pack(spec.filter, spec.window.bias, k.dwPackedLength(depth, taps), (f, b, p) =>
      k.dwPack(f, b, depth, taps, p),
    );
    this.geometry = this.ownedBlock(GEOMETRY_BYTES, `${spec.op} geometry`);
  }

  protected plan(x: Tensor): number[] {
    const s = this.spec;
    const g = inputGeometry(s.op, x, s.channels, s.kH, s.kW, s.window);
    const [n, inH, inW, channels] = x.shape;
    const depth = channels * s.multiplier;
    this.zeroRow = this.shapedBlock(inW * channels * 4, `${s.op} zero row`, true);
    writeDwGeometry(this.rt.heap.i32(), this.geometry, inH, inW, channels, s.multiplier, g, s.window.activation);
    this.outH = g.outH;
    this.inImage = inH * inW * channels * 4;
    this.outImage = g.outH * g.outW * depth * 4;
    return [n, g.outH, g.outW, depth];
  }

  protected execute(input: number, output: number, batch: number): void {
    const k = this.rt.kernels;
    for (let i = 0; i < batch; i++) {
      k.dwconvRows(
        this.geometry,
        input + i * this.inImage,
        this.packed,
        output + i * this.outImage,
        0,
        this.outH,
        this.zeroRow,
      );
    }
  }
}
