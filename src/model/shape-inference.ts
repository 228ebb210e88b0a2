// Output shapes of every node for one input shape (dimensions after the batch), checking that
// each layer's weights fit what flows into it. Also resolves each window's padding rule to
// explicit pads, which is what the kernels take.

import { type Geometry, geometry, show } from "../shapes.js";
import type { Graph, Node, Window } from "./graph.js";

/**
 * The window geometry of a node on an inH x inW input (explicit pads, output size). `op` is the
 * public function that asked (loadLayersModel, predict or cost), named in errors.
 */
export function windowGeometry(node: Node, window: Window, inH: number, inW: number, op: string): Geometry {
  const { kH, kW, strideH, strideW, dilationH, dilationW, pad } = window;
  const [preTop, preBottom, preLeft, preRight] = pad.pads;
  const paddedH = inH + preTop + preBottom;
  const paddedW = inW + preLeft + preRight;
  const axis = (size: number, k: number, stride: number, dilation: number) => {
    if (pad.mode === "valid") return 0;
    const out = Math.ceil(size / stride);
    return Math.max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0);
  };
  const totalH = axis(paddedH, kH, strideH, dilationH);
  const totalW = axis(paddedW, kW, strideW, dilationW);
  const pads: [number, number, number, number] = [
    preTop + Math.floor(totalH / 2),
    preBottom + totalH - Math.floor(totalH / 2),
    preLeft + Math.floor(totalW / 2),
    preRight + totalW - Math.floor(totalW / 2),
  ];
  const options = {
    strideH,
    strideW,
    dilationH,
    dilationW,
    padding: pads,
    bias: undefined,
    activation: "linear" as const,
  };
  return geometry(`${op}: layer '${node.name}' (${node.className})`, inH, inW, kH, kW, options);
}

function fail(op: string, node: Node, message: string): never {
  throw new RangeError(`${op}: layer '${node.name}' (${node.className}): ${message}`);
}

function image(op: string, node: Node, shape: number[]): [number, number, number] {
  if (shape.length !== 3) fail(op, node, `input shape ${show(shape)} must be [height, width, channels]`);
  return shape as [number, number, number];
}

function channels(op: string, node: Node, got: number, want: number, what: string): void {
  if (got !== want) fail(op, node, `input has ${got} channels but ${what} expects ${want}`);
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Shapes after the batch, by node name. `input` replaces the nulls of the declared input shape. */
export function inferShapes(graph: Graph, input: number[], op: string): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const node of graph.nodes) {
    const ins = node.inputs.map((name) => shapes.get(name) as number[]);
    shapes.set(node.name, outputShape(op, node, ins, input));
  }
  return shapes;
}

