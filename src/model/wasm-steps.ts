// The convolution ops of a loaded model on a wasm build: weights packed once at load, kernels
// called on planned arena addresses, nothing allocated per run.

import { conv2dKernelName, dwconvKernelName, gemmKernelName, poolKernelName } from "../kernel-names.js";
import { activationCode, convScratchBytes, writeConvGeometry, writeDwGeometry } from "../ops/geometry.js";
import { dwPack, gemmPack, type Pack, packAll } from "../ops/pack.js";
import { PaddedTaps } from "../ops/padded-taps.js";
import { ROW_POINTER_BYTES, type Runtime } from "../runtime.js";
import type { Geometry } from "../shapes.js";
import { type ConvNode, type DenseNode, type DepthwiseNode, kernelActivation, type PoolNode } from "./graph.js";
import { isPointwise } from "./ops.js";
import type { Plan } from "./plan.js";
import { windowGeometry } from "./shape-inference.js";
import { type Arena, type Needs, NO_NEEDS, type Step } from "./step.js";

/** The blocks one step owns (packed weights, a geometry record), taken all or nothing, freed by dispose(). */
export class Blocks {
  private readonly owned: number[] = [];
  readonly packed: number[];
  readonly geometry: number;

  constructor(
    readonly rt: Runtime,
    packs: readonly Pack[],
    who: string,
  ) {
    const blocks = packAll(rt.heap, packs, `loadLayersModel: ${who}'s packed weights`);
    this.owned.push(...blocks.packed, blocks.geometry);
    this.packed = blocks.packed;
    this.geometry = blocks.geometry;
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
  readonly kernels: readonly string[];
  /** The GEMM microkernel id this layer runs (the dispatch table's choice when it was made). */
  private readonly gemmTile: number;
  private readonly blocks: Blocks;
  private readonly packed: number;
  private readonly geometry: number;
  /** Taps with non-finite weights, whose padded outputs become NaN (see ops/padded-taps.ts). */
  private readonly padded: PaddedTaps | undefined;
  private g: Geometry | undefined;
  private inH = 0;
  private inW = 0;
  /** 1x1, stride 1, unpadded: one GEMM over all pixels (known at load, whatever the input size). */
  private readonly asGemm: boolean;
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
    const { kH, kW } = node.window;
    const pack = gemmPack(rt, node.filter, node.bias, kH * kW * node.inChannels, node.outChannels);
    this.blocks = new Blocks(rt, [pack], `layer '${node.name}'`);
    this.asGemm = isPointwise(node);
    this.gemmTile = rt.gemmTile;
    this.kernels = [this.asGemm ? gemmKernelName(rt, this.gemmTile) : conv2dKernelName(rt)];
    this.packed = this.blocks.packed[0];
    this.geometry = this.blocks.geometry;
    this.padded = PaddedTaps.of(node.filter, kH, kW, node.outChannels);
  }

  bind(plan: Plan): Needs {
    const node = this.node;
    const [h, w, c] = plan.dims.get(this.inputName) as number[];
    const g = windowGeometry(node, node.window, h, w, plan.op);
    this.g = g;
    this.inH = h;
    this.inW = w;
    const x = slotOf(plan, this.inputName);
    const y = slotOf(plan, node.name);
    this.input = x.offset * 4;
    this.output = y.offset * 4;
    this.batch = plan.batch;
    this.inImage = h * w * c * 4;
    this.pixels = g.outH * g.outW;
    this.outImage = this.pixels * node.outChannels * 4;
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
    this.blocks.rt.needThreadScratch(convScratchBytes(g.kH, g.kW, c));
    return { scratch: 4 * g.kH * g.kW * c + 4, zeros: g.kW * c };
  }

  run(arena: Arena): void {
    const rt = this.blocks.rt;
    const node = this.node;
    const input = arena.ptr + this.input;
    const output = arena.ptr + this.output;
    if (this.asGemm) {
      const act = activationCode(kernelActivation(node.act));
      rt.gemm(
        this.gemmTile,
        input,
        this.batch * this.pixels,
        node.inChannels,
        node.inChannels,
        this.packed,
        node.outChannels,
        output,
        node.outChannels,
        act,
      );
      return;
    }
    const { kH, kW } = node.window;
    const macs = this.batch * this.pixels * node.outChannels * kH * kW * node.inChannels;
    const outH = (this.g as Geometry).outH;
    rt.conv(
      this.geometry,
      input,
      this.packed,
      output,
      arena.zeros,
      arena.scratch,
      outH,
      this.batch,
      this.inImage,
      this.outImage,
      macs,
    );
    this.padded?.apply(arena.mem, output >>> 2, this.batch, this.g as Geometry, this.inH, this.inW, node.outChannels);
  }

  dispose(): void {
    this.blocks.dispose();
  }
}

