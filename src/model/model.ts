// A loaded model: its ops made into steps for the backend that was active at load (weights
// packed once), a memory plan per input shape (made at load when the model declares its input
// size), and predict(), which copies the input in, runs the steps and copies the output out.

import { channelMismatchHint } from "../layout-hints.js";
import { forget, type Held, releaseWhenCollected } from "../reclaim.js";
import { ROW_POINTER_BYTES, type Runtime } from "../runtime.js";
import { checkNoOverlap, checkTensor, dataToCopy, rangeError, show } from "../shapes.js";
import type { Backend, Tensor } from "../types.js";
import { WasmChainStep } from "./chain-step.js";
import { type ModelCost, modelCost } from "./cost.js";
import type { Graph } from "./graph.js";
import { JsChainStep, JsConvStep, JsDenseStep, JsDepthwiseStep } from "./js-steps.js";
import type { Op } from "./ops.js";
import { PassStep } from "./pass-step.js";
import { makePlan, type Plan } from "./plan.js";
import type { Arena, Step } from "./step.js";
import { WasmConvStep, WasmDenseStep, WasmDepthwiseStep, wasmPassStep } from "./wasm-steps.js";

/** One op as run: its kind and the Keras layers it covers (fused ops cover several). */
export interface OpDescription {
  kind: Op["kind"];
  layers: string[];
  /** The microkernels the op runs, by name (e.g. "gemm_4x8__wasmsimd"); none for JS passes. */
  kernels: string[];
}

/** Loops, not closures: predict() must not allocate. */
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function stepFor(op: Op, rt: Runtime | null): Step | undefined {
  switch (op.kind) {
    case "conv":
      return rt ? new WasmConvStep(rt, op.node, op.input) : new JsConvStep(op.node, op.input);
    case "depthwise":
      return rt ? new WasmDepthwiseStep(rt, op.node, op.input) : new JsDepthwiseStep(op.node, op.input);
    case "dense":
      return rt ? new WasmDenseStep(rt, op.node, op.input) : new JsDenseStep(op.node, op.input, op.output);
    case "chain":
      return rt ? new WasmChainStep(rt, op) : new JsChainStep(op);
    case "pass":
      return (rt && wasmPassStep(rt, op.node, op.inputs[0])) || new PassStep(op.node, op.inputs, op.output);
    case "reshape":
      return undefined; // shares its input's storage
  }
}

/** A model's wasm blocks: its steps' packed weights and the current plan's buffers. */
class ModelBlocks implements Held {
  readonly steps: Step[] = [];
  /** wasm blocks of the current plan (arena, scratch, zeros, row pointers). */
  readonly planned: number[] = [];

  constructor(private readonly rt: Runtime | null) {}

  releasePlanned(): void {
    if (this.rt) for (const ptr of this.planned) this.rt.heap.release(ptr);
    this.planned.length = 0;
  }

  release(): void {
    this.releasePlanned();
    for (const step of this.steps) step.dispose();
    this.steps.length = 0;
  }
}

/** A loaded model (from loadLayersModel or loadGraphModel). */
export class Model {
  private readonly blocks: ModelBlocks;
  private readonly steps: Step[];
  /** Per op (a reshape has no step): the kernels describe() lists. */
  /** Each op's step (none for a reshape): describe() names the kernels its current plan runs. */
  private readonly opSteps: (Step | undefined)[] = [];
  private plan: Plan | undefined;
  private readonly arena: Arena = { mem: new Float32Array(0), base: 0, ptr: 0, scratch: 0, zeros: 0, rows: 0 };
  private jsArena = new Float32Array(0);
  /** Views of the output slots, re-derived only when memory grew or the plan changed. */
  private readonly outViews: Float32Array[] = [];
  private disposed = false;

