// The plain-JS image-to-tensor: TensorFlow's bilinear resize coordinates, then y = x * scale
// + shift per output channel; the 'js' backend's path, the Float32 sources' path and the oracle
// of the image kernel's tests.

import { type ImageJob, type ImageSource, type ImageToTensorOptions, readImageArgs } from "../image/options.js";
import type { Tensor } from "../types.js";
import { bilinearSources } from "./resize.js";

/** reference.imageToTensor: imageToTensor's arguments and errors, computed here in plain JS. */
export function imageToTensor(source: ImageSource, options?: ImageToTensorOptions): Tensor {
  const job = readImageArgs(source, options);
  const out = job.out ?? { data: new Float32Array(job.outH * job.outW * 3), shape: [1, job.outH, job.outW, 3] };
  imageToTensorReference(job, out.data);
  return out;
}

export function imageToTensorReference(job: ImageJob, out: Float32Array): void {
  const { data, width: w, height: h, channels, outH, outW, alignCorners, halfPixelCenters, scale, shift, bgr } = job;
  const rows = bilinearSources(h, outH, alignCorners, halfPixelCenters);
  const cols = bilinearSources(w, outW, alignCorners, halfPixelCenters);
  let o = 0;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = rows.lower[oy];
    const y1 = rows.upper[oy];
    const dy = rows.weight[oy];
    for (let ox = 0; ox < outW; ox++) {
      const x0 = cols.lower[ox];
      const x1 = cols.upper[ox];
      const dx = cols.weight[ox];
      for (let k = 0; k < 3; k++) {
        const c = bgr ? 2 - k : k;
        const at = (y: number, x: number) => data[(y * w + x) * channels + c];
        const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * dx;
        const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * dx;
        out[o++] = (top + (bottom - top) * dy) * scale[k] + shift[k];
      }
    }
  }
}
