// The convolution ops of a loaded model on a wasm build: weights packed once at load, kernels
// called on planned arena addresses, nothing allocated per run.

import { resizeInto, resizeKernelName, resizeScratchBytes } from "../image/resize.js";
import {
  conv2dKernelName,
  dwconvKernelName,
  elementwiseKernelName,
  gemmKernelName,
  poolKernelName,
} from "../kernel-names.js";
import { activationCode, convScratchBytes, writeConvGeometry, writeDwGeometry } from "../ops/geometry.js";
import { dwPack, gemmPack, type Pack, packAll } from "../ops/pack.js";
import { PaddedTaps } from "../ops/padded-taps.js";
import { ROW_POINTER_BYTES, type Runtime } from "../runtime.js";
import type { Geometry } from "../shapes.js";
import {
  type ActivationNode,
  type ConvNode,
  type ConvTransposeNode,
  type DenseNode,
  type DepthwiseNode,
  kernelActivation,
  type MulNode,
  type Node,
  type PoolNode,
  type ResizeNode,
  type SimpleNode,
} from "./graph.js";
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

/** The elementwise passes worth a wasm kernel: a 2-input add, a (gated) multiply, a sigmoid. */
export type ElementwiseNode = SimpleNode | MulNode | ActivationNode;

/**
 * The wasm step of a pass node, where one is worth it; undefined: the JS loop (PassStep) runs it.
 * Pooling reads every input value several times and a resize up to four; the others once.
 */
export function wasmPassStep(rt: Runtime, node: Node, input: string): Step | undefined {
  switch (node.op) {
    case "pool":
      return new WasmPoolStep(rt, node, input);
    case "resize":
      return new WasmResizeStep(rt, node, input);
    case "conv-transpose":
      return new WasmConvTransposeStep(rt, node, input);
    case "add":
      return node.inputs.length === 2 ? new WasmElementwiseStep(rt, node) : undefined;
    case "mul":
      return new WasmElementwiseStep(rt, node);
    case "activation":
      return node.act === "sigmoid" ? new WasmElementwiseStep(rt, node) : undefined;
    default:
      return undefined;
  }
}

export class WasmElementwiseStep implements Step {
  readonly kernels: readonly string[];
  private a = 0;
  private b = 0;
  private y = 0;
  private size = 0;
  private batch = 1;
  private perImage = 0;
  private period = 0;

  constructor(
    private readonly rt: Runtime,
    private readonly node: ElementwiseNode,
  ) {
    this.kernels = [elementwiseKernelName(rt, node.op === "add" ? "add" : node.op === "mul" ? "mul" : "sigmoid")];
  }

  bind(plan: Plan): Needs {
    const node = this.node;
    const values = (name: string) => (plan.dims.get(name) as number[]).reduce((p, d) => p * d, 1);
    const [first, second] = node.inputs;
    // A multiply's full-size input first, its gate second (either order in the file).
    const swap = node.op === "mul" && values(first) < values(second);
    this.a = slotOf(plan, swap ? second : first).offset * 4;
    this.b = second === undefined ? 0 : slotOf(plan, swap ? first : second).offset * 4;
    const out = slotOf(plan, node.name);
    this.y = out.offset * 4;
    this.size = out.size;
    this.batch = plan.batch;
    this.perImage = out.size / plan.batch;
    this.period = second === undefined ? 0 : values(swap ? first : second);
    return NO_NEEDS;
  }

  run(arena: Arena): void {
    const k = this.rt.kernels;
    const base = arena.ptr;
    const node = this.node;
    if (node.op === "add") {
      k.add2(base + this.a, base + this.b, base + this.y, this.size);
    } else if (node.op === "activation") {
      k.sigmoid(base + this.a, base + this.y, this.size);
    } else if (node.op === "mul") {
      const period = this.period === this.perImage ? this.perImage : this.period;
      k.mulGate(base + this.a, base + this.b, base + this.y, this.batch, this.perImage, period);
    }
  }

  dispose(): void {}
}

/** TensorFlow's ResizeBilinear / ResizeNearestNeighbor of the batch in one resize2d call. */
export class WasmResizeStep implements Step {
  kernels: readonly string[] = [];
  private x = 0;
  private y = 0;
  private readonly shape = [1, 1, 1, 1];
  private readonly size = [1, 1];

  constructor(
    private readonly rt: Runtime,
    private readonly node: ResizeNode,
    private readonly inputName: string,
  ) {}

  bind(plan: Plan): Needs {
    const [h, w, c] = plan.dims.get(this.inputName) as number[];
    const [outH, outW] = plan.dims.get(this.node.name) as number[];
    this.x = slotOf(plan, this.inputName).offset * 4;
    this.y = slotOf(plan, this.node.name).offset * 4;
    this.shape.splice(0, 4, plan.batch, h, w, c);
    this.size.splice(0, 2, outH, outW);
    this.kernels = [resizeKernelName(this.rt, this.node.method, c)];
    return { scratch: Math.ceil(resizeScratchBytes(this.node.method, outW) / 4), zeros: 0 };
  }

  run(arena: Arena): void {
    const base = arena.ptr;
    resizeInto(this.rt, base + this.x, this.shape, base + this.y, this.size, this.node, arena.scratch);
  }

  dispose(): void {}
}

/**
 * A transposed convolution as a GEMM and a scatter: every input pixel times the filter
 * reshaped to [inChannels, kH * kW * outChannels] (one GEMM over the image's pixels, into the
 * shared scratch) gives the kH x kW block of outputs it contributes to; the blocks are then
 * added into place. When the stride is the kernel size (decoders' 2x2 stride 2), the blocks
 * tile the output without overlap or padding: then one GEMM per input row and kernel row
 * writes its output row directly (the filter's kernel row ky as [inChannels, kW * outChannels],
 * bias included), and nothing is scattered.
 */
