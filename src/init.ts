// Loading: the embedded builds by default, or a module/bytes/URL/Response from the caller;
// feature probes and a known-answer run choose the best build the runtime computes correctly.

import { checkTiles, chooseTiles, type TileOptions } from "./dispatch.js";
import { deinterleave } from "./embedded/deinterleave.js";
import { applyDelta } from "./embedded/delta.js";
import {
  chunk,
  relaxedSimdLength,
  relaxedSimdThreads,
  scalar,
  simdAndRelaxedSimd,
  simdLength,
  simdThreads,
} from "./embedded/wasm.generated.js";
import { knownAnswerError } from "./known-answer.js";
import { importNodeBuiltin } from "./node-builtin.js";
import { instantiate, type Runtime, runtimeOf, type WasmBackend } from "./runtime.js";
import { show } from "./shapes.js";
import {
  autoThreads,
  checkThreads,
  oneThread,
  startThreads,
  type ThreadsOption,
  threadsUnavailable,
} from "./threads/start.js";
import type { Backend, InitOptions, ThreadsReport } from "./types.js";

const BACKENDS: readonly Backend[] = ["relaxed-simd", "simd", "scalar", "js"];
const WASM_BACKENDS: readonly WasmBackend[] = ["relaxed-simd", "simd", "scalar"];
/** False in sepconv/slim, which is bundled with empty builds (src/embedded/none.ts). */
const HAS_EMBEDDED = scalar !== "";

/** The base64 of an embedded build (the SIMD pair is stored interleaved: scripts/interleave.mjs). */
function embeddedBase64(build: WasmBackend): string {
  if (build === "scalar") return scalar;
  const [simd, relaxedSimd] = deinterleave(simdAndRelaxedSimd, chunk, simdLength, relaxedSimdLength);
  return build === "simd" ? simd : relaxedSimd;
}

// Tiny modules whose validation tells whether the engine knows an instruction set:
// () -> v128 { i8x16.splat(0) }, and the same followed by f32x4.relaxed_madd.
const SIMD_PROBE = Uint8Array.of(
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  8,
  1,
  6,
  0,
  65,
  0,
  253,
  15,
  11,
);
const RELAXED_PROBE = Uint8Array.of(
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  19,
  1,
  17,
  0,
  65,
  0,
  253,
  15,
  65,
  0,
  253,
  15,
  65,
  0,
  253,
  15,
  253,
  133,
  2,
  11,
);

/** The build in use: a wasm runtime, or null for the plain-JS backend. */
let active: { backend: Backend; runtime: Runtime | null; auto: boolean; threads: ThreadsReport } | undefined;
const embedded = new Map<WasmBackend, Runtime>();
const ONE: ThreadsReport = { count: 1, requested: 1, reason: "one thread was asked for" };
/** Runtimes of the shared-memory builds, by build and thread count: each keeps its workers. */
const threaded = new Map<string, Runtime>();

/** @internal */
export function supports(backend: WasmBackend): boolean {
  if (typeof WebAssembly !== "object") return false;
  if (backend === "scalar") return true;
  return WebAssembly.validate(backend === "simd" ? SIMD_PROBE : RELAXED_PROBE);
}

/**
 * Compiles and selects a build. Idempotent: a second call with the same choice does nothing.
 * backend 'auto' (default) takes the best build that validates and passes a known-answer run.
 */
export async function init(options: InitOptions = {}): Promise<void> {
  const { backend: requested = "auto", wasm, tiles, threads = "auto", workerUrl } = checkInitOptions("init", options);
  if (wasm !== undefined) {
    const module = await toModule(wasm);
    checkBuild("init", module, wasm);
    use("init", await instantiate(module), requested, tiles);
    setThreads(oneThread(threads, "options.wasm (a single-thread build) runs on one thread"));
    return;
  }
  if (!HAS_EMBEDDED && requested !== "js") throw wasmRequired("init");
  // Compile asynchronously what choose() will try, so that it finds it ready (browsers refuse
  // large synchronous compiles on the main thread): best build first, and the next one only if
  // that one fails its known-answer run, so the usual cost is a single compile.
  for (const build of candidates(requested)) {
    let runtime = embedded.get(build);
    if (!runtime) {
      runtime = await compileEmbedded("init", build);
      embedded.set(build, runtime);
    }
    if (knownAnswerError(runtime) === undefined) break;
  }
  choose("init", requested, tiles);
  await useThreads(threads, workerUrl, tiles);
}

