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
  private readonly free: Range[] = [];
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

  /**
   * data itself, or a copy when it is a view onto this memory (another tensor's .data), which an
   * allocation that grows memory would detach before it is read.
   */
  survivingGrowth(data: Float32Array): Float32Array {
    return data.buffer === this.memory.buffer ? new Float32Array(data) : data;
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
   * A block of at least `bytes` (plus slack), 16-byte aligned. Throws RangeError, changing
   * nothing, when it cannot fit in wasm's 4 GiB; `who` starts the message (e.g. "conv2d: the input").
   */
  alloc(bytes: number, who: string): number {
    return this.allocAll([bytes], who)[0];
  }

  /**
   * Blocks for every entry of `bytes`, in order, or none: the placement is planned on a copy of
   * the free list first, so a group that cannot fit throws RangeError before memory grows or
   * any block is taken (memory never shrinks, so growing and then failing would leak it).
   */
  allocAll(bytes: readonly number[], who: string): number[] {
    const sizes = bytes.map((b) => Math.ceil(Math.max(b, 1) / ALIGN) * ALIGN + SLACK);
    const free = this.free.map((r) => ({ ...r }));
    const oldEnd = this.byteLength;
    let end = oldEnd;
    const ptrs = sizes.map((size) => {
      const placed = firstFit(free, end, size);
      end = placed.end;
      return placed.ptr;
    });
    if (end > MAX_PAGES * PAGE) {
      throw new RangeError(
        `${who} need ${sizes.reduce((a, b) => a + b, 0)} bytes; with ${this.live} bytes already in use, ` +
          `WebAssembly's 4 GiB memory cannot hold them`,
      );
    }
    if (end > oldEnd) {
      try {
        this.memory.grow((end - oldEnd) / PAGE);
      } catch (cause) {
        throw new RangeError(`${who} need ${end - oldEnd} more bytes, and the engine refused to grow memory`, {
          cause,
        });
      }
    }
    this.free.splice(0, this.free.length, ...free);
    for (const [i, ptr] of ptrs.entries()) {
      this.sizes.set(ptr, sizes[i]);
      this.requested.set(ptr, bytes[i]);
      this.live += sizes[i];
    }
    this.highWater = Math.max(this.highWater, this.live);
    return ptrs;
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
}

interface Range {
  start: number;
  end: number;
}

/**
 * Takes `size` bytes from the first range of `free` that holds them, or from the end of memory
 * (`end`, extended by whole pages, joining a free range that reaches it). Updates `free`;
 * returns the block and the new end of memory.
 */
function firstFit(free: Range[], end: number, size: number): { ptr: number; end: number } {
  let index = free.findIndex((r) => r.end - r.start >= size);
  if (index < 0) {
    const tail = free.at(-1);
    const reachesEnd = tail !== undefined && tail.end === end;
    const newEnd = end + Math.ceil((size - (reachesEnd ? tail.end - tail.start : 0)) / PAGE) * PAGE;
    if (reachesEnd) tail.end = newEnd;
    else free.push({ start: end, end: newEnd });
    index = free.length - 1;
    end = newEnd;
  }
  const range = free[index];
  const ptr = range.start;
  range.start += size;
  if (range.start === range.end) free.splice(index, 1);
  return { ptr, end };
}
