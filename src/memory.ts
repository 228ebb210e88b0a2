// The allocator over one instance's linear memory. Kernels never allocate: every buffer they
// touch is a block handed out here. Blocks are 16-byte aligned and followed by 16 bytes of
// slack, because SIMD tails may read (never write) up to 12 bytes past a buffer's end.

const PAGE = 65536;
const ALIGN = 16;
const SLACK = 16;
/** wasm32 addresses 4 GiB. */
const MAX_PAGES = 65536;

export class Heap {
  /** Free ranges [start, end), sorted by start, never adjacent (they are merged). */
  private readonly free: { start: number; end: number }[] = [];
  private readonly sizes = new Map<number, number>();
  /** Bytes asked for per block: what lies between them and the block's end is slack, never written. */
  private readonly requested = new Map<number, number>();
  /** Bytes in live blocks (alignment and slack included), and their high-water mark. */
  private live = 0;
  private highWater = 0;
  private f32View: Float32Array;
  private i32View: Int32Array;

  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    const start = Math.ceil(base / ALIGN) * ALIGN;
    if (start < memory.buffer.byteLength) this.free.push({ start, end: memory.buffer.byteLength });
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
  }

  /** Float32 view of all memory, re-derived after growth (growth detaches the old buffer). */
  f32(): Float32Array {
    if (this.f32View.buffer !== this.memory.buffer) this.refresh();
    return this.f32View;
  }

  i32(): Int32Array {
    if (this.i32View.buffer !== this.memory.buffer) this.refresh();
    return this.i32View;
  }

  private refresh(): void {
    this.f32View = new Float32Array(this.memory.buffer);
    this.i32View = new Int32Array(this.memory.buffer);
  }

  /** Bytes held by live blocks now: a leak shows as a count that does not return to its baseline. */
  get usedBytes(): number {
    return this.live;
  }

  /** The most bytes live blocks ever held at once: fragmentation or a leak shows as a rising peak. */
  get peakBytes(): number {
    return this.highWater;
  }

  /**
   * Byte ranges [start, end) no kernel may write: the free ranges and the slack after each live
   * block. Tests fill them with a pattern before a run and check it afterwards.
   */
  unusedRanges(): [number, number][] {
    const ranges: [number, number][] = this.free.map((r) => [r.start, r.end]);
    for (const [ptr, size] of this.sizes) ranges.push([ptr + (this.requested.get(ptr) ?? size), ptr + size]);
    return ranges;
  }

  /** Total bytes of linear memory (grows, never shrinks). */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * A block of at least `bytes` (plus slack), 16-byte aligned. Throws RangeError, allocating
   * nothing, when the request cannot fit in wasm's 4 GiB.
   */
  alloc(bytes: number, what = "buffer"): number {
    const size = Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN + SLACK;
    let index = this.free.findIndex((r) => r.end - r.start >= size);
    if (index < 0) index = this.grow(size, what);
    const range = this.free[index];
    const ptr = range.start;
    range.start += size;
    if (range.start === range.end) this.free.splice(index, 1);
    this.sizes.set(ptr, size);
    this.requested.set(ptr, bytes);
    this.live += size;
    this.highWater = Math.max(this.highWater, this.live);
    return ptr;
  }

  /** Returns a block to the free list, merging it with its neighbours. */
  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    this.requested.delete(ptr);
    this.live -= size;
    const end = ptr + size;
    let i = 0;
    while (i < this.free.length && this.free[i].start < ptr) i++;
    const before = this.free[i - 1];
    const after = this.free[i];
    if (before && before.end === ptr) {
      before.end = after && after.start === end ? after.end : end;
      if (after && after.start === end) this.free.splice(i, 1);
    } else if (after && after.start === end) {
      after.start = ptr;
    } else {
      this.free.splice(i, 0, { start: ptr, end });
    }
  }

  /** Grows memory so a block of `size` fits at the end; returns the index of that free range. */
  private grow(size: number, what: string): number {
    const oldEnd = this.memory.buffer.byteLength;
    const tail = this.free.at(-1);
    const tailFree = tail && tail.end === oldEnd ? tail.end - tail.start : 0;
    const pages = Math.ceil((size - tailFree) / PAGE);
    const oldPages = oldEnd / PAGE;
    if (oldPages + pages > MAX_PAGES) {
      throw new RangeError(
        `sepconv: ${what} needs ${size} bytes, more than WebAssembly's 4 GiB memory can hold ` +
          `(${oldEnd} bytes in use or reserved)`,
      );
    }
    try {
      this.memory.grow(pages);
    } catch (cause) {
      throw new RangeError(`sepconv: could not grow WebAssembly memory by ${pages * PAGE} bytes for ${what}`, {
        cause,
      });
    }
    const newEnd = this.memory.buffer.byteLength;
    if (tail && tail.end === oldEnd) tail.end = newEnd;
    else this.free.push({ start: oldEnd, end: newEnd });
    return this.free.length - 1;
  }
}
