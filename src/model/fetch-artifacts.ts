// Reading model files the way TensorFlow.js users do: a model.json (format "layers-model" or
// "graph-model") and the weight files its weightsManifest names, or one binary file (TFLite),
// from a URL or, in Node, Deno and Bun, a file path.
//
// Where bytes come from:
// - A string with a scheme (`https:`, `file:`, `data:`, ...; a single letter followed by ":" is
//   a drive, not a scheme) is an absolute URL. Any other string is resolved against
//   `location.href` where the runtime has a location (browsers, workers, Deno --location), and
//   is otherwise a file path (absolute, or relative to process.cwd()) in Node, Deno and Bun.
//   A URL object is used as it is.
// - `file:` URLs (and paths) are read with node:fs where there is one (Node, Deno, Bun: Node's
//   fetch cannot read file: URLs), through importNodeBuiltin so that bundlers never see
//   node:fs; everything else, and file: in a runtime without node:fs, with fetch
//   (options.fetch when given).
//
// Model files may come from strangers:
// - Every field of model.json is read as an own property; weightsManifest must be an array of
//   { paths: non-empty strings[], weights: [] } (an absent weightsManifest means no weights, as
//   in TensorFlow.js). The weight specs themselves, and whether the shards' sizes add up to
//   what they describe, are checked by the weight decoder.
// - Shard paths are URLs relative to model.json's URL, resolved as the URL standard does
//   (`../` and `/` included, percent-escapes decoded for files), and model.json's query string
//   is carried to shards that have none, as tfjs's http handler does ("?v=3" or a token reaches
//   every file). A path that resolves to another origin than model.json (another scheme or
//   host: "https://elsewhere/x.bin", "//elsewhere/x.bin", or "file:///etc/passwd" in a model.json
//   served over http) is refused, so a model file can only make sepconv read from where the
//   model itself came from.
// - model.json may be at most 64 MiB, its weight files together at most 4 GiB (WebAssembly
//   memory) and a binary file at most 4 GiB. A Content-Length over the limit is refused before
//   the body is read (a file's size before it is opened for reading), and bytes are counted
//   as they arrive, so a server that sends more than it announced, or announces nothing, is
//   stopped at the limit. Nothing is allocated ahead of the bytes received: a shard is kept as
//   the chunks it arrived in and the chunks are copied once into the returned buffer (so the
//   weights are briefly held twice).
// - Shards are read concurrently, at most 8 at a time (a manifest of thousands of paths does
//   not open thousands of connections or files), and the first failure stops the others.

import { importNodeBuiltin } from "../node-builtin.js";
import { show, typeError } from "../shapes.js";
import type { WeightSpec } from "./artifacts.js";
import { own } from "./own.js";

/** The largest model.json read (64 MiB). */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;
/** The most bytes read for the weight files of one model.json together, or for one binary file (4 GiB). */
export const MAX_WEIGHT_BYTES = 4 * 1024 * 1024 * 1024;
/** How many weight files are read at the same time. */
const LANES = 8;

export interface FetchOptions {
  /**
   * Used instead of the global fetch for every request (http:, https:, data:, blob:, and
   * file: in a runtime without node:fs); called as `fetch(url, requestInit)` with the URL as
   * a string. file: URLs are read with node:fs where there is one, whatever this is.
   */
  fetch?: typeof fetch;
  /** Passed to every fetch call: headers, credentials, an AbortSignal... */
  requestInit?: RequestInit;
  /**
   * Called after each weight file is read with the fraction of the files read so far (the
   * last call is 1); fetchBytes calls it once, with 1. An exception it throws fails the load.
   */
  onProgress?: (fraction: number) => void;
}

/** A model.json and its weights. */
export interface ModelJsonFiles {
  /** model.json, parsed; modelTopology is an object, weightsManifest (if any) was checked as above. */
  json: object;
  /** The weights of every weightsManifest group, in manifest order. */
  weightSpecs: WeightSpec[];
  /** The bytes of every file the manifest's paths name, concatenated in manifest order. */
  weightData: ArrayBuffer;
  /** model.json's URL (a file: URL for a path). */
  url: string;
}

