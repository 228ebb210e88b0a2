// createTensor: a tensor allocated in the wasm memory of the build in use, for running prepared
// layers in place (no copy of the input in, nor of the output out).

import { activeRuntime } from "./init.js";
import { checkLength, checkShape, isFloat32Array, MAX_BYTES, show, typeError } from "./shapes.js";
import { WasmTensor } from "./wasm-tensor.js";

/**
 * A [N, H, W, C] tensor in the wasm memory of the build `init()` chose (zeros, or a copy of
 * `data`). Prepared layers of that build take it as x or out without copying; anywhere else it
 * is an ordinary tensor. `dispose()` frees it. On the 'js' backend its data is a plain array.
 */
export function createTensor(shape: number[], data?: Float32Array): WasmTensor {
  const op = "createTensor";
  const size = checkShape(op, "shape", shape, 4);
  if (data !== undefined) {
    if (!isFloat32Array(data)) throw typeError(op, "data", data, "a Float32Array");
    checkLength(op, "data.length", data, size, `the product of shape ${show(shape)}`);
  }
  if (size * 4 > MAX_BYTES) {
    throw new RangeError(
      `${op}: shape ${show(shape)} would take ${size * 4} bytes; it must fit in WebAssembly's 4 GiB memory`,
    );
  }
  const rt = activeRuntime(op);
  // A plain copy made here, not data.slice(): a subclass's slice() may return anything.
  if (rt === null)
    return new WasmTensor(null, 0, shape.slice(), data ? new Float32Array(data) : new Float32Array(size));
  // data may view this memory (another tensor's .data), which the allocation below can grow.
  const source = data && rt.heap.survivingGrowth(data);
  const ptr = rt.heap.alloc(size * 4, `${op}: the ${size} floats of shape ${show(shape)}`);
  const view = rt.heap.f32().subarray(ptr >>> 2, (ptr >>> 2) + size);
  if (source) view.set(source);
  else view.fill(0);
  return new WasmTensor(rt.heap, ptr, shape.slice(), view);
}
