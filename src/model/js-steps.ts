// The convolution ops of a loaded model on the 'js' backend: the plain-JS reference kernels
// over views of the arena. They allocate their outputs (the reference is written for clarity,
// not speed); the results are copied into the planned slots.

import { REFERENCE_KERNELS } from "../kernel-names.js";
import { activationFn } from "../reference/activation.js";
import { convKernel, depthwiseKernel } from "../reference/kernels.js";
import type { Geometry } from "../shapes.js";
import type { ConvSpec, DepthwiseSpec } from "../specs.js";
import type { Activation, Tensor } from "../types.js";
import { type ConvNode, type DenseNode, type DepthwiseNode, kernelActivation } from "./graph.js";
import { type ChainOp, isPointwise, type PointwiseParams } from "./ops.js";
import { checkTensorBytes, type Plan, type Slot } from "./plan.js";
import { windowGeometry } from "./shape-inference.js";
import { type Arena, type Needs, NO_NEEDS, type Step } from "./step.js";

function slotOf(plan: Plan, name: string): Slot {
  const slot = plan.slots.get(name);
  if (!slot) throw new Error(`sepconv: internal error: no slot for '${name}'`);
  return slot;
}

function view(arena: Arena, slot: Slot, shape = slot.shape): Tensor {
  const start = arena.base + slot.offset;
  return { data: arena.mem.subarray(start, start + slot.size), shape };
}

function window(g: Geometry, bias: Float32Array | undefined, activation: Activation) {
  const padding: [number, number, number, number] = [g.padTop, g.padBottom, g.padLeft, g.padRight];
  const { strideH, strideW, dilationH, dilationW } = g;
  return { strideH, strideW, dilationH, dilationW, padding, bias, activation };
}

const ONE_BY_ONE: Geometry = {
  kH: 1,
  kW: 1,
  strideH: 1,
  strideW: 1,
  dilationH: 1,
  dilationW: 1,
  padTop: 0,
  padBottom: 0,
  padLeft: 0,
  padRight: 0,
  outH: 0,
  outW: 0,
};

function pointwiseSpec(op: string, p: PointwiseParams): ConvSpec {
  const { filter, inChannels, outChannels, bias, act } = p;
  return { op, filter, kH: 1, kW: 1, inChannels, outChannels, window: window(ONE_BY_ONE, bias, act) };
}

/** A 1x1 conv over a tensor of any shape (its last axis the channels). */
function pointwise(spec: ConvSpec, x: Tensor): Tensor {
  const pixels = x.data.length / spec.inChannels;
  const flat = { data: x.data, shape: [pixels, 1, 1, spec.inChannels] };
  return convKernel(spec, flat, { ...ONE_BY_ONE, outH: 1, outW: 1 });
}

/** A windowed conv node (conv or depthwise) run by its reference kernel over arena views. */
abstract class JsWindowStep<N extends ConvNode | DepthwiseNode, S extends ConvSpec | DepthwiseSpec> implements Step {
  abstract readonly kernels: readonly string[];
  protected spec: S | undefined;
  protected g: Geometry | undefined;
  protected x: Tensor | undefined;
  private y = 0;

  constructor(
    protected readonly node: N,
    private readonly inputName: string,
  ) {}

  /** The kernel spec of the node for this geometry. */
  protected abstract specFor(g: Geometry): S;
  protected abstract compute(): Tensor;

  bind(plan: Plan, arena: Arena): Needs {
    const [h, w] = plan.dims.get(this.inputName) as number[];
    this.g = windowGeometry(this.node, this.node.window, h, w, plan.op);
    this.spec = this.specFor(this.g);
    this.x = view(arena, slotOf(plan, this.inputName));
    this.y = slotOf(plan, this.node.name).offset;
    return NO_NEEDS;
  }

  run(arena: Arena): void {
    arena.mem.set(this.compute().data, arena.base + this.y);
  }

  dispose(): void {}
}

export class JsConvStep extends JsWindowStep<ConvNode, ConvSpec> {
  readonly kernels = [isPointwise(this.node) ? REFERENCE_KERNELS.gemm : REFERENCE_KERNELS.conv];
  protected specFor(g: Geometry): ConvSpec {
    const { name, filter, inChannels, outChannels, bias, act } = this.node;
    const { kH, kW } = this.node.window;
    return { op: name, filter, kH, kW, inChannels, outChannels, window: window(g, bias, kernelActivation(act)) };
  }

  protected compute(): Tensor {
    return convKernel(this.spec as ConvSpec, this.x as Tensor, this.g as Geometry);
  }
}

