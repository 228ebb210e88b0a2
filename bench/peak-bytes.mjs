// The peak kernels (bench/peak/peak.ts) compiled with asc, per SIMD build, kept in build/ so that
// benchmarks in any runtime (Deno, Bun, a browser page) can load them.
// `node bench/peak-bytes.mjs` compiles both; peakBytes() compiles on first use in Node.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FEATURES = { simd: ["simd"], "relaxed-simd": ["simd", "relaxed-simd"] };

export const peakFile = (build) => `${ROOT}build/peak.${build}.wasm`;

export function compilePeak(build) {
  mkdirSync(`${ROOT}build`, { recursive: true });
  const flags = ["-O3", "--runtime", "stub", "--noAssert", "--enable", FEATURES[build].join(",")];
  execFileSync(`${ROOT}node_modules/.bin/asc`, [`${ROOT}bench/peak/peak.ts`, ...flags, "-o", peakFile(build)], {
    stdio: "inherit",
  });
}

/** The compiled peak module of `build` ('simd' or 'relaxed-simd'). */
export function peakBytes(build) {
  if (!existsSync(peakFile(build))) compilePeak(build);
  return readFileSync(peakFile(build));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) for (const build of Object.keys(FEATURES)) compilePeak(build);
