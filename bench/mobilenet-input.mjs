// The input every MobileNetV2 benchmark feeds (bench/mobilenet.mjs, bench/web/model.mjs): one
// seeded 224x224 RGB image in [0, 1), as nsfwjs feeds images scaled by 1/255.

export const MOBILENET_SHAPE = [1, 224, 224, 3];

export function mobileNetPixels() {
  const pixels = new Float32Array(224 * 224 * 3);
  let seed = 1;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    pixels[i] = seed / 2 ** 32;
  }
  return pixels;
}
