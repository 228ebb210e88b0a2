// The life cycle shared by every prepared wasm layer: owned blocks (packed weights), blocks
// sized for the current input shape (re-planned only when the shape changes), copy in,
// execute, copy out. In the steady state run(x, out) allocates nothing in JS or wasm.
// Blocks are taken in groups, all or nothing: a request too large for wasm's 4 GiB throws
// before memory grows, and a failed create or re-plan holds no block.

import type { Heap } from "../memory.js";
import { forget, type Held, releaseWhenCollected } from "../reclaim.js";
import type { Runtime } from "../runtime.js";
import { checkOut, checkTensor, dataToCopy, show } from "../shapes.js";
import type { Layer, Tensor } from "../types.js";
import { WasmTensor } from "../wasm-tensor.js";
import { type Pack, packAll } from "./pack.js";

/** What an input shape needs, worked out before anything is allocated. */
export interface Plan {
  outShape: number[];
  /** Scratch blocks besides input and output (bytes), handed to bind() in this order. */
  scratch: { bytes: number; zeroed?: boolean }[];
}

/** A layer's blocks: owned for its life (packed weights) and sized for the current input shape. */
class LayerBlocks implements Held {
  readonly owned: number[] = [];
  readonly shaped: number[] = [];

  constructor(private readonly heap: Heap) {}

  releaseShaped(): void {
    for (const ptr of this.shaped) this.heap.release(ptr);
    this.shaped.length = 0;
  }

  release(): void {
    this.releaseShaped();
    for (const ptr of this.owned) this.heap.release(ptr);
    this.owned.length = 0;
  }
}

export abstract class WasmLayer implements Layer {
  private disposed = false;
  private readonly blocks: LayerBlocks;
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

  /** The microkernels execute() runs, by name (src/kernel-names.ts). */
  abstract readonly kernels: readonly string[];

  constructor(
    protected readonly rt: Runtime,
    readonly op: string,
  ) {
    this.blocks = new LayerBlocks(rt.heap);
    releaseWhenCollected(this, this.blocks);
  }

  /** Validates x against the layer and says what its shape needs; allocates nothing. */
  protected abstract plan(x: Tensor): Plan;

  /** Receives the scratch blocks of the plan just made (in its order); writes the geometry. */
  protected abstract bind(scratch: readonly number[]): void;

  /** Runs the kernels for a batch of `batch` images from `input` into `output`. */
  protected abstract execute(input: number, output: number, batch: number): void;

  /**
   * Packs every filter into a block owned for the layer's life, plus one geometry record, in one
   * group with the temporary uploads. Returns the packed blocks (in order) and the geometry block.
   */
  protected packAll(packs: readonly Pack[]): { packed: number[]; geometry: number } {
    const blocks = packAll(this.rt.heap, packs, `${this.op}: the packed weights`);
    this.blocks.owned.push(...blocks.packed, blocks.geometry);
    return blocks;
  }

  run(x: Tensor, out?: Tensor): Tensor {
    if (this.disposed) throw new Error(`${this.op}: the layer was disposed; create a new one`);
    checkTensor(this.op, "x", x, 4);
    const heap = this.rt.heap;
    // Tensors in this build's memory (createTensor) are read and written in place; other
    // tensors go through the layer's own input and output blocks.
    const xInPlace = x instanceof WasmTensor && x.livesIn(heap);
    const outInPlace = out instanceof WasmTensor && out.livesIn(heap);
    // The dimensions are read once: a getter or proxy need not return what checkTensor saw,
    // so a re-plan checks what it plans for, and every copy and pointer is sized by the plan.
    const shape = x.shape;
    const n = shape[0];
    const h = shape[1];
    const w = shape[2];
    const c = shape[3];
    let source: Float32Array | undefined;
    if (
      n !== this.n ||
      h !== this.h ||
      w !== this.w ||
      c !== this.c ||
      (!xInPlace && this.input === 0) ||
      (!outInPlace && this.output === 0)
    ) {
      // x's data may view this memory (a plain tensor around another tensor's .data); a re-plan
      // can grow it, so the copy is taken from data that survives that.
      const data = x.data;
      const planned = { data: xInPlace ? data : heap.survivingGrowth(data), shape: [n, h, w, c] };
      checkTensor(this.op, "x", planned, 4);
      this.replan(planned, !xInPlace, !outInPlace);
      if (planned.data !== data) source = planned.data;
    }
    if (out !== undefined) checkOut(this.op, out, this.outShape, x);
    const inLength = n * h * w * c;
    let input = this.input;
    if (xInPlace) input = x.pointerFor(this.op, "x", inLength);
    else heap.f32().set(source ?? dataToCopy(this.op, "x", x, inLength), input >>> 2);
    const output = outInPlace ? out.pointerFor(this.op, "out", this.outLength) : this.output;
    this.execute(input, output, n);
    if (outInPlace) return out;
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
    forget(this);
    this.releaseShaped();
    this.blocks.release();
  }

  /** Blocks for x's shape: scratch, plus the input and output blocks unless x/out are in place. */
  private replan(x: Tensor, withInput: boolean, withOutput: boolean): void {
    this.releaseShaped();
    const plan = this.plan(x);
    const outLength = plan.outShape.reduce((a, b) => a * b, 1);
    // Scratch first and the output last, so a stray write past the output's end lands in free
    // memory (where the tests' canaries are), not in a block of this layer.
    const heap = this.rt.heap;
    const bytes = plan.scratch.map((s) => s.bytes);
    if (withInput) bytes.push(4 * x.shape[0] * x.shape[1] * x.shape[2] * x.shape[3]);
    if (withOutput) bytes.push(outLength * 4);
    const ptrs = heap.allocAll(bytes, `${this.op}: the input, output and scratch buffers for x.shape ${show(x.shape)}`);
    this.blocks.shaped.push(...ptrs);
    const scratch = ptrs.slice(0, plan.scratch.length);
    const f32 = heap.f32();
    for (const [i, s] of plan.scratch.entries()) {
      if (s.zeroed) f32.fill(0, scratch[i] >>> 2, (scratch[i] >>> 2) + Math.ceil(s.bytes / 4));
    }
    this.bind(scratch);
    this.input = withInput ? ptrs[plan.scratch.length] : 0;
    this.output = withOutput ? ptrs[ptrs.length - 1] : 0;
    this.outShape = plan.outShape;
    this.outLength = outLength;
    this.n = x.shape[0];
    this.h = x.shape[1];
    this.w = x.shape[2];
    this.c = x.shape[3];
  }

  private releaseShaped(): void {
    this.blocks.releaseShaped();
    this.n = 0;
    this.input = 0;
    this.output = 0;
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