/** Moves the active build onto `threads` threads where the host allows, or says why not. */
async function useThreads(
  threads: ThreadsOption,
  workerUrl: string | URL | undefined,
  tiles: TileOptions | undefined,
): Promise<void> {
  let current = active!;
  if (current.runtime === null) return setThreads(oneThread(threads, "the js backend runs on one thread"));
  const backend = current.runtime.backend;
  if (current.runtime.pool !== null) {
    // A second init: start again from the single-thread runtime of the same build.
    const single = embeddedRuntime("init", backend);
    chooseTiles(single, tiles);
    current = active = { ...current, runtime: single };
  }
  let count = threads === "auto" ? 0 : threads;
  if (threads === "auto") {
    const auto = await autoThreads();
    count = auto.count;
    if (count === 1) {
      const why = `'auto' takes min(4, ceil(cores / 2)) threads, 1 of this host's ${auto.cores} core(s)`;
      return setThreads(oneThread(threads, why));
    }
  }
  if (count === 1) return setThreads(oneThread(threads, "one thread was asked for"));
  const unavailable = threadsUnavailable(backend);
  if (unavailable) return setThreads(oneThread(threads, unavailable));
  const key = `${backend}/${count}/${workerUrl ?? ""}`;
  let runtime: Runtime | string | undefined = threaded.get(key);
  if (runtime === undefined) {
    const twin = backend === "simd" ? simdThreads : relaxedSimdThreads;
    const base = decodeBase64(embeddedBase64(backend));
    const compiling = WebAssembly.compile(applyDelta(base, twin.prefix, decodeBase64(twin.middle), twin.suffix));
    runtime = await startThreads(backend, compiling, count, workerUrl);
    if (typeof runtime === "string") return setThreads(oneThread(threads, runtime));
    threaded.set(key, runtime);
  }
  chooseTiles(runtime, tiles);
  const reason = `${count - 1} worker thread(s) and the calling thread`;
  active = { ...current, runtime, threads: { count, requested: threads, reason } };
}

function setThreads(report: ThreadsReport): void {
  active!.threads = report;
}

/**
 * How many threads run each kernel call, what init was asked for, and why not more (one line:
 * e.g. "SharedArrayBuffer is not available (a page must be cross-origin isolated ...)").
 */
export function threads(): ThreadsReport {
  if (!active) throw new Error("sepconv: call `await init()` first");
  return { ...active.threads };
}

/**
 * init() for hosts that cannot wait: the same options and choice, compiled synchronously.
 * options.wasm must be a WebAssembly.Module or its bytes (a URL or Response needs init()).
 */
export function initSync(options: InitOptions = {}): void {
  const { backend: requested = "auto", wasm, tiles, threads = "auto" } = checkInitOptions("initSync", options);
  const single = oneThread(threads, "initSync runs on one thread (workers start asynchronously: use await init())");
  if (wasm !== undefined) {
    const module = toModuleSync(wasm);
    checkBuild("initSync", module, wasm);
    use("initSync", runtimeOf(new WebAssembly.Instance(module, {})), requested, tiles);
    setThreads(single);
    return;
  }
  if (!HAS_EMBEDDED && requested !== "js") throw wasmRequired("initSync");
  choose("initSync", requested, tiles);
  setThreads(single);
}

/** Which build is in use: 'relaxed-simd', 'simd', 'scalar' or 'js'. */
export function backend(): Backend {
  if (!active) throw new Error("sepconv: call `await init()` first");
  return active.backend;
}

/** @internal The runtime ops run on (null for the 'js' backend); throws before init. */
export function activeRuntime(op: string): Runtime | null {
  if (!active) throw new Error(`${op}: sepconv is not initialised; call \`await init()\` first`);
  return active.runtime;
}

/** The embedded builds choose() may load for this request, best first. */
function candidates(requested: "auto" | Backend): WasmBackend[] {
  if (requested === "js" || (requested === "auto" && active?.auto)) return [];
  if (requested === "auto") return WASM_BACKENDS.filter(supports);
  return supports(requested) ? [requested] : [];
}