/**
 * Reads model.json from `source` (a URL, or a file path in Node, Deno and Bun) and then every
 * weight file its weightsManifest names, relative to its URL. `op` names the caller in errors
 * ("loadGraphModel: fetching https://x/y.bin failed: 404 Not Found"). Unknown option fields
 * are ignored (the caller checks its own options).
 */
export async function fetchModelJson(
  source: string | URL,
  op: string,
  options: FetchOptions = {},
): Promise<ModelJsonFiles> {
  const reader = readerOf(options, op);
  const url = await toUrl(source, op);
  const jsonBytes = join(await reader(url, new Budget(MAX_MODEL_JSON_BYTES, tooLargeJson(op, url))), op);
  const json = parseJson(jsonBytes, url, op);
  const groups = manifestOf(json, url, op);

  const weightSpecs: WeightSpec[] = [];
  const shards: URL[] = [];
  for (const group of groups) {
    for (const path of group.paths) shards.push(shardUrl(path.value, path.field, url, op));
    for (const spec of group.weights) weightSpecs.push(spec as WeightSpec);
  }

  const budget = new Budget(MAX_WEIGHT_BYTES, tooLargeWeights(op, url));
  const onProgress = own(options, "onProgress") as FetchOptions["onProgress"];
  let done = 0;
  const parts = await inLanes(shards.length, budget, async (i) => {
    const chunks = await reader(shards[i]!, budget);
    done++;
    onProgress?.(done / shards.length);
    return chunks;
  });
  const bytes = join(parts.flat(), op);
  const weightData =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
      ? bytes.buffer
      : copy(bytes, op).buffer;
  return { json, weightSpecs, weightData: weightData as ArrayBuffer, url: url.href };
}

/** Reads one binary file (a .tflite model) from a URL, or a file path in Node, Deno and Bun. */
export async function fetchBytes(source: string | URL, op: string, options: FetchOptions = {}): Promise<Uint8Array> {
  const reader = readerOf(options, op);
  const url = await toUrl(source, op);
  const bytes = join(await reader(url, new Budget(MAX_WEIGHT_BYTES, tooLargeFile(op, url))), op);
  (own(options, "onProgress") as FetchOptions["onProgress"])?.(1);
  return bytes;
}

// ---- Sources ----

/** Whether `s` starts with a URL scheme; "c:" (one letter) is a Windows drive, not a scheme. */
function hasScheme(s: string): boolean {
  return /^[a-z][a-z0-9+.-]+:/i.test(s);
}

/** location.href where the runtime has one (Deno without --location may throw on access). */
function locationHref(): string | undefined {
  try {
    const href = (globalThis as { location?: { href?: unknown } }).location?.href;
    return typeof href === "string" ? href : undefined;
  } catch {
    return undefined;
  }
}

/** Whether node:fs and node:url can be imported: Node, Deno, Bun. */
function hasNodeFs(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; Deno?: unknown; Bun?: unknown };
  return typeof g.process?.versions?.node === "string" || g.Deno !== undefined || g.Bun !== undefined;
}

const SOURCE = "a URL (a string or URL object) or, in Node, Deno and Bun, a file path";

async function toUrl(source: unknown, op: string): Promise<URL> {
  if (source instanceof URL) return new URL(source.href);
  if (typeof source !== "string" || source === "") throw typeError(op, "url", source, SOURCE);
  if (hasScheme(source)) {
    try {
      return new URL(source);
    } catch {
      throw typeError(op, "url", source, `a valid URL (it has a scheme, "${source.split(":")[0]}:")`);
    }
  }
  const base = locationHref();
  if (base !== undefined) {
    try {
      return new URL(source, base);
    } catch {
      throw typeError(op, "url", source, `a URL relative to location.href (${base})`);
    }
  }
  if (hasNodeFs()) {
    const { pathToFileURL } = await importNodeBuiltin<typeof import("node:url")>("url");
    return pathToFileURL(source);
  }
  throw typeError(op, "url", source, "an absolute URL: this runtime has no location to resolve a relative one against");
}

// ---- model.json ----

interface Group {
  paths: { value: string; field: string }[];
  weights: unknown[];
}

