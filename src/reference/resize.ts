// The plain-JS resize: TensorFlow's ResizeBilinear and ResizeNearestNeighbor of NHWC float32
// images, with tfjs-backend-cpu's source coordinates (in double, as there) and the blend in
// float32, each step rounded as the wasm builds round it: the oracle of resize2d's testers and
// what the 'js' backend runs. (tfjs blends in double; the two differ by float32 rounding.)

/** How a resize maps output pixels to source pixels (tf.image.resizeBilinear's flags). */
export interface ResizeMode {
  method: "bilinear" | "nearest";
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

const f = Math.fround;

function ratio(inSize: number, outSize: number, align: boolean): number {
  return align && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
}

/** The source index of output index o for a nearest-neighbour resize (JS Math.round: halves up). */
export function nearestSource(o: number, r: number, size: number, align: boolean, half: boolean): number {
  const at = half ? r * (o + 0.5) : r * o;
  const i = Math.min(size - 1, align ? Math.round(at) : Math.floor(at));
  return half ? Math.max(0, i) : i;
}

/**
 * Resizes `batch` h x w x c images from x (starting at float index xAt) to outH x outW into y
 * (from yAt). x and y may be views of one memory as long as the two ranges do not overlap.
 */
export function resizeReference(
  x: Float32Array,
  xAt: number,
  [batch, h, w, c]: readonly number[],
  y: Float32Array,
  yAt: number,
  [outH, outW]: readonly number[],
  mode: ResizeMode,
): void {
  const { alignCorners: align, halfPixelCenters: half } = mode;
  const rh = ratio(h, outH, align);
  const rw = ratio(w, outW, align);
  const rowFloats = w * c;
  let o = yAt;
  if (mode.method === "nearest") {
    const cols = Array.from({ length: outW }, (_, ox) => nearestSource(ox, rw, w, align, half) * c);
    for (let b = 0; b < batch; b++) {
      const image = xAt + b * h * rowFloats;
      for (let oy = 0; oy < outH; oy++) {
        const row = image + nearestSource(oy, rh, h, align, half) * rowFloats;
        for (let ox = 0; ox < outW; ox++) {
          // copyWithin would keep NaN payloads too; a typed-array copy of one pixel is the same bits.
          const from = row + cols[ox];
          for (let k = 0; k < c; k++) y[o++] = x[from + k];
        }
      }
    }
    return;
  }
  const left = new Int32Array(outW);
  const right = new Int32Array(outW);
  const weight = new Float32Array(outW);
  for (let ox = 0; ox < outW; ox++) {
    const fx = half ? rw * (ox + 0.5) - 0.5 : rw * ox;
    const x0 = Math.max(0, Math.floor(fx));
    left[ox] = x0 * c;
    right[ox] = Math.min(w - 1, Math.ceil(fx)) * c;
    weight[ox] = fx - x0;
  }
  for (let b = 0; b < batch; b++) {
    const image = xAt + b * h * rowFloats;
    for (let oy = 0; oy < outH; oy++) {
      const fy = half ? rh * (oy + 0.5) - 0.5 : rh * oy;
      const y0 = Math.max(0, Math.floor(fy));
      const dy = f(fy - y0);
      const top = image + y0 * rowFloats;
      const bottom = image + Math.min(h - 1, Math.ceil(fy)) * rowFloats;
      for (let ox = 0; ox < outW; ox++) {
        const l = left[ox];
        const r = right[ox];
        const dx = weight[ox];
        for (let k = 0; k < c; k++) {
          const tl = x[top + l + k];
          const bl = x[bottom + l + k];
          const t = f(tl + f(f(x[top + r + k] - tl) * dx));
          const u = f(bl + f(f(x[bottom + r + k] - bl) * dx));
          y[o++] = f(t + f(f(u - t) * dy));
        }
      }
    }
  }
}