function outputShape(op: string, node: Node, ins: number[][], input: number[]): number[] {
  const x = ins[0];
  switch (node.op) {
    case "input":
      return input.slice();
    case "conv": {
      const [h, w, c] = image(op, node, x);
      channels(op, node, c, node.inChannels, "the kernel");
      const g = windowGeometry(node, node.window, h, w, op);
      return [g.outH, g.outW, node.outChannels];
    }
    case "depthwise":
    case "separable": {
      const [h, w, c] = image(op, node, x);
      channels(op, node, c, node.channels, "the depthwise kernel");
      const g = windowGeometry(node, node.window, h, w, op);
      return [g.outH, g.outW, node.op === "depthwise" ? c * node.multiplier : node.outChannels];
    }
    case "pool": {
      const [h, w, c] = image(op, node, x);
      const g = windowGeometry(node, node.window, h, w, op);
      return [g.outH, g.outW, c];
    }
    case "dense":
      channels(op, node, x[x.length - 1], node.inUnits, "the kernel");
      return [...x.slice(0, -1), node.units];
    case "affine":
      // One value per channel, or one for all (a scalar Mul or Add of a graph model).
      if (node.scale.length !== 1) channels(op, node, x[x.length - 1], node.scale.length, "the batch norm");
      return x.slice();
    case "pad": {
      const [h, w, c] = image(op, node, x);
      const [t, b, l, r] = node.pads;
      const [before, after] = node.channelPads ?? [0, 0];
      return [h + t + b, w + l + r, c + before + after];
    }
    case "conv-transpose": {
      const [h, w, c] = image(op, node, x);
      channels(op, node, c, node.inChannels, "the kernel");
      const out = (size: number, k: number, s: number) => (node.padding === "same" ? size * s : (size - 1) * s + k);
      return [out(h, node.kH, node.strideH), out(w, node.kW, node.strideW), node.outChannels];
    }
    case "global-avg-pool": {
      const [, , c] = image(op, node, x);
      return node.keepDims ? [1, 1, c] : [c];
    }
    case "reshape":
      return node.squeeze ? squeezed(op, node, x, node.squeeze) : reshaped(op, node, x, node.target);
    case "concat": {
      const rank = x.length;
      const axis = node.axis ?? rank - 1;
      if (!(axis >= 0 && axis < rank)) fail(op, node, `axis ${axis + 1} is outside inputs of rank ${rank + 1}`);
      let total = 0;
      for (const other of ins) {
        if (other.length !== rank || other.some((d, i) => i !== axis && d !== x[i])) {
          fail(op, node, `inputs ${ins.map(show).join(", ")} differ in more than the joined axis`);
        }
        total += other[axis];
      }
      return x.map((d, i) => (i === axis ? total : d));
    }
    case "mul": {
      if (ins.length !== 2) fail(op, node, `needs 2 inputs, got ${ins.length}`);
      const [a, b] = size(ins[0]) >= size(ins[1]) ? ins : [ins[1], ins[0]];
      if (!broadcastsOver(b, a)) {
        fail(
          op,
          node,
          `cannot multiply ${show(a)} by ${show(b)} (one must have the other's shape, or be [1, 1, C] / [C])`,
        );
      }
      return a.slice();
    }
    case "resize": {
      const [h, w, c] = image(op, node, x);
      return node.byFactor ? [h * node.height, w * node.width, c] : [node.height, node.width, c];
    }
    case "add":
      if (ins.length < 2) fail(op, node, `needs at least 2 inputs, got ${ins.length}`);
      for (const other of ins) {
        if (other.length !== x.length || other.some((d, i) => d !== x[i])) {
          fail(op, node, `inputs have different shapes ${ins.map(show).join(", ")} (broadcasting is not supported)`);
        }
      }
      return x.slice();
    default:
      return x.slice();
  }
}

/** `gate` is `x`'s shape, or one channel vector ([C], [1, C] or [1, 1, C]) of x's channels. */
export function broadcastsOver(gate: number[], x: number[]): boolean {
  if (gate.length === x.length && gate.every((d, i) => d === x[i])) return true;
  const c = x[x.length - 1];
  return gate.length <= x.length && gate[gate.length - 1] === c && gate.slice(0, -1).every((d) => d === 1);
}

/** TF's Squeeze: `axes` count the batch (axis 0, never squeezed); none given squeezes every size-1 axis. */
function squeezed(op: string, node: Node, x: number[], axes: number[]): number[] {
  const drop = axes.map((a) => (a < 0 ? a + x.length + 1 : a) - 1);
  for (const [i, axis] of drop.entries()) {
    if (!(axis >= 0 && axis < x.length) || x[axis] !== 1) {
      fail(op, node, `cannot squeeze axis ${axes[i]} of ${show([null, ...x])}: its size is not 1`);
    }
  }
  return x.filter((d, i) => (drop.length ? !drop.includes(i) : d !== 1));
}

function reshaped(op: string, node: Node, x: number[], target: number[]): number[] {
  const total = size(x);
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const out = target.map((d) => (d === -1 ? total / known : d));
  if (size(out) !== total || !out.every((d) => Number.isInteger(d) && d > 0)) {
    fail(op, node, `cannot reshape ${show(x)} (${total} values) to ${show(target)}`);
  }
  return out;
}
