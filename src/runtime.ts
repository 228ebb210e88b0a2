// One instantiated wasm build: its kernels, its memory and the allocator over it.

import { KERNEL_NAMES } from "./abi.generated.js";
import { Heap } from "./memory.js";

export type WasmBackend = "relaxed-simd" | "simd" | "scalar";

/** Build ids returned by the module's buildKind() export, in its order. */
export const BUILD_KINDS: readonly WasmBackend[] = ["scalar", "simd", "relaxed-simd"];

/** The export list of assembly/index.ts; pointers are byte offsets into memory. */
export interface Kernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  buildKind(): number;
  dwPackedLength(outChannels: number, taps: number): number;
  dwPack(filter: number, bias: number, outChannels: number, taps: number, packed: number): void;
  gemmPackedLength(depth: number, cols: number): number;
  gemmPack(matrix: number, bias: number, depth: number, cols: number, packed: number): void;
  /** The depthwise microkernel's id (assembly/abi.ts) for a window; dwconvRows runs it. */
  dwconvKernel(
    kH: number,
    kW: number,
    strideH: number,
    strideW: number,
    dilationH: number,
    dilationW: number,
    multiplier: number,
  ): number;
  /** rows: ROW_POINTER_BYTES of the caller's memory for the kernel's row pointers. Returns the id that ran. */
  dwconvRows(
    geometry: number,
    input: number,
    packed: number,
    output: number,
    rowBegin: number,
    rowEnd: number,
    zeroRow: number,
    rows: number,
  ): number;
  /** The GEMM microkernel's id that gemm runs for tile id `tile` in this build. */
  gemmKernel(tile: number): number;
  /** tile: a GEMM microkernel id (the dispatch table's choice, Runtime.gemmTile). Returns the id that ran. */
  gemm(
    tile: number,
    input: number,
    rows: number,
    depth: number,
    inStride: number,
    packed: number,
    cols: number,
    output: number,
    outStride: number,
    activation: number,
  ): number;
  conv2dKernel(): number;
  /** Returns the id of the kernel that ran. */
  conv2d(geometry: number, input: number, packed: number, output: number, zero: number, scratch: number): number;
  /** One fused chain, all its bands: geometry and params are records (src/ops/chain-params.ts). */
  /** Returns the ids that ran: depthwise | project GEMM << 8 | expand GEMM << 16 (255: none). */
  chain(geometry: number, params: number): number;
}

/** Bytes of row pointers dwconvRows and chain need from the caller (8 pointers). */
export const ROW_POINTER_BYTES = 32;

export class Runtime {
  readonly heap: Heap;
  /**
   * The GEMM microkernel id layers made now take (src/dispatch.ts sets it at init; each layer
   * keeps the one it was made with). 4x8 until init chooses.
   */
  gemmTile: number = KERNEL_NAMES.indexOf("gemm_4x8");

  constructor(
    readonly backend: WasmBackend,
    readonly kernels: Kernels,
  ) {
    this.heap = new Heap(kernels.memory, kernels.heapBase());
  }
}

export async function instantiate(module: WebAssembly.Module): Promise<Runtime> {
  const instance = await WebAssembly.instantiate(module, {});
  return runtimeOf(instance);
}

export function runtimeOf(instance: WebAssembly.Instance): Runtime {
  const kernels = instance.exports as unknown as Kernels;
  const backend = BUILD_KINDS[kernels.buildKind()];
  return new Runtime(backend, kernels);
}
