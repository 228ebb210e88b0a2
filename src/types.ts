/** A dense float32 tensor in NHWC order (filters use TensorFlow's layouts). */
export interface Tensor {
  data: Float32Array;
  shape: number[];
}

export type Activation = "linear" | "relu" | "relu6" | "hardswish";

/** The names the activation options take: the four above, plus Keras's spellings of hardswish. */
export type ActivationName = Activation | "hard_swish" | "hard_silu";

/**
 * TensorFlow.js's explicit padding, NHWC: [[0, 0], [top, bottom], [left, right], [0, 0]]. The
 * batch and channel pads must be zero (typed as numbers, as TensorFlow.js types them).
 */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** Explicit padding by name, every side given. */
export interface NamedPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * 'same' (TensorFlow rule), 'valid', one number for every side, [top, bottom, left, right]
 * (not ONNX's [top, left, bottom, right]), TensorFlow.js's [[0, 0], [t, b], [l, r], [0, 0]],
 * or { top, bottom, left, right }.
 */
export type Padding = "same" | "valid" | number | [number, number, number, number] | ExplicitPadding | NamedPadding;

export interface ConvOptions {
  /** number or [strideH, strideW]; default 1. */
  strides?: number | [number, number];
  /** default 'valid'. */
  padding?: Padding;
  /** number or [dilationH, dilationW]; default 1. */
  dilations?: number | [number, number];
  /** One value per output channel. */
  bias?: Float32Array;
  /** Applied after the bias; default 'linear'. */
  activation?: ActivationName;
}

export interface SeparableOptions extends ConvOptions {
  /** One value per depthwise output channel (C*M), added before the pointwise stage. */
  depthwiseBias?: Float32Array;
  /** Applied to the depthwise stage before the pointwise stage; default 'linear'. */
  depthwiseActivation?: ActivationName;
}

/** The builds sepconv can run on: three wasm builds and the plain-JS reference. */
export type Backend = "relaxed-simd" | "simd" | "scalar" | "js";

/** A GEMM tile of the SIMD builds: rows x columns of accumulators. */
export type GemmTile = "2x16" | "4x8" | "6x8";

export interface InitOptions {
  /** 'auto' (default) picks the best build the runtime supports and computes correctly. */
  backend?: "auto" | Backend;
  /** A compiled module, its bytes, or where to fetch them: for edge runtimes, CSP and self-hosting. */
  wasm?: WebAssembly.Module | BufferSource | URL | Response;
  /**
   * Pins microkernel tiles instead of the per-engine table, e.g. { gemm: "6x8" }: the GEMM
   * tile of the SIMD builds ("2x16", "4x8" or "6x8"; the scalar build has one). Layers made
   * afterwards use it, and layer.kernels names it.
   */
  tiles?: { gemm?: GemmTile };
  /**
   * Threads each kernel call is shared among: a number, or 'auto' (the default: min(4,
   * ceil(cores / 2)) where workers and SharedArrayBuffer exist, as ONNX Runtime Web and tfjs-wasm
   * choose). Where threads are not available (Cloudflare Workers, a page that is not
   * cross-origin isolated, the scalar build, initSync) any value runs one thread; threads() says
   * how many run and why. Results are bit-identical whatever the count.
   */
  threads?: number | "auto";
  /**
   * Where the worker script is, for a Content-Security-Policy that forbids blob: workers: the URL
   * of sepconv/worker.js as the page serves it. By default workers start from a Blob URL.
   */
  workerUrl?: string | URL;
}

/** A prepared layer: weights packed once, buffers kept between runs. */
export interface Layer {
  /**
   * The microkernels run() uses, by name (op, tile, instruction set), e.g.
   * ["dwconv_3x3s1_c4x4__wasmrelaxedsimd"]; the js backend's are the reference ("..._reference__js").
   */
  readonly kernels: readonly string[];
  /** Runs on x and returns a new tensor, or fills `out` (no allocation) and returns it. */
  run(x: Tensor, out?: Tensor): Tensor;
  /** Frees the packed weights and buffers; the layer cannot run afterwards. */
  dispose(): void;
}

/** What threads() reports: how many threads run each kernel call, and why not more. */
export interface ThreadsReport {
  /** Threads that run each kernel call: 1, or the workers and the calling thread. */
  count: number;
  /** What init was asked for. */
  requested: number | "auto";
  /** One line: why this count (e.g. "SharedArrayBuffer is not available (...)"). */
  reason: string;
}