export class WasmConvTransposeStep implements Step {
  readonly kernels: readonly string[];
  private readonly blocks: Blocks;
  private readonly gemmTile: number;
  private readonly cols: number;
  /** Stride equal to the kernel: the per-row GEMMs (packed[ky]) write the output in place. */
  private readonly tiles: boolean;
  private input = 0;
  private output = 0;
  private dims: number[] = [];
  private outDims: number[] = [];
  private padTop = 0;
  private padLeft = 0;
  private batch = 1;

  constructor(
    private readonly rt: Runtime,
    private readonly node: ConvTransposeNode,
    private readonly inputName: string,
  ) {
    const { filter, kH, kW, inChannels: c, outChannels: oc } = node;
    this.cols = kH * kW * oc;
    const matrix = new Float32Array(c * this.cols);
    for (let o = 0; o < oc; o++)
      for (let t = 0; t < kH * kW; t++)
        for (let i = 0; i < c; i++) matrix[i * this.cols + t * oc + o] = filter[(o * kH * kW + t) * c + i];
    this.tiles = kH === node.strideH && kW === node.strideW;
    const packs = this.tiles ? [] : [gemmPack(rt, matrix, undefined, c, this.cols)];
    if (this.tiles) {
      const rowCols = kW * oc;
      const bias = node.bias
        ? Float32Array.from({ length: rowCols }, (_, j) => (node.bias as Float32Array)[j % oc])
        : undefined;
      for (let ky = 0; ky < kH; ky++) {
        const row = new Float32Array(c * rowCols);
        for (let i = 0; i < c; i++)
          row.set(matrix.subarray(i * this.cols + ky * rowCols, i * this.cols + (ky + 1) * rowCols), i * rowCols);
        packs.push(gemmPack(rt, row, bias, c, rowCols));
      }
    }
    this.blocks = new Blocks(rt, packs, `layer '${node.name}'`);
    this.gemmTile = rt.gemmTile;
    this.kernels = [gemmKernelName(rt, this.gemmTile)];
  }

  bind(plan: Plan): Needs {
    const node = this.node;
    this.dims = plan.dims.get(this.inputName) as number[];
    this.outDims = plan.dims.get(node.name) as number[];
    const [h, w] = this.dims;
    const [outH, outW] = this.outDims;
    this.padTop = Math.floor(Math.max((h - 1) * node.strideH + node.kH - outH, 0) / 2);
    this.padLeft = Math.floor(Math.max((w - 1) * node.strideW + node.kW - outW, 0) / 2);
    this.input = slotOf(plan, this.inputName).offset * 4;
    this.output = slotOf(plan, node.name).offset * 4;
    this.batch = plan.batch;
    return { scratch: this.tiles ? 0 : h * w * this.cols, zeros: 0 };
  }

  run(arena: Arena): void {
    const { kH, kW, strideH, strideW, outChannels: oc, inChannels: c, bias } = this.node;
    const [h, w] = this.dims;
    const [outH, outW] = this.outDims;
    const cols = this.cols;
    const mem = arena.mem;
    const blocks = arena.scratch >>> 2;
    if (this.tiles) {
      const rowCols = kW * oc;
      for (let b = 0; b < this.batch; b++) {
        for (let iy = 0; iy < h; iy++) {
          const x = arena.ptr + this.input + (b * h + iy) * w * c * 4;
          for (let ky = 0; ky < kH; ky++) {
            const y = arena.ptr + this.output + (b * outH + iy * kH + ky) * outW * oc * 4;
            this.rt.gemm(this.gemmTile, x, w, c, c, this.blocks.packed[ky], rowCols, y, rowCols, 0);
          }
        }
      }
      return;
    }
    const k = this.rt.kernels;
    const perImage = outH * outW * oc;
    for (let b = 0; b < this.batch; b++) {
      const x = arena.ptr + this.input + b * h * w * c * 4;
      this.rt.gemm(this.gemmTile, x, h * w, c, c, this.blocks.packed[0], cols, arena.scratch, cols, 0);
      const y = (arena.ptr + this.output) / 4 + b * perImage;
      if (bias) {
        // The bias in the first pixel, then copies doubling in length: no per-value modulo.
        mem.set(bias, y);
        for (let done = oc; done < perImage; done *= 2)
          mem.copyWithin(y + done, y, y + Math.min(done, perImage - done));
      } else {
        mem.fill(0, y, y + perImage);
      }
      // Input pixel (iy, ix) and kernel row ky add kW consecutive output pixels of row oy: one
      // add2 over the part of that span inside the output, in place.
      for (let iy = 0; iy < h; iy++) {
        for (let ky = 0; ky < kH; ky++) {
          const oy = iy * strideH + ky - this.padTop;
          if (oy < 0 || oy >= outH) continue;
          for (let ix = 0; ix < w; ix++) {
            const left = ix * strideW - this.padLeft;
            const kx0 = Math.max(0, -left);
            const kx1 = Math.min(kW, outW - left);
            if (kx1 <= kx0) continue;
            const from = blocks + (iy * w + ix) * cols + (ky * kW + kx0) * oc;
            const to = y + (oy * outW + left + kx0) * oc;
            k.add2(to * 4, from * 4, to * 4, (kx1 - kx0) * oc);
          }
        }
      }
    }
  }

  dispose(): void {
    this.blocks.dispose();
  }
}