function parseJson(bytes: Uint8Array, url: URL, op: string): object {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new TypeError(`${op}: ${url.href} is not JSON (${(cause as Error).message}); expected a model.json`, {
      cause,
    });
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new TypeError(
      `${op}: ${url.href} (${show(json)}) must be a model.json object { modelTopology, weightsManifest }`,
    );
  }
  const topology = own(json, "modelTopology");
  if (topology === null || typeof topology !== "object" || Array.isArray(topology)) {
    throw new TypeError(
      `${op}: ${url.href} modelTopology (${show(topology)}) must be an object; ` +
        'expected a model.json (format "layers-model" or "graph-model") as tfjs-converter or model.save() write it',
    );
  }
  return json;
}

function manifestOf(json: object, url: URL, op: string): Group[] {
  const manifest = own(json, "weightsManifest");
  if (manifest === undefined) return [];
  const at = `${op}: ${url.href} weightsManifest`;
  if (!Array.isArray(manifest)) {
    throw new TypeError(`${at} (${show(manifest)}) must be an array of { paths, weights }`);
  }
  const groups: Group[] = [];
  for (let i = 0; i < manifest.length; i++) {
    const group: unknown = manifest[i];
    if (group === null || typeof group !== "object" || Array.isArray(group)) {
      throw new TypeError(`${at}[${i}] (${show(group)}) must be an object { paths, weights }`);
    }
    const paths = own(group, "paths");
    const weights = own(group, "weights");
    if (!Array.isArray(paths)) {
      throw new TypeError(`${at}[${i}].paths (${show(paths)}) must be an array of weight file paths`);
    }
    if (!Array.isArray(weights)) {
      throw new TypeError(`${at}[${i}].weights (${show(weights)}) must be an array of weight specs`);
    }
    const checked: Group["paths"] = [];
    for (let j = 0; j < paths.length; j++) {
      const path: unknown = paths[j];
      const field = `weightsManifest[${i}].paths[${j}]`;
      if (typeof path !== "string" || path === "") {
        throw new TypeError(
          `${op}: ${url.href} ${field} (${show(path)}) must be a weight file path (a non-empty string)`,
        );
      }
      checked.push({ value: path, field });
    }
    groups.push({ paths: checked, weights });
  }
  return groups;
}

/** A shard's URL: `path` relative to model.json's, with its query if `path` has none; same origin only. */
function shardUrl(path: string, field: string, base: URL, op: string): URL {
  let url: URL;
  try {
    url = new URL(path, base);
  } catch {
    throw new TypeError(`${op}: ${base.href} ${field} (${show(path)}) is not a path relative to ${base.href}`);
  }
  if (url.protocol !== base.protocol || url.host !== base.host) {
    throw new TypeError(
      `${op}: ${base.href} ${field} (${show(path)}) resolves to ${url.href}, outside the origin of model.json ` +
        `(${base.protocol}//${base.host}); weight files must be paths relative to model.json`,
    );
  }
  if (base.search !== "" && !path.includes("?")) url.search = base.search;
  return url;
}

// ---- Reading ----

/** Counts the bytes of one read (model.json, a model's weight files, a binary file) against a limit. */
class Budget {
  used = 0;
  /** Set when one read failed, so the concurrent ones stop. */
  failed = false;
  constructor(
    readonly limit: number,
    private readonly tooLarge: (used: number, url: URL) => RangeError,
  ) {}
  charge(bytes: number, url: URL): void {
    this.used += bytes;
    if (this.used > this.limit) throw this.tooLarge(this.used, url);
  }
}

