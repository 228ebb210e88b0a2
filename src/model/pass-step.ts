// The small layers (see passes.ts) as steps: the same on every backend, over the arena's floats.

import { resizeReference } from "../reference/resize.js";
import type { Geometry } from "../shapes.js";
import type { PassNode } from "./ops.js";
import {
  activationPass,
  addPass,
  affinePass,
  concatPass,
  convTransposePass,
  globalAvgPoolPass,
  mulPass,
  padPass,
  poolPass,
} from "./passes.js";
import type { Plan } from "./plan.js";
import { windowGeometry } from "./shape-inference.js";
import { type Arena, type Needs, NO_NEEDS, type Step } from "./step.js";

export class PassStep implements Step {
  /** A loop in JS (passes.ts), not a microkernel. */
  readonly kernels: readonly string[] = [];
  private inputs: number[] = [];
  private output = 0;
  private size = 0;
  private batch = 1;
  private dims: number[] = [];
  private geometry: Geometry | undefined;
  /** Absolute indices of the inputs for the current arena (rebuilt in bind, reused by run). */
  private absolute: number[] = [];
  /** Concat: each input's channels, and the pixels (batch included). */
  private widths: number[] = [];
  private rows = 0;
  /** Mul: which input is the full-size one, and the other's values per image. */
  private full = 0;
  private period = 0;
  /** Conv-transpose: its output size and a double accumulator of one image. */
  private outDims: number[] = [];
  private acc = new Float64Array(0);

  constructor(
    private readonly node: PassNode,
    private readonly inputNames: string[],
    private readonly outputName: string,
  ) {}

  bind(plan: Plan): Needs {
    this.inputs = this.inputNames.map((name) => plan.slots.get(name)?.offset as number);
    const out = plan.slots.get(this.outputName);
    if (!out) throw new Error(`sepconv: internal error: no slot for '${this.outputName}'`);
    this.output = out.offset;
    this.size = out.size;
    this.batch = plan.batch;
    this.dims = plan.dims.get(this.inputNames[0]) as number[];
    this.absolute = this.inputs.slice();
    const last = (name: string) => {
      const d = plan.dims.get(name) as number[];
      return d[d.length - 1];
    };
    // Concat: the values each input adds per step of the axes before the joined one.
    const axis = this.node.op === "concat" ? this.node.axis : undefined;
    this.widths =
      axis === undefined
        ? this.inputNames.map(last)
        : this.inputNames.map((name) => (plan.dims.get(name) as number[]).slice(axis).reduce((a, b) => a * b, 1));
    this.outDims = plan.dims.get(this.outputName) as number[];
    if (this.node.op === "conv-transpose") this.acc = new Float64Array(this.size / this.batch);
    this.rows = this.size / this.widths.reduce((a, b) => a + b, 0);
    if (this.node.op === "mul") {
      const values = this.inputNames.map((name) => (plan.dims.get(name) as number[]).reduce((a, b) => a * b, 1));
      this.full = values[0] >= values[1] ? 0 : 1;
      this.period = values[1 - this.full];
      this.dims = plan.dims.get(this.inputNames[this.full]) as number[];
    }
    if (this.node.op === "pool") {
      this.geometry = windowGeometry(this.node, this.node.window, this.dims[0], this.dims[1], plan.op);
    }
    return NO_NEEDS;
  }

  run(arena: Arena): void {
    const { mem, base } = arena;
    const node = this.node;
    const x = base + this.inputs[0];
    const y = base + this.output;
    const dims = this.dims;
    const h = dims[0];
    const w = dims[1];
    const c = dims[2];
    switch (node.op) {
      case "add":
        for (let i = 0; i < this.inputs.length; i++) this.absolute[i] = base + this.inputs[i];
        addPass(mem, this.absolute, y, this.size);
        break;
      case "activation":
        activationPass(mem, x, y, this.size, dims[dims.length - 1], node.act);
        break;
      case "affine":
        affinePass(mem, x, y, this.size, node.scale, node.shift);
        break;
      case "pad":
        padPass(mem, x, y, this.batch, h, w, c, node.pads, node.channelPads?.[0], node.channelPads?.[1]);
        break;
      case "pool":
        poolPass(mem, x, y, this.batch, h, w, c, this.geometry as Geometry, node.kind);
        break;
      case "concat":
        for (let i = 0; i < this.inputs.length; i++) this.absolute[i] = base + this.inputs[i];
        concatPass(mem, this.absolute, this.widths, y, this.rows);
        break;
      case "mul": {
        const perImage = this.size / this.batch;
        const period = this.period === perImage ? this.size : this.period;
        const a = base + this.inputs[this.full];
        mulPass(mem, a, base + this.inputs[1 - this.full], y, this.size, period, perImage);
        break;
      }
      case "resize":
        resizeReference(mem, x, [this.batch, h, w, c], mem, y, this.outDims, node);
        break;
      case "conv-transpose":
        convTransposePass(mem, x, y, this.batch, h, w, c, this.outDims[0], this.outDims[1], node, this.acc);
        break;
      case "global-avg-pool":
        globalAvgPoolPass(mem, x, y, this.batch, h * w, c);
        break;
      case "input":
      case "identity":
        if (x !== y) mem.copyWithin(y, x, x + this.size);
        break;
    }
  }

  dispose(): void {}
}
