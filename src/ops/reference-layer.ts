// A prepared layer on the 'js' backend: the same contract as the wasm layers, computed by the
// plain-JS reference.

import { checkOut, checkTensor } from "../shapes.js";
import type { Layer, Tensor } from "../types.js";

export class ReferenceLayer implements Layer {
  private disposed = false;

  constructor(
    readonly op: string,
    readonly kernels: readonly string[],
    private readonly compute: (x: Tensor) => Tensor,
  ) {}

  run(x: Tensor, out?: Tensor): Tensor {
    if (this.disposed) throw new Error(`${this.op}: the layer was disposed; create a new one`);
    checkTensor(this.op, "x", x, 4);
    const y = this.compute(x);
    if (out === undefined) return y;
    checkOut(this.op, out, y.shape, x);
    out.data.set(y.data);
    return out;
  }

  dispose(): void {
    this.disposed = true;
  }
}