  /** @internal Use loadLayersModel() or loadGraphModel(). */
  constructor(
    private readonly graph: Graph,
    /** The unfolded graph without weights, for costs. */
    private readonly layers: Graph,
    private readonly ops: Op[],
    private readonly rt: Runtime | null,
    /** The loader, named in errors of the plan made at load. */
    loader = "loadLayersModel",
  ) {
    this.blocks = new ModelBlocks(rt);
    this.steps = this.blocks.steps;
    if (rt) releaseWhenCollected(this, this.blocks);
    try {
      for (const op of ops) {
        const step = stepFor(op, rt);
        this.opSteps.push(step);
        if (step) this.steps.push(step);
      }
      if (graph.inputShape.every((d) => d !== null)) this.replan([1, ...(graph.inputShape as number[])], loader);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /** The input shape the model takes, batch first (null: any size). */
  get inputShape(): (number | null)[] {
    return [null, ...this.graph.inputShape];
  }

  /** The backend the model runs on (the one active when it was loaded). */
  get backend(): Backend {
    return this.rt ? this.rt.backend : "js";
  }

  /** The ops predict() runs, in order, with the layers each covers. */
  describe(): OpDescription[] {
    return this.ops.map((op, i) => ({
      kind: op.kind,
      layers: op.kind === "chain" ? op.layers.slice() : op.kind === "pass" ? [op.node.name] : [op.output],
      kernels: this.opSteps[i]?.kernels.slice() ?? [],
    }));
  }

  /** Parameters and multiply-adds per Keras layer for one image of `inputShape` (default: the declared one). */
  cost(inputShape?: number[]): ModelCost {
    const declared = this.graph.inputShape;
    if (inputShape !== undefined) {
      const ok =
        Array.isArray(inputShape) &&
        inputShape.length === declared.length + 1 &&
        inputShape.every(
          (d, i) => Number.isInteger(d) && d > 0 && (i === 0 || declared[i - 1] === null || declared[i - 1] === d),
        );
      if (!ok)
        throw rangeError("cost", "inputShape", inputShape, `fit the model's input shape ${show(this.inputShape)}`);
    }
    const dims = inputShape ? inputShape.slice(1) : declared;
    if (dims.some((d) => d === null)) {
      throw new RangeError(
        `cost: the model's input shape ${show(this.inputShape)} has unknown sizes; pass inputShape, e.g. [1, 224, 224, 3]`,
      );
    }
    return modelCost(this.layers, dims as number[], "cost");
  }

  /** The names of the model's outputs, in the order predictAll() returns them. */
  get outputNames(): string[] {
    return this.graph.outputNames.slice();
  }

  /**
   * Runs the model on x (batch first). Returns a new tensor, or fills `out` and returns it.
   * The first call with a new input shape plans memory for it; later calls allocate nothing
   * but the returned tensor (nothing at all with `out`). A model with several outputs is run
   * with predictAll().
   */
  predict(x: Tensor, out?: Tensor): Tensor {
    const count = this.graph.outputs.length;
    if (count !== 1 && !this.disposed) {
      throw new TypeError(
        `predict: the model has ${count} outputs (${this.outputNames.map((n) => `'${n}'`).join(", ")}); ` +
          "predictAll(x) returns them all",
      );
    }
    const plan = this.run(x, out, "predict", "out");
    const result = this.outputView(plan, 0);
    if (out !== undefined) {
      out.data.set(result);
      return out;
    }
    return { data: result.slice(), shape: plan.outputs[0].shape.slice() };
  }

  /**
   * Runs the model on x and returns every output, in outputNames order: new tensors, or
   * `outs` filled (one tensor per output, each of its shape), allocating nothing.
   */
  predictAll(x: Tensor, outs?: Tensor[]): Tensor[] {
    const count = this.graph.outputs.length;
    if (outs !== undefined && (!Array.isArray(outs) || outs.length !== count)) {
      throw rangeError("predictAll", "outs", outs, `be an array of ${count} tensors, one per output`);
    }
    const plan = this.run(x, outs, "predictAll", "outs");
    if (outs !== undefined) {
      for (let i = 0; i < count; i++) outs[i].data.set(this.outputView(plan, i));
      return outs;
    }
    return plan.outputs.map((slot, i) => ({ data: this.outputView(plan, i).slice(), shape: slot.shape.slice() }));
  }

  /** Checks x (and the outputs to fill), plans for its shape and runs the steps. */
  private run(x: Tensor, out: Tensor | Tensor[] | undefined, op: string, outArg: string): Plan {
    if (this.disposed) throw new Error(`${op}: the model was disposed; load it again`);
    this.checkInput(x, op);
    // x's data may view this memory (a plain tensor around a createTensor tensor's .data); a
    // re-plan can grow it, so the copy is taken from data that survives that.
    const replanning = this.plan === undefined || !sameShape(this.plan.input.shape, x.shape);
    const input = replanning && this.rt ? { data: this.rt.heap.survivingGrowth(x.data), shape: x.shape } : x;
    const plan = this.planFor(x.shape, op);
    if (out !== undefined) {
      const list = Array.isArray(out) ? out : undefined;
      for (let i = 0; i < plan.outputs.length; i++) {
        const o = list ? list[i] : (out as Tensor);
        const arg = list ? `${outArg}[${i}]` : outArg;
        const shape = plan.outputs[i].shape;
        checkTensor(op, arg, o, shape.length);
        if (!sameShape(o.shape, shape))
          throw rangeError(op, `${arg}.shape`, o.shape, `equal the output shape ${show(shape)}`);
        checkNoOverlap(op, o, x);
        if (!list) break;
      }
    }
    const arena = this.arena;
    if (this.rt) {
      arena.mem = this.rt.heap.f32();
      arena.base = arena.ptr >>> 2;
    }
    // Read once and checked against the plan: a getter need not return what checkInput saw.
    arena.mem.set(dataToCopy(op, "x", input, plan.input.size), arena.base + plan.input.offset);
    for (let i = 0; i < this.steps.length; i++) this.steps[i].run(arena);
    return plan;
  }

  /** Frees the packed weights and planned buffers; the model cannot predict afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    forget(this);
    this.releasePlan();
    this.blocks.release();
  }

  private checkInput(x: Tensor, op: string): void {
    const declared = this.graph.inputShape;
    checkTensor(op, "x", x, declared.length + 1);
    for (let i = 0; i < declared.length; i++) {
      const d = declared[i];
      if (d !== null && x.shape[i + 1] !== d) {
        // An image model given NCHW input (as ONNX Runtime takes it) is told so.
        const channels = declared[declared.length - 1];
        const hint =
          declared.length === 3 && channels !== null ? channelMismatchHint(x.shape, channels, undefined) : "";
        throw rangeError(
          op,
          `x.shape[${i + 1}]`,
          x.shape[i + 1],
          `equal the model's input shape ${show(this.inputShape)}${hint}`,
        );
      }
    }
  }

  private planFor(shape: number[], op: string): Plan {
    const plan = this.plan;
    if (plan && sameShape(plan.input.shape, shape)) return plan;
    return this.replan(shape, op);
  }

  private replan(shape: number[], op: string): Plan {
    const plan = makePlan(this.graph, this.ops, shape, op); // throws before anything changes
    this.releasePlan();
    const arena = this.arena;
    if (!this.rt) {
      this.jsArena = new Float32Array(plan.arenaFloats);
      arena.mem = this.jsArena;
      arena.base = 0;
    }
    let scratch = 0;
    let zeros = 0;
    for (const step of this.steps) {
      const needs = step.bind(plan, arena);
      scratch = Math.max(scratch, needs.scratch);
      zeros = Math.max(zeros, needs.zeros);
    }
    if (this.rt) {
      // All or nothing; zero-filled now, so predict() never faults fresh pages in.
      const heap = this.rt.heap;
      const floats = [plan.arenaFloats, scratch, zeros, ROW_POINTER_BYTES / 4].map((n) => Math.max(n, 4));
      const ptrs = heap.allocAll(
        floats.map((n) => n * 4),
        `${op}: the activation buffers for input shape ${show(shape)}`,
      );
      this.blocks.planned.push(...ptrs);
      const f32 = heap.f32();
      ptrs.forEach((ptr, i) => {
        f32.fill(0, ptr >>> 2, (ptr >>> 2) + floats[i]);
      });
      [arena.ptr, arena.scratch, arena.zeros, arena.rows] = ptrs;
      arena.mem = f32;
      arena.base = arena.ptr >>> 2;
    }
    this.plan = plan;
    return plan;
  }

  private releasePlan(): void {
    this.blocks.releasePlanned();
    this.plan = undefined;
    this.outViews.length = 0;
  }

  /** Output `i`'s slot as a view, re-derived only when memory grew or the plan changed. */
  private outputView(plan: Plan, i: number): Float32Array {
    const mem = this.arena.mem;
    const view = this.outViews[i];
    if (view !== undefined && view.buffer === mem.buffer) return view;
    const start = this.arena.base + plan.outputs[i].offset;
    const fresh = mem.subarray(start, start + plan.outputs[i].size);
    this.outViews[i] = fresh;
    return fresh;
  }
}

/** A model loaded by loadLayersModel. */
export type LayersModel = Model;
/** A model loaded by loadGraphModel. */
export type GraphModel = Model;
