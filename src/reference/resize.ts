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

/** A bilinear resize's source indices for each output index along one axis, and the weight of the upper one. */
export interface BilinearSources {
  lower: Int32Array;
  upper: Int32Array;
  /** In double, as tfjs-backend-cpu computes it (callers round it as their kernels do). */
  weight: Float64Array;
}

/** TensorFlow's bilinear source coordinates of outSize outputs read from inSize inputs. */
export function bilinearSources(inSize: number, outSize: number, align: boolean, half: boolean): BilinearSources {
  const r = ratio(inSize, outSize, align);
  const lower = new Int32Array(outSize);
  const upper = new Int32Array(outSize);
  const weight = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const at = half ? r * (o + 0.5) - 0.5 : r * o;
    lower[o] = Math.max(0, Math.floor(at));
    upper[o] = Math.min(inSize - 1, Math.ceil(at));
    weight[o] = at - lower[o];
  }
  return { lower, upper, weight };
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
  const cols = bilinearSources(w, outW, align, half);
  const rows = bilinearSources(h, outH, align, half);
  for (let b = 0; b < batch; b++) {
    const image = xAt + b * h * rowFloats;
    for (let oy = 0; oy < outH; oy++) {
      const dy = f(rows.weight[oy]);
      const top = image + rows.lower[oy] * rowFloats;
      const bottom = image + rows.upper[oy] * rowFloats;
      for (let ox = 0; ox < outW; ox++) {
        const l = cols.lower[ox] * c;
        const r = cols.upper[ox] * c;
        const dx = f(cols.weight[ox]);
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
