// The dispatch table: which microkernel each op runs, chosen once when a layer is made. The
// same wasm runs best with different GEMM tiles in different engines (measured in
// bench/kernels.mjs; docs/architecture.md has the figures), so the tile comes from a table
// keyed by the engine running us, unless init({ tiles }) pins one.

import { KERNEL_NAMES } from "./abi.generated.js";
import type { Runtime, WasmBackend } from "./runtime.js";
import { show } from "./shapes.js";
import type { GemmTile } from "./types.js";

/** Kernel ids (src/abi.generated.ts), by tile. */
const GEMM_TILE_IDS: Record<GemmTile, number> = {
  "4x8": KERNEL_NAMES.indexOf("gemm_4x8"),
  "2x16": KERNEL_NAMES.indexOf("gemm_2x16"),
  "6x8": KERNEL_NAMES.indexOf("gemm_6x8"),
};
const GEMM_TILES = Object.keys(GEMM_TILE_IDS) as GemmTile[];

/** The JavaScript engine and its major version, as far as the host tells. */
export interface Engine {
  name: "v8" | "jsc" | "spidermonkey" | "unknown";
  major: number;
}

/** @internal */
export function detectEngine(): Engine {
  const g = globalThis as {
    Bun?: unknown;
    Deno?: { version?: { v8?: string } };
    process?: { versions?: { v8?: string; bun?: string } };
    navigator?: { userAgent?: string };
  };
  if (g.Bun !== undefined || g.process?.versions?.bun) return { name: "jsc", major: 0 };
  const v8 = g.Deno?.version?.v8 ?? g.process?.versions?.v8;
  if (typeof v8 === "string") return { name: "v8", major: Number.parseInt(v8, 10) || 0 };
  const ua = g.navigator?.userAgent ?? "";
  const chrome = /Chrom(?:e|ium)\/(\d+)/.exec(ua);
  // Chrome N ships V8 N/10 (Chrome 120: V8 12.0; Chrome 140: V8 14.0).
  if (chrome) return { name: "v8", major: Math.floor(Number(chrome[1]) / 10) };
  if (/Firefox\//.test(ua)) return { name: "spidermonkey", major: 0 };
  if (/AppleWebKit\//.test(ua)) return { name: "jsc", major: 0 };
  return { name: "unknown", major: 0 };
}

/**
 * The measured best GEMM tile per engine and build (bench/kernels.mjs and bench/chromium.mjs over
 * the MobileNet v1/v2 pointwise shapes, summed; docs/architecture.md, "Dispatch", has the
 * figures). V8 before 13 spills 6x8's 12 accumulators (Node 20: 1.4x slower than 2x16, Node 22:
 * 1.35x) and runs 2x16 best; V8 13 and later (Node 24, 26, Deno, Chromium) allocate them and run
 * 6x8 best with FMA (7-10% ahead of 2x16), 2x16 or 4x8 best without (within 1%).
 * JavaScriptCore (Bun, Safari) runs 2x16 best. Engines not measured get 4x8, never the slowest.
 */
export function tableGemmTile(engine: Engine, backend: WasmBackend): GemmTile {
  if (engine.name === "jsc") return "2x16";
  if (engine.name === "v8") return backend === "relaxed-simd" && engine.major >= 13 ? "6x8" : "2x16";
  return "4x8";
}

/** The tiles init() was asked to pin, checked; undefined fields are chosen from the table. */
export interface TileOptions {
  gemm?: GemmTile;
}

/** @internal Validates options.tiles (own properties only, each read once). */
export function checkTiles(op: string, tiles: unknown): TileOptions | undefined {
  if (tiles === undefined) return undefined;
  if (tiles === null || typeof tiles !== "object" || Array.isArray(tiles))
    throw new TypeError(`${op}: options.tiles (${show(tiles)}) must be an object such as { gemm: "2x16" }`);
  for (const key of Object.keys(tiles)) {
    if (key !== "gemm") throw new TypeError(`${op}: options.tiles.${key} is not a tile option (expected gemm)`);
  }
  const gemm = Object.hasOwn(tiles, "gemm") ? (tiles as TileOptions).gemm : undefined;
  if (gemm !== undefined && !GEMM_TILES.includes(gemm as GemmTile)) {
    const expected = GEMM_TILES.map(show).join(", ");
    const Err = typeof gemm === "string" ? RangeError : TypeError;
    throw new Err(`${op}: options.tiles.gemm (${show(gemm)}) must be one of ${expected}`);
  }
  return { gemm };
}

/** @internal Sets the tiles layers made from now on take from `rt`. */
export function chooseTiles(rt: Runtime, tiles: TileOptions | undefined, engine: Engine = detectEngine()): void {
  rt.gemmTile = GEMM_TILE_IDS[tiles?.gemm ?? tableGemmTile(engine, rt.backend)];
}