export class WasmDepthwiseStep implements Step {
  readonly kernels: readonly string[];
  private readonly blocks: Blocks;
  private readonly packed: number;
  private readonly geometry: number;
  private readonly padded: PaddedTaps | undefined;
  private g: Geometry | undefined;
  private inH = 0;
  private inW = 0;
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
    const depth = node.channels * node.multiplier;
    const { kH, kW } = node.window;
    this.blocks = new Blocks(rt, [dwPack(rt, node.filter, node.bias, depth, kH * kW)], `layer '${node.name}'`);
    this.kernels = [dwconvKernelName(rt, { ...node.window, multiplier: node.multiplier })];
    this.packed = this.blocks.packed[0];
    this.geometry = this.blocks.geometry;
    this.padded = PaddedTaps.of(node.filter, kH, kW, depth);
  }

  bind(plan: Plan): Needs {
    const node = this.node;
    const [h, w, c] = plan.dims.get(this.inputName) as number[];
    const g = windowGeometry(node, node.window, h, w, plan.op);
    this.g = g;
    this.inH = h;
    this.inW = w;
    writeDwGeometry(this.blocks.rt.heap.i32(), this.geometry, h, w, c, node.multiplier, g, kernelActivation(node.act));
    this.input = slotOf(plan, this.inputName).offset * 4;
    this.output = slotOf(plan, node.name).offset * 4;
    this.batch = plan.batch;
    this.inImage = h * w * c * 4;
    this.outImage = g.outH * g.outW * c * node.multiplier * 4;
    this.outH = g.outH;
    this.blocks.rt.needThreadScratch(ROW_POINTER_BYTES);
    return { scratch: 0, zeros: w * c };
  }

  run(arena: Arena): void {
    const depth = this.node.channels * this.node.multiplier;
    const g = this.g as Geometry;
    const { kH, kW } = this.node.window;
    const macs = this.batch * g.outH * g.outW * depth * kH * kW;
    this.blocks.rt.dwconv(
      this.geometry,
      arena.ptr + this.input,
      this.packed,
      arena.ptr + this.output,
      arena.zeros,
      arena.rows,
      this.outH,
      g.outW * depth * 4,
      this.batch,
      this.inImage,
      this.outImage,
      macs,
    );
    const at = (arena.ptr + this.output) >>> 2;
    this.padded?.apply(arena.mem, at, this.batch, this.g as Geometry, this.inH, this.inW, depth);
  }

  dispose(): void {
    this.blocks.dispose();
  }
}

/** Dense: a GEMM with one row per leading index (batch, and any dimensions before the last). */
export class WasmDenseStep implements Step {
  readonly kernels: readonly string[];
  /** The GEMM microkernel id this layer runs (the dispatch table's choice when it was made). */
  private readonly gemmTile: number;
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
    const pack = gemmPack(rt, node.kernel, node.bias, node.inUnits, node.units);
    this.blocks = new Blocks(rt, [pack], `layer '${node.name}'`);
    this.gemmTile = rt.gemmTile;
    this.kernels = [gemmKernelName(rt, this.gemmTile)];
    this.packed = this.blocks.packed[0];
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
    this.blocks.rt.gemm(
      this.gemmTile,
      arena.ptr + this.input,
      this.rows,
      node.inUnits,
      node.inUnits,
      this.packed,
      node.units,
      arena.ptr + this.output,
      node.units,
      act,
    );
  }

  dispose(): void {
    this.blocks.dispose();
  }
}

/** Max or average pooling in wasm (SIMD across channels), one image at a time. */
export class WasmPoolStep implements Step {
  readonly kernels: readonly string[];
  private readonly blocks: Blocks;
  private input = 0;
  private output = 0;
  private inImage = 0;
  private outImage = 0;
  private outH = 0;
  private batch = 1;

  constructor(
    rt: Runtime,
    private readonly node: PoolNode,
    private readonly inputName: string,
  ) {
    this.blocks = new Blocks(rt, [], `layer '${node.name}'`);
    this.kernels = [poolKernelName(rt, node.kind)];
  }

  bind(plan: Plan): Needs {
    const node = this.node;
    const [h, w, c] = plan.dims.get(this.inputName) as number[];
    const g = windowGeometry(node, node.window, h, w, plan.op);
    writeDwGeometry(this.blocks.rt.heap.i32(), this.blocks.geometry, h, w, c, 1, g, "linear");
    this.input = slotOf(plan, this.inputName).offset * 4;
    this.output = slotOf(plan, node.name).offset * 4;
    this.batch = plan.batch;
    this.inImage = h * w * c * 4;
    this.outImage = g.outH * g.outW * c * 4;
    this.outH = g.outH;
    return NO_NEEDS;
  }

  run(arena: Arena): void {
    const k = this.blocks.rt.kernels;
    const kind = this.node.kind === "max" ? 0 : 1;
    for (let i = 0; i < this.batch; i++) {
      const input = arena.ptr + this.input + i * this.inImage;
      k.pool2d(kind, this.blocks.geometry, input, arena.ptr + this.output + i * this.outImage, 0, this.outH);
    }
  }

  dispose(): void {
    this.blocks.dispose();
  }
}
