// The convolution ops of a loaded model on a wasm build: weights packed once at load, kernels
// called on planned arena addresses, nothing allocated per run.

import { activationCode, GEOMETRY_BYTES, writeConvGeometry, writeDwGeometry } from "../ops/geometry.js";
import type { Runtime } from "../runtime.js";
import { type ConvNode, type DenseNode, type DepthwiseNode, kernelActivation } from "./graph.js";
import type { Plan } from "./plan.js";
import { windowGeometry } from "./shape-inference.js";
import { type Arena, type Needs, NO_NEEDS, type Step } from "./step.js";

/** Owned blocks of one step: packed weights and geometry records, freed by dispose(). */
export class Blocks {
  private readonly owned: number[] = [];

  constructor(readonly rt: Runtime) {}

  alloc(bytes: number, what: string): number {
    const ptr = this.rt.heap.alloc(bytes, `loadLayersModel: ${what}`);
    this.owned.push(ptr);
    return ptr;
  }

  /** A GEMM panel packing of matrix [depth, cols] and its bias. */
  gemm(matrix: Float32Array, bias: Float32Array | undefined, depth: number, cols: number, what: string): number {
    const k = this.rt.kernels;
    return this.pack(matrix, bias, k.gemmPackedLength(depth, cols), what, (m, b, p) =>
      k.gemmPack(m, b, depth, cols, p),
    );
  }

  /** A depthwise packing of filter [taps, channels] and its bias. */
  depthwise(
    filter: Float32Array,
    bias: Float32Array | undefined,
    channels: number,
    taps: number,
    what: string,
  ): number {
    const k = this.rt.kernels;
    return this.pack(filter, bias, k.dwPackedLength(channels, taps), what, (f, b, p) =>
      k.dwPack(f, b, channels, taps, p),
    );
  }

  private pack(
    data: Float32Array,
    bias: Float32Array | undefined,
    floats: number,
    what: string,
    packFn: (data: number, bias: number, packed: number) => void,
  ): number {
    const packed = this.alloc(floats * 4, `${what} packed weights`);
    const d = this.upload(data, `${what} weights`);
    const b = bias ? this.upload(bias, `${what} bias`) : 0;
    packFn(d, b, packed);
    this.rt.heap.release(d);
    if (b) this.rt.heap.release(b);
    return packed;
  }

  /** A temporary block holding a copy of `data`; the caller releases it. */
  private upload(data: Float32Array, what: string): number {
    const ptr = this.rt.heap.alloc(data.byteLength, `loadLayersModel: ${what}`);
    this.rt.heap.f32().set(data, ptr >>> 2);
    return ptr;
  }

  dispose(): void {
    for (const ptr of this.owned) this.rt.heap.release(ptr);
    this.owned.length = 0;
  }
}

/** Tensor placement of a step: arena offsets (floats) and per-image sizes. */
function slotOf(plan: Plan, name: string) {
  const slot = plan.slots.get(name);
  if (!slot) throw new Error(`sepconv: internal error: no slot for '${name}'`);
  return slot;
}

/** Conv2D: one GEMM over all pixels when 1x1/stride 1/unpadded, else the gathering conv kernel. */
export class WasmConvStep implements Step {
  private readonly blocks: Blocks;
  private readonly packed: number;
  private readonly geometry: number;
  private asGemm = false;
  private input = 0;
  private output = 0;
  private inImage = 0;
  private outImage = 0;
  private pixels = 0;
  private batch = 1;

  constructor(
    rt: Runtime,
    private readonly node: ConvNode,
    private readonly inputName: string,
  ) {
    this.blocks = new Blocks(rt);
    const { kH, kW } = node.window;
    this.packed = this.blocks.gemm(node.filter, node.bias, kH * kW * node.inChannels, node.outChannels, node.name);
    this.geometry = this.blocks.alloc(GEOMETRY_BYTES, `${node.name} geometry`);
  }