/** Selects an embedded build (compiling it synchronously unless init() already has). */
function choose(op: string, requested: "auto" | Backend, tiles: TileOptions | undefined): void {
  if (requested === "js") {
    active = { backend: "js", runtime: null, auto: false, threads: ONE };
    return;
  }
  if (requested === "auto") {
    if (active?.auto) {
      if (active.runtime) chooseTiles(active.runtime, tiles);
      return;
    }
    for (const candidate of candidates("auto")) {
      const runtime = embeddedRuntime(op, candidate);
      if (knownAnswerError(runtime) === undefined) {
        chooseTiles(runtime, tiles);
        active = { backend: candidate, runtime, auto: true, threads: ONE };
        return;
      }
    }
    active = { backend: "js", runtime: null, auto: true, threads: ONE };
    return;
  }
  if (!supports(requested)) {
    throw new Error(
      `${op}: backend '${requested}' is not supported by this runtime (WebAssembly ${requested} failed validation); ` +
        "use backend 'auto' to pick the best supported build",
    );
  }
  const runtime = embeddedRuntime(op, requested);
  const failure = knownAnswerError(runtime);
  if (failure) throw new Error(`${op}: backend '${requested}' computes wrong results on this engine (${failure})`);
  chooseTiles(runtime, tiles);
  active = { backend: requested, runtime, auto: false, threads: ONE };
}

/** Selects a build the caller supplied as options.wasm. */
function use(op: string, runtime: Runtime, requested: "auto" | Backend, tiles: TileOptions | undefined): void {
  if (requested !== "auto" && requested !== runtime.backend) {
    throw new RangeError(
      `${op}: options.backend ("${requested}") must match options.wasm, which is the '${runtime.backend}' build`,
    );
  }
  const failure = knownAnswerError(runtime);
  if (failure)
    throw new Error(`${op}: the '${runtime.backend}' build computes wrong results on this engine (${failure})`);
  chooseTiles(runtime, tiles);
  active = { backend: runtime.backend, runtime, auto: false, threads: ONE };
}

const INIT_OPTIONS = ["backend", "wasm", "tiles", "threads", "workerUrl"];

function checkInitOptions(
  op: string,
  options: unknown,
): Omit<InitOptions, "threads"> & { tiles?: TileOptions; threads?: ThreadsOption; workerUrl?: string | URL } {
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new TypeError(`${op}: options (${show(options)}) must be an object`);
  for (const key of Object.keys(options)) {
    if (!INIT_OPTIONS.includes(key))
      throw new TypeError(`${op}: options.${key} is not an option (expected ${INIT_OPTIONS.join(", ")})`);
  }
  // Own properties only, each read once: a polluted Object.prototype.wasm is no option.
  const given = options as InitOptions;
  const b = Object.hasOwn(given, "backend") ? given.backend : undefined;
  const wasm = Object.hasOwn(given, "wasm") ? given.wasm : undefined;
  const tiles = checkTiles(op, Object.hasOwn(given, "tiles") ? given.tiles : undefined);
  const threads = checkThreads(op, Object.hasOwn(given, "threads") ? given.threads : undefined);
  const workerUrl = Object.hasOwn(given, "workerUrl") ? given.workerUrl : undefined;
  if (workerUrl !== undefined && typeof workerUrl !== "string" && !(workerUrl instanceof URL)) {
    throw new TypeError(`${op}: options.workerUrl (${show(workerUrl)}) must be a string or a URL of sepconv/worker.js`);
  }
  if (b !== undefined && typeof b !== "string") {
    throw new TypeError(`${op}: options.backend (${show(b)}) must be one of "auto", ${BACKENDS.map(show).join(", ")}`);
  }
  if (b !== undefined && b !== "auto" && !BACKENDS.includes(b)) {
    throw new RangeError(`${op}: options.backend (${show(b)}) must be one of "auto", ${BACKENDS.map(show).join(", ")}`);
  }
  return { backend: b, wasm, tiles, threads, workerUrl };
}

