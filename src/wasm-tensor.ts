// A tensor whose data lives in one build's wasm memory: prepared layers of that build read it
// and write into it in place, so chained layers skip the copies in and out of wasm memory
// (for a large depthwise layer those copies cost as much as the kernel).

import type { Heap } from "./memory.js";
import { forget, type Held, releaseWhenCollected } from "./reclaim.js";
import type { Tensor } from "./types.js";

/**
 * A tensor's block, freed once the tensor and every view of its data it handed out have been
 * collected: a caller may keep `t.data` and drop `t`, and that view must not come to alias a
 * block handed to someone else.
 */
class TensorBlock implements Held {
  holders = 0;

  constructor(
    private readonly heap: Heap,
    private readonly ptr: number,
  ) {}

  release(): void {
    if (--this.holders === 0) this.heap.release(this.ptr);
  }
}

export class WasmTensor implements Tensor {
  readonly shape: number[];
  // ES private fields: a caller cannot point a tensor at another block (kernels trust them).
  readonly #heap: Heap | null;
  readonly #ptr: number;
  /** Kept apart from the view: a view detached by memory growth has length 0. */
  readonly #length: number;
  #view: Float32Array;
  readonly #block: TensorBlock | null;
  #disposed = false;

  /**
   * heap/ptr: the block holding the data, or null/0 when there is no wasm build ('js' backend),
   * where the data is an ordinary Float32Array and the tensor only keeps the same contract.
   */
  constructor(heap: Heap | null, ptr: number, shape: number[], plain: Float32Array) {
    this.#heap = heap;
    this.#ptr = ptr;
    this.shape = shape;
    this.#view = plain;
    this.#length = plain.length;
    this.#block = heap === null ? null : new TensorBlock(heap, ptr);
    this.#holdUntilCollected(this);
    this.#holdUntilCollected(plain);
  }

  /** The block stays allocated while `holder` (this tensor or a view of its data) is reachable. */
  #holdUntilCollected(holder: object): void {
    const block = this.#block;
    if (block === null) return;
    block.holders++;
    releaseWhenCollected(holder, block, this);
  }

  /**
   * The data, a view onto wasm memory re-derived after memory grows (growth detaches the old
   * buffer): read `.data` again after creating layers or tensors rather than keeping the array.
   */
  get data(): Float32Array {
    if (this.#disposed) throw new TypeError("this sepconv tensor was disposed; its data is gone");
    const heap = this.#heap;
    if (heap !== null && this.#view.buffer !== heap.memory.buffer) {
      const start = this.#ptr >>> 2;
      this.#view = heap.f32().subarray(start, start + this.#length);
      this.#holdUntilCollected(this.#view);
    }
    return this.#view;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** @internal Whether the data is a live block of `heap` (a prepared layer of that heap's build can use it in place). */
  livesIn(heap: Heap): boolean {
    return !this.#disposed && heap === this.#heap;
  }

  /**
   * @internal
   * The byte offset of the data, for a kernel that reads or writes `elements` floats there.
   * The count is checked against the block's own length, not against `shape`, which the caller
   * may have changed since it was validated.
   */
  pointerFor(op: string, arg: string, elements: number): number {
    if (elements !== this.#length) {
      throw new RangeError(
        `${op}: ${arg}.data.length (${this.#length}) must equal the size planned for it (${elements})`,
      );
    }
    return this.#ptr;
  }

  /** Frees the data; harmless twice. Layers and other tensors are unaffected. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    forget(this);
    this.#heap?.release(this.#ptr);
    this.#view = new Float32Array(0);
  }
}
