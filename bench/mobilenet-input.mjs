// The input every model benchmark feeds (bench/model.mjs, bench/web/model.mjs): one
// seeded RGB image (224x224 for MobileNetV2) in [0, 1), as nsfwjs feeds images scaled by 1/255.

export const MOBILENET_SHAPE = [1, 224, 224, 3];

export function mobileNetPixels() {
  return seededPixels(MOBILENET_SHAPE);
}

/** Seeded pixels in [0, 1) for an input of `shape` (the same sequence for any size). */
export function seededPixels(shape) {
  const pixels = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let seed = 1;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    pixels[i] = seed / 2 ** 32;
  }
  return pixels;
}
