// imageToTensor: an image's pixels -> a model's [1, height, width, 3] float input, resized and
// normalised in one wasm pass (image_bilinear_u8) from 8-bit pixels copied into wasm memory
// once, written straight into the tensor the model reads (a createTensor tensor, or a new one).
// Float32 pixels, and the 'js' backend, take the plain-JS path (src/reference/image.ts).

import { activeRuntime } from "../init.js";
import { imageToTensorReference } from "../reference/image.js";
import { createTensor } from "../tensor.js";
import type { Tensor } from "../types.js";
import { WasmTensor } from "../wasm-tensor.js";
import { type ImageSource, type ImageToTensorOptions, readImageArgs } from "./options.js";

/**
 * The image as a [1, height, width, 3] tensor: bilinear resize to options.size (TensorFlow's
 * tf.image.resizeBilinear coordinates), then y = (x * scale - mean) / std per output channel,
 * in RGB or BGR order, the alpha dropped. Returns options.out filled, or a new tensor in wasm
 * memory (dispose() frees it early; it is reclaimed when dropped).
 */
export function imageToTensor(source: ImageSource, options?: ImageToTensorOptions): Tensor {
  const job = readImageArgs(source, options);
  const rt = activeRuntime("imageToTensor");
  const shape = [1, job.outH, job.outW, 3];
  const size = job.outH * job.outW * 3;
  const target = job.out ?? createTensor(shape);
  if (rt === null || job.data instanceof Float32Array) {
    imageToTensorReference(job, target.data);
    return target;
  }
  const heap = rt.heap;
  const bytes = job.data.length;
  // The pixels (and, for an `out` outside wasm memory, the floats) in one all-or-nothing block group.
  const inPlace = target instanceof WasmTensor && target.livesIn(heap);
  const [src, scratch] = heap.allocAll([bytes, inPlace ? 0 : size * 4], "imageToTensor: the image's pixels");
  try {
    new Uint8Array(heap.memory.buffer, src, bytes).set(job.data);
    const dst = inPlace ? (target as WasmTensor).pointerFor("imageToTensor", "options.out", size) : scratch;
    const [s0, s1, s2] = job.scale;
    const [z0, z1, z2] = job.shift;
    rt.kernels.imageBilinearU8(
      src,
      job.width,
      job.height,
      job.channels,
      dst,
      job.outH,
      job.outW,
      job.alignCorners ? 1 : 0,
      job.halfPixelCenters ? 1 : 0,
      s0,
      s1,
      s2,
      z0,
      z1,
      z2,
      job.bgr ? 1 : 0,
    );
    if (!inPlace) target.data.set(heap.f32().subarray(scratch >>> 2, (scratch >>> 2) + size));
  } finally {
    heap.release(src);
    heap.release(scratch);
  }
  return target;
}
