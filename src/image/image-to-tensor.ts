// imageToTensor: an image's pixels -> a model's [1, height, width, 3] float input, resized and
// normalised in one wasm pass (image_bilinear_u8) from 8-bit pixels copied into wasm memory
// once (only the source rows the resize reads, packed: a 1080p frame resized to 224 rows copies
// 440 of its 1080), written straight into the tensor the model reads (a createTensor tensor, or
// a new one). Float32 pixels, and the 'js' backend, take the plain-JS path (src/reference/image.ts).

import { RESIZE_BILINEAR_COLUMN_BYTES } from "../abi.generated.js";
import { activeRuntime } from "../init.js";
import { imageToTensorReference } from "../reference/image.js";
import { createTensor } from "../tensor.js";
import type { Tensor } from "../types.js";
import { WasmTensor } from "../wasm-tensor.js";
import { type ImageJob, type ImageSource, type ImageToTensorOptions, readImageArgs } from "./options.js";

/** Which of the h source rows a bilinear resize to outH rows reads (the kernel's y0 and y1). */
function rowsRead(job: ImageJob): Uint8Array {
  const { height: h, outH, alignCorners, halfPixelCenters } = job;
  const ratio = alignCorners && outH > 1 ? (h - 1) / (outH - 1) : h / outH;
  const used = new Uint8Array(h);
  for (let oy = 0; oy < outH; oy++) {
    const fy = halfPixelCenters ? ratio * (oy + 0.5) - 0.5 : ratio * oy;
    used[Math.max(0, Math.floor(fy))] = 1;
    used[Math.min(h - 1, Math.ceil(fy))] = 1;
  }
  return used;
}

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
  const used = rowsRead(job);
  let count = 0;
  for (let y = 0; y < job.height; y++) count += used[y];
  const rowBytes = job.width * job.channels;
  const tableBytes = job.outW * RESIZE_BILINEAR_COLUMN_BYTES;
  // The rows read, the column and row tables (and, for an `out` outside wasm memory, the
  // floats) in one all-or-nothing block group.
  const inPlace = target instanceof WasmTensor && target.livesIn(heap);
  const [src, table, scratch] = heap.allocAll(
    [count * rowBytes, tableBytes + job.height * 4, inPlace ? 0 : size * 4],
    "imageToTensor: the image's pixels",
  );
  try {
    const bytes = new Uint8Array(heap.memory.buffer);
    const rows = new Uint32Array(heap.memory.buffer, table + tableBytes, job.height);
    let at = 0;
    for (let y = 0; y < job.height; y++) {
      if (used[y] === 0) continue;
      bytes.set(job.data.subarray(y * rowBytes, (y + 1) * rowBytes), src + at);
      rows[y] = at;
      at += rowBytes;
    }
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
      table,
    );
    if (!inPlace) target.data.set(heap.f32().subarray(scratch >>> 2, (scratch >>> 2) + size));
  } finally {
    heap.release(src);
    heap.release(table);
    heap.release(scratch);
  }
  return target;
}
