// The life cycle shared by every prepared wasm layer: owned blocks (packed weights), blocks
// sized for the current input shape (re-planned only when the shape changes), copy in,
// execute, copy out. In the steady state run(x, out) allocates nothing in JS or wasm.

import type { Runtime } from "../runtime.js";
import { checkOut, checkTensor } from "../shapes.js";
import type { Layer, Tensor } from "../types.js";

export abstract class WasmLayer implements Layer {
  private disposed = false;
  private readonly owned: number[] = [];
  private readonly shaped: number[] = [];
  /** Input shape the current plan is for (batch 0 = no plan). */
  private n = 0;
  private h = 0;
  private w = 0;
  private c = 0;
  private input = 0;
  private output = 0;
  private outShape: number[] = [];
  private outLength = 0;
  private outView: Float32Array | undefined;

  constructor(
    protected readonly rt: Runtime,
    readonly op: string,
  ) {}

  /** Validates x against the layer and plans for its shape; returns the output shape. */
  protected abstract plan(x: Tensor): number[];

  /** Runs the kernels for a batch of `batch` images from `input` into `output`. */
  protected abstract execute(input: number, output: number, batch: number): void;

  /** A block that lives as long as the layer (packed weights, geometry). */
  protected ownedBlock(bytes: number, what: string): number {
    const ptr = this.rt.heap.alloc(bytes, what);
    this.owned.push(ptr);
    return ptr;
  }

  /** A block that lives until the input shape changes (scratch, zero rows). */
  protected shapedBlock(bytes: number, what: string, zero = false): number {
    const ptr = zero ? this.rt.zeros(Math.ceil(bytes / 4), what) : this.rt.heap.alloc(bytes, what);
    this.shaped.push(ptr);
    return ptr;
  }

  /** Packs a filter (and optional bias) with one of the module's pack functions into an owned block. */
  protected pack(
    filter: Float32Array,
    bias: Float32Array | undefined,
    packedFloats: number,
    packFn: (filter: number, bias: number, packed: number) => void,
  ): number {
    const packed = this.ownedBlock(packedFloats * 4, `${this.op} packed weights`);
    const f = this.rt.upload(filter, `${this.op} filter`);
    const b = bias ? this.rt.upload(bias, `${this.op} bias`) : 0;
    packFn(f, b, packed);
    this.rt.heap.release(f);
    if (b) this.rt.heap.release(b);
    return packed;
  }

  run(x: Tensor, out?: Tensor): Tensor {
    if (this.disposed) throw new Error(`${this.op}: the layer was disposed; create a new one`);
    checkTensor(this.op, "x", x, 4);
    const shape = x.shape;
    const n = shape[0];
    if (n !== this.n || shape[1] !== this.h || shape[2] !== this.w || shape[3] !== this.c) this.replan(x);
    if (out !== undefined) checkOut(this.op, out, this.outShape, x);
    this.rt.heap.f32().set(x.data, this.input >>> 2);
    this.execute(this.input, this.output, n);
    const result = this.outputView();
    if (out !== undefined) {
      out.data.set(result);
      return out;
    }
    return { data: result.slice(), shape: this.outShape.slice() };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.releaseShaped();
    for (const ptr of this.owned) this.rt.heap.release(ptr);
    this.owned.length = 0;
  }

  private replan(x: Tensor): void {
    this.releaseShaped();
    try {
      const outShape = this.plan(x);
      const outLength = outShape[0] * outShape[1] * outShape[2] * outShape[3];
      this.input = this.shapedBlock(x.data.byteLength, `${this.op} input`);
      this.output = this.shapedBlock(outLength * 4, `${this.op} output`);
      this.outShape = outShape;
      this.outLength = outLength;
      this.n = x.shape[0];
      this.h = x.shape[1];
      this.w = x.shape[2];
      this.c = x.shape[3];
    } catch (error) {
      this.releaseShaped();
      throw error;
    }
  }

  private releaseShaped(): void {
    for (const ptr of this.shaped) this.rt.heap.release(ptr);
    this.shaped.length = 0;
    this.n = 0;
    this.outView = undefined;
  }

  /** The output block as a Float32Array, re-derived only when memory grew or the plan changed. */
  private outputView(): Float32Array {
    const f32 = this.rt.heap.f32();
    if (this.outView === undefined || this.outView.buffer !== f32.buffer) {
      this.outView = f32.subarray(this.output >>> 2, (this.output >>> 2) + this.outLength);
    }
    return this.outView;
  }
}