/** The exports of every sepconv build (the Kernels interface in runtime.ts). */
const KERNEL_EXPORTS = [
  "memory",
  "heapBase",
  "buildKind",
  "dwPackedLength",
  "dwPack",
  "gemmPackedLength",
  "gemmPack",
  "dwconvKernel",
  "dwconvRows",
  "gemmKernel",
  "gemm",
  "conv2dKernel",
  "conv2d",
  "chain",
];

/** Rejects a valid module that is not a sepconv build before it is instantiated. */
function checkBuild(op: string, module: WebAssembly.Module, source: unknown): void {
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = KERNEL_EXPORTS.filter((name) => !names.has(name));
  if (missing.length > 0) {
    throw new RangeError(
      `${op}: options.wasm (${show(source)}) is not a sepconv build: it lacks the exports ${missing.join(", ")}`,
    );
  }
}

/** An embedded build compiled and instantiated synchronously, or init()'s cached one. */
function embeddedRuntime(op: string, build: WasmBackend): Runtime {
  let runtime = embedded.get(build);
  if (!runtime) {
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(decodeBase64(embeddedBase64(build)));
    } catch (cause) {
      throw refused(op, build, cause);
    }
    runtime = runtimeOf(new WebAssembly.Instance(module, {}));
    embedded.set(build, runtime);
  }
  return runtime;
}

async function compileEmbedded(op: string, build: WasmBackend): Promise<Runtime> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(decodeBase64(embeddedBase64(build)));
  } catch (cause) {
    throw refused(op, build, cause);
  }
  return instantiate(module);
}

/**
 * Hosts that forbid compiling bytes (workerd: "Wasm code generation disallowed by embedder";
 * a CSP without 'wasm-unsafe-eval') accept a precompiled module: say how to pass one.
 */
function refused(op: string, build: WasmBackend, cause: unknown): Error {
  return new Error(
    `${op}: this runtime refused to compile the embedded '${build}' WebAssembly (${(cause as Error).message}). ` +
      "Where compiling bytes is not allowed (Cloudflare Workers, Vercel Edge), import the .wasm file " +
      `(sepconv/wasm/${build}.wasm) as a module and call init({ wasm: module }); under a ` +
      "Content-Security-Policy, add 'wasm-unsafe-eval' to script-src",
    { cause },
  );
}

/**
 * The embedded build's bytes, with the runtime's native decoder where it has one: the portable
 * loop runs cold (interpreted) at start-up and took ~3 ms of the cold start for 49 KB in Node.
 */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const native = Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array<ArrayBuffer> };
  if (typeof native.fromBase64 === "function") return native.fromBase64(text);
  // Read off globalThis so that bundlers do not pull a Buffer polyfill into browser builds.
  const nodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: "base64"): Uint8Array<ArrayBuffer> } })
    .Buffer;
  if (typeof nodeBuffer?.from === "function") return nodeBuffer.from(text, "base64");
  return base64ToBytes(text);
}

/** @internal Portable decoding through atob, for runtimes with no native base64 decoder. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const WASM_EXPECTED = "a WebAssembly.Module, an ArrayBuffer or typed array, a URL or a Response";

/** sepconv/slim has no build of its own to fall back on. */
function wasmRequired(op: string): TypeError {
  return new TypeError(
    `${op}: options.wasm (undefined) is required by sepconv/slim, which embeds no build: pass ${WASM_EXPECTED} ` +
      'of one of sepconv/wasm/{relaxed-simd,simd,scalar}.wasm, use backend "js", or import "sepconv" for the embedded builds',
  );
}