  bind(plan: Plan): Needs {
    const node = this.node;
    const [h, w, c] = plan.dims.get(this.inputName) as number[];
    const g = windowGeometry(node, node.window, h, w);
    const x = slotOf(plan, this.inputName);
    const y = slotOf(plan, node.name);
    this.input = x.offset * 4;
    this.output = y.offset * 4;
    this.batch = plan.batch;
    this.inImage = h * w * c * 4;
    this.pixels = g.outH * g.outW;
    this.outImage = this.pixels * node.outChannels * 4;
    const pads = g.padTop + g.padBottom + g.padLeft + g.padRight;
    this.asGemm = g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && pads === 0;
    if (this.asGemm) return NO_NEEDS;
    writeConvGeometry(
      this.blocks.rt.heap.i32(),
      this.geometry,
      h,
      w,
      c,
      node.outChannels,
      g,
      kernelActivation(node.act),
    );
    return { scratch: 4 * g.kH * g.kW * c + 4, zeros: c };
  }

  run(arena: Arena): void {
    const k = this.blocks.rt.kernels;
    const node = this.node;
    const input = arena.ptr + this.input;
    const output = arena.ptr + this.output;
    if (this.asGemm) {
      const act = activationCode(kernelActivation(node.act));
      k.gemm(input, this.batch * this.pixels, node.inChannels, this.packed, node.outChannels, output, act);
      return;
    }
    for (let i = 0; i < this.batch; i++) {
      k.conv2d(
        this.geometry,
        input + i * this.inImage,
        this.packed,
        output + i * this.outImage,
        arena.zeros,
        arena.scratch,
      );
    }
  }

  dispose(): void {
    this.blocks.dispose();
  }
}

export class WasmDepthwiseStep implements Step {
  private readonly blocks: Blocks;
  private readonly packed: number;
  private readonly geometry: number;
  private input = 0;
  private output = 0;
  private inImage = 0;
  private outImage = 0;
  private outH = 0;
  private batch = 1;

  constructor(
    rt: Runtime,
    private readonly node: DepthwiseNode,
    private readonly inputName: string,
  ) {
    this.blocks = new Blocks(rt);
    const depth = node.channels * node.multiplier;
    this.packed = this.blocks.depthwise(node.filter, node.bias, depth, node.window.kH * node.window.kW, node.name);
    this.geometry = this.blocks.alloc(GEOMETRY_BYTES, `${node.name} geometry`);
  }

  bind(plan: Plan): Needs {
    const node = this.node;
    const [h, w, c] = plan.dims.get(this.inputName) as number[];
    const g = windowGeometry(node, node.window, h, w);
    writeDwGeometry(this.blocks.rt.heap.i32(), this.geometry, h, w, c, node.multiplier, g, kernelActivation(node.act));
    this.input = slotOf(plan, this.inputName).offset * 4;
    this.output = slotOf(plan, node.name).offset * 4;
    this.batch = plan.batch;
    this.inImage = h * w * c * 4;
    this.outImage = g.outH * g.outW * c * node.multiplier * 4;
    this.outH = g.outH;
    return { scratch: 0, zeros: w * c };
  }

  run(arena: Arena): void {
    const k = this.blocks.rt.kernels;
    for (let i = 0; i < this.batch; i++) {
      k.dwconvRows(
        this.geometry,
        arena.ptr + this.input + i * this.inImage,
        this.packed,
        arena.ptr + this.output + i * this.outImage,
        0,
        this.outH,
        arena.zeros,
      );
    }
  }

  dispose(): void {
    this.blocks.dispose();
  }
}

/** Dense: a GEMM with one row per leading index (batch, and any dimensions before the last). */
export class WasmDenseStep implements Step {
  private readonly blocks: Blocks;
  private readonly packed: number;
  private input = 0;
  private output = 0;
  private rows = 0;

  constructor(
    rt: Runtime,
    private readonly node: DenseNode,
    private readonly inputName: string,
  ) {
    this.blocks = new Blocks(rt);
    this.packed = this.blocks.gemm(node.kernel, node.bias, node.inUnits, node.units, node.name);
  }

  bind(plan: Plan): Needs {
    const x = slotOf(plan, this.inputName);
    this.input = x.offset * 4;
    this.output = slotOf(plan, this.node.name).offset * 4;
    this.rows = x.size / this.node.inUnits;
    return NO_NEEDS;
  }

  run(arena: Arena): void {
    const { node } = this;
    const act = activationCode(kernelActivation(node.act));
    const k = this.blocks.rt.kernels;
    k.gemm(arena.ptr + this.input, this.rows, node.inUnits, this.packed, node.units, arena.ptr + this.output, act);
  }

  dispose(): void {
    this.blocks.dispose();
  }
}