function mib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${bytes / 1024 ** 3} GiB` : `${bytes / 1024 ** 2} MiB`;
}

function tooLargeJson(op: string, json: URL) {
  return (used: number) =>
    new RangeError(
      `${op}: ${json.href} is larger than ${mib(MAX_MODEL_JSON_BYTES)} (at least ${used} bytes); ` +
        `a model.json may be at most ${mib(MAX_MODEL_JSON_BYTES)}`,
    );
}

function tooLargeWeights(op: string, json: URL) {
  return (used: number, shard: URL) =>
    new RangeError(
      `${op}: the weight files of ${json.href} are larger than ${mib(MAX_WEIGHT_BYTES)} together ` +
        `(at least ${used} bytes, reached at ${shard.href}); the weights must fit in WebAssembly memory`,
    );
}

function tooLargeFile(op: string, file: URL) {
  return (used: number) =>
    new RangeError(
      `${op}: ${file.href} is larger than ${mib(MAX_WEIGHT_BYTES)} (at least ${used} bytes); ` +
        "a model must fit in WebAssembly memory",
    );
}

/** Thrown in a read that stopped because another failed; never seen (Promise.all rejected already). */
const STOPPED = new Error("stopped: another read failed");

type Reader = (url: URL, budget: Budget) => Promise<Uint8Array[]>;

function readerOf(options: unknown, op: string): Reader {
  if (options === null || typeof options !== "object") throw typeError(op, "options", options, "an object");
  const fetchOption = own(options, "fetch");
  const requestInit = own(options, "requestInit");
  const onProgress = own(options, "onProgress");
  if (fetchOption !== undefined && typeof fetchOption !== "function") {
    throw typeError(op, "options.fetch", fetchOption, "a function like fetch");
  }
  if (requestInit !== undefined && (requestInit === null || typeof requestInit !== "object")) {
    throw typeError(op, "options.requestInit", requestInit, "an object (the init argument of fetch)");
  }
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw typeError(op, "options.onProgress", onProgress, "a function (fraction: number) => void");
  }
  const fetchFn = fetchOption as typeof fetch | undefined;
  const init = requestInit as RequestInit | undefined;
  return (url, budget) =>
    url.protocol === "file:" && hasNodeFs() ? readFileUrl(url, op, budget) : fetchUrl(url, op, budget, fetchFn, init);
}

function reasonOf(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : "";
  return cause.message + inner;
}

async function fetchUrl(
  url: URL,
  op: string,
  budget: Budget,
  fetchFn: typeof fetch | undefined,
  init: RequestInit | undefined,
): Promise<Uint8Array[]> {
  let response: Response;
  try {
    if (fetchFn === undefined && typeof fetch !== "function") throw new Error("this runtime has no fetch");
    response = await (fetchFn === undefined ? fetch(url.href, init) : fetchFn(url.href, init));
  } catch (cause) {
    throw new Error(`${op}: fetching ${url.href} failed (${reasonOf(cause)})`, { cause });
  }
  if (response === null || typeof response !== "object" || typeof response.ok !== "boolean") {
    throw new TypeError(`${op}: options.fetch returned ${show(response)} for ${url.href}; expected a Response`);
  }
  if (!response.ok) {
    const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
    response.body?.cancel().catch(() => {});
    throw new Error(`${op}: fetching ${url.href} failed: ${status}`);
  }
  if (budget.failed) {
    response.body?.cancel().catch(() => {});
    throw STOPPED;
  }
  // A Content-Length over the limit is refused unread. With a Content-Encoding it counts the
  // compressed bytes, not those the body yields, so it is not used then (a browser may hide
  // the encoding of a cross-origin response; it is still a fair bound for compressed weights).
  const length = response.headers?.get?.("content-length");
  const encoding = response.headers?.get?.("content-encoding");
  let charged = 0;
  if (typeof length === "string" && /^\s*\d+\s*$/.test(length) && (!encoding || encoding === "identity")) {
    charged = Number(length);
    try {
      budget.charge(charged, url);
    } catch (error) {
      response.body?.cancel().catch(() => {});
      throw error;
    }
  }
  const chunks: Uint8Array[] = [];
  let got = 0;
  const take = (chunk: unknown) => {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(`${op}: the body of ${url.href} yielded ${show(chunk)}; expected Uint8Array chunks`);
    }
    got += chunk.byteLength;
    if (got > charged) {
      budget.charge(got - charged, url);
      charged = got;
    }
    chunks.push(chunk);
  };
  const body = response.body as ReadableStream<Uint8Array> | null | undefined;
  if (body != null && typeof body.getReader === "function") {
    const reader = body.getReader();
    try {
      for (;;) {
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await reader.read();
        } catch (cause) {
          throw new Error(`${op}: reading ${url.href} failed after ${got} bytes (${reasonOf(cause)})`, { cause });
        }
        if (step.done) break;
        take(step.value);
        if (budget.failed) throw STOPPED;
      }
    } catch (error) {
      reader.cancel().catch(() => {});
      throw error;
    }
  } else {
    // A Response-like object without a web stream (node-fetch's): read whole, then counted.
    let buffer: ArrayBuffer;
    try {
      buffer = await response.arrayBuffer();
    } catch (cause) {
      throw new Error(`${op}: reading ${url.href} failed (${reasonOf(cause)})`, { cause });
    }
    take(new Uint8Array(buffer));
  }
  return chunks;
}

/** The largest read call (Node refuses more than 2 GiB at once). */
const FILE_CHUNK = 64 * 1024 * 1024;

async function readFileUrl(url: URL, op: string, budget: Budget): Promise<Uint8Array[]> {
  const [fs, { fileURLToPath }] = await Promise.all([
    importNodeBuiltin<typeof import("node:fs/promises")>("fs/promises"),
    importNodeBuiltin<typeof import("node:url")>("url"),
  ]);
  const failed = (cause: unknown) =>
    new Error(`${op}: reading ${url.href} failed (${reasonOf(cause)})`, { cause: cause as Error });
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (cause) {
    throw new TypeError(`${op}: ${url.href} is not a file on this machine (${reasonOf(cause)})`, { cause });
  }
  // stat before open: opening a FIFO or device for reading could block or never end.
  let isFile: boolean;
  try {
    isFile = (await fs.stat(path)).isFile();
  } catch (cause) {
    throw failed(cause);
  }
  if (!isFile) throw new Error(`${op}: reading ${url.href} failed: it is not a regular file`);
  let handle: Awaited<ReturnType<typeof fs.open>>;
  try {
    handle = await fs.open(path, "r");
  } catch (cause) {
    throw failed(cause);
  }
  try {
    let size: number;
    try {
      size = (await handle.stat()).size;
    } catch (cause) {
      throw failed(cause);
    }
    budget.charge(size, url);
    if (budget.failed) throw STOPPED;
    const bytes = new Uint8Array(size);
    let got = 0;
    let extra = 0;
    try {
      while (got < size) {
        const { bytesRead } = await handle.read(bytes, got, Math.min(FILE_CHUNK, size - got), got);
        if (bytesRead === 0) break;
        got += bytesRead;
        if (budget.failed) throw STOPPED;
      }
      if (got === size) extra = (await handle.read(new Uint8Array(1), 0, 1, size)).bytesRead;
    } catch (cause) {
      if (cause === STOPPED) throw cause;
      throw failed(cause);
    }
    if (got < size || extra > 0) {
      throw new Error(
        `${op}: reading ${url.href} failed: the file changed size while it was read (from ${size} bytes)`,
      );
    }
    return [bytes];
  } finally {
    await handle.close().catch(() => {});
  }
}

/** Runs `run(0..count-1)` at most LANES at a time; results in index order. */
async function inLanes<T>(count: number, budget: Budget, run: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (!budget.failed && next < count) {
      const i = next++;
      try {
        results[i] = await run(i);
      } catch (error) {
        budget.failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LANES, count) }, lane));
  return results;
}

/** The chunks as one array: the chunk itself when there is one, else one copy. */
function join(chunks: Uint8Array[], op: string): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let total = 0;
  for (const chunk of chunks) total += chunk.byteLength;
  const joined = allocate(total, op);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    joined.set(chunks[i]!, offset);
    offset += chunks[i]!.byteLength;
  }
  return joined;
}

function copy(bytes: Uint8Array, op: string): Uint8Array {
  const copied = allocate(bytes.byteLength, op);
  copied.set(bytes);
  return copied;
}

function allocate(bytes: number, op: string): Uint8Array {
  try {
    return new Uint8Array(bytes);
  } catch (cause) {
    throw new RangeError(`${op}: could not allocate ${bytes} bytes for the model's files (${reasonOf(cause)})`, {
      cause,
    });
  }
}
