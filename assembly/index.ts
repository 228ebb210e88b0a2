// The export list of every build (scalar, simd, relaxed-simd). Kernels never allocate:
// the TypeScript wrapper owns linear memory above heapBase() and passes pointers.

export { dwPack, dwPackedLength } from "./dwconv/pack";
export { dwconvKernel, dwconvRows } from "./dwconv";
export { gemmPack, gemmPackedLength } from "./gemm/pack";
export { gemm, gemmKernel } from "./gemm/gemm";
export { conv2d, conv2dKernel } from "./conv/conv";
export { chain } from "./chain/chain";
export { pool2d } from "./pool/pool";
export { add2, mulGate, sigmoid } from "./elementwise/elementwise";
export { imageBilinearU8 } from "./image/image";
export { resize2d } from "./image/resize";

/** First free byte after static data; the wrapper's allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}

/** Which build this is: 0 scalar, 1 simd, 2 relaxed-simd (identifies a module passed to init). */
export function buildKind(): i32 {
  if (ASC_FEATURE_RELAXED_SIMD) return 2;
  if (ASC_FEATURE_SIMD) return 1;
  return 0;
}