async function toModule(source: unknown): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return compile("init", source as BufferSource);
  if (typeof Response !== "undefined" && source instanceof Response) {
    if (!source.ok) {
      const from = source.url === "" ? "a Response" : `the response from ${source.url}`;
      throw new Error(
        `init: options.wasm is ${from} with status ${statusOf(source)}; expected 200 with the .wasm bytes`,
      );
    }
    return compile("init", await source.arrayBuffer());
  }
  if (source instanceof URL) {
    if (source.protocol === "file:") {
      const { readFile } = await importNodeBuiltin<typeof import("node:fs/promises")>("fs/promises");
      let bytes: BufferSource;
      try {
        bytes = new Uint8Array(await readFile(source));
      } catch (cause) {
        throw new Error(`init: options.wasm (${source.href}) could not be read (${(cause as Error).message})`, {
          cause,
        });
      }
      return compile("init", bytes);
    }
    let response: Response;
    try {
      response = await fetch(source);
    } catch (cause) {
      const reason =
        (cause as Error).message + ((cause as Error).cause ? `: ${((cause as Error).cause as Error).message}` : "");
      throw new Error(`init: options.wasm (${source.href}) could not be fetched (${reason})`, { cause });
    }
    if (!response.ok) {
      throw new Error(
        `init: fetching options.wasm (${source.href}) answered ${statusOf(response)}; expected 200 with the .wasm bytes`,
      );
    }
    return compile("init", await response.arrayBuffer());
  }
  throw new TypeError(`init: options.wasm (${show(source)}) must be ${WASM_EXPECTED}`);
}

/** "404 Not Found", or "404" where the server sent no reason (HTTP/2 has none). */
function statusOf(response: Response): string {
  return response.statusText ? `${response.status} ${response.statusText}` : String(response.status);
}

function toModuleSync(source: unknown): WebAssembly.Module {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return compile("initSync", source as BufferSource);
  if (source instanceof URL || (typeof Response !== "undefined" && source instanceof Response)) {
    throw new TypeError(
      `initSync: options.wasm (${show(source)}) must be a WebAssembly.Module, an ArrayBuffer or typed array: ` +
        "a URL or a Response can only be read asynchronously, so pass it to `await init({ wasm })` instead",
    );
  }
  throw new TypeError(
    `initSync: options.wasm (${show(source)}) must be ${WASM_EXPECTED.replace(", a URL or a Response", "")}`,
  );
}

/**
 * Compiles the caller's bytes (asynchronously for init). The usual reason a sepconv build fails
 * to compile is an instruction set the engine lacks (relaxed SIMD before Chrome 114, Node 22 or
 * Safari; SIMD before Safari 16.4): the probes tell which, and the message names the build to pass.
 */
function compile(op: "init", bytes: BufferSource): Promise<WebAssembly.Module>;
function compile(op: "initSync", bytes: BufferSource): WebAssembly.Module;
function compile(op: string, bytes: BufferSource): WebAssembly.Module | Promise<WebAssembly.Module> {
  const explain = (cause: unknown): Error => {
    if (bytes.byteLength === 0) {
      return new RangeError(`${op}: options.wasm is empty (0 bytes: a detached or zero-length buffer)`, { cause });
    }
    if (!startsWithWasmMagic(bytes)) {
      return new RangeError(
        `${op}: options.wasm did not compile (${(cause as Error).message}): these bytes are not a .wasm file ` +
          "(it starts with the 4 bytes 00 61 73 6d); a URL that answers with a page, such as an HTML error or " +
          "fallback page, gives this: check the URL of the .wasm file",
        { cause },
      );
    }
    const best = supports("simd") ? "simd" : "scalar";
    const lacking = !supports("simd") ? "SIMD" : !supports("relaxed-simd") ? "relaxed SIMD" : undefined;
    const hint = lacking
      ? `; this engine has no WebAssembly ${lacking}, so if this is ` +
        `${lacking === "SIMD" ? "the simd or relaxed-simd build" : "the relaxed-simd build"}, ` +
        `pass sepconv/wasm/${best}.wasm instead` +
        (HAS_EMBEDDED ? ` (or call ${op}() without options.wasm: it picks the best build itself)` : "")
      : "";
    return new RangeError(`${op}: options.wasm did not compile (${(cause as Error).message})${hint}`, { cause });
  };
  if (op === "initSync") {
    try {
      return new WebAssembly.Module(bytes);
    } catch (cause) {
      throw explain(cause);
    }
  }
  return WebAssembly.compile(bytes).catch((cause: unknown) => {
    throw explain(cause);
  });
}

/** Whether `bytes` begin with "\0asm", as every WebAssembly binary does. */
function startsWithWasmMagic(bytes: BufferSource): boolean {
  const view = ArrayBuffer.isView(bytes)
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, Math.min(4, bytes.byteLength))
    : new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
  return view.length === 4 && view[0] === 0 && view[1] === 0x61 && view[2] === 0x73 && view[3] === 0x6d;
}