export class JsDepthwiseStep extends JsWindowStep<DepthwiseNode, DepthwiseSpec> {
  readonly kernels = [REFERENCE_KERNELS.depthwise];
  protected specFor(g: Geometry): DepthwiseSpec {
    const { name, filter, channels, multiplier, bias, act } = this.node;
    const { kH, kW } = this.node.window;
    return { op: name, filter, kH, kW, channels, multiplier, window: window(g, bias, kernelActivation(act)) };
  }

  protected compute(): Tensor {
    return depthwiseKernel(this.spec as DepthwiseSpec, this.x as Tensor, this.g as Geometry);
  }
}

export class JsDenseStep implements Step {
  readonly kernels = [REFERENCE_KERNELS.gemm];
  private readonly spec: ConvSpec;
  private x: Tensor | undefined;
  private y = 0;

  constructor(
    node: DenseNode,
    private readonly inputName: string,
    private readonly outputName: string,
  ) {
    const { kernel, inUnits, units, bias } = node;
    this.spec = pointwiseSpec(node.name, {
      filter: kernel,
      inChannels: inUnits,
      outChannels: units,
      bias,
      act: kernelActivation(node.act),
    });
  }

  bind(plan: Plan, arena: Arena): Needs {
    this.x = view(arena, slotOf(plan, this.inputName));
    this.y = slotOf(plan, this.outputName).offset;
    return NO_NEEDS;
  }

  run(arena: Arena): void {
    arena.mem.set(pointwise(this.spec, this.x as Tensor).data, arena.base + this.y);
  }

  dispose(): void {}
}

/** A chain run stage by stage (each stage's output rounded to float32, as the fused kernels keep it). */
export class JsChainStep implements Step {
  readonly kernels: readonly string[];
  private readonly expand: ConvSpec | undefined;
  private readonly project: ConvSpec;
  private depthwise: DepthwiseSpec | undefined;
  private g: Geometry | undefined;
  private x: Tensor | undefined;
  private y = 0;
  private residual = -1;

  constructor(private readonly op: ChainOp) {
    const name = op.layers.join("+");
    this.expand = op.expand ? pointwiseSpec(name, op.expand) : undefined;
    this.project = pointwiseSpec(name, op.project);
    const stages = [REFERENCE_KERNELS.depthwise, REFERENCE_KERNELS.gemm];
    this.kernels = op.expand ? [REFERENCE_KERNELS.gemm, ...stages] : stages;
  }

  bind(plan: Plan, arena: Arena): Needs {
    const { op } = this;
    const dw = op.depthwise;
    const x = slotOf(plan, op.input);
    const [h, w, c] = x.shape.slice(1);
    this.g = windowGeometry(dw.node, dw.window, h, w, plan.op);
    const { filter, multiplier, bias, act } = dw;
    const channels = op.expand ? op.expand.outChannels : c;
    // The wasm builds hold these a band at a time; here they exist in full for each run.
    const batch = plan.batch;
    if (op.expand) checkTensorBytes(plan.op, dw.node, "its expanded input", [batch, h, w, channels]);
    checkTensorBytes(plan.op, dw.node, "its depthwise output", [
      batch,
      this.g.outH,
      this.g.outW,
      channels * multiplier,
    ]);
    const { kH, kW } = dw.window;
    this.depthwise = {
      op: op.layers.join("+"),
      filter,
      kH,
      kW,
      channels,
      multiplier,
      window: window(this.g, bias, act),
    };
    this.x = view(arena, x);
    this.y = slotOf(plan, op.output).offset;
    this.residual = op.residual === undefined ? -1 : slotOf(plan, op.residual).offset;
    return NO_NEEDS;
  }

  run(arena: Arena): void {
    const x = this.x as Tensor;
    const expanded = this.expand ? pointwise(this.expand, x) : x;
    const mid = {
      data: expanded.data,
      shape: [x.shape[0], x.shape[1], x.shape[2], expanded.data.length / (x.shape[0] * x.shape[1] * x.shape[2])],
    };
    const dw = depthwiseKernel(this.depthwise as DepthwiseSpec, mid, this.g as Geometry);
    const y = pointwise(this.project, dw).data;
    const { mem, base } = arena;
    if (this.residual >= 0) {
      const r = base + this.residual;
      for (let i = 0; i < y.length; i++) y[i] += mem[r + i];
      if (this.op.residualAct) {
        const act = activationFn(this.op.residualAct);
        for (let i = 0; i < y.length; i++) y[i] = act(y[i]);
      }
    }
    mem.set(y, base + this.y);
  }

  dispose(): void {}
}
