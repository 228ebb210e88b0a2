// Ids of the microkernels, in the order of KERNEL_NAMES in src/kernels.ts (which adds the ISA
// of the build to each name). The selectors (dwconvKernel, gemmKernel, conv2dKernel) say which
// one an entry point runs, so the wrapper and the tests can tell; the entry points run exactly
// what their selector picks.

export const DWCONV_GENERIC_C1: i32 = 0;
export const DWCONV_GENERIC_C4: i32 = 1;
export const DWCONV_3X3S1_C4X4: i32 = 2;
export const DWCONV_3X3S2_C4X4: i32 = 3;
export const DWCONV_5X5S1_C4X4: i32 = 4;
export const DWCONV_5X5S2_C4X4: i32 = 5;
export const GEMM_2X4: i32 = 6;
export const GEMM_4X8: i32 = 7;
export const CONV_GATHER4_2X4: i32 = 8;
export const CONV_IGEMM_4X8: i32 = 9;
export const GEMM_2X16: i32 = 10;
export const GEMM_6X8: i32 = 11;
export const DWCONV_7X7S1_C4X4: i32 = 12;
