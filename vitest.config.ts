import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Forks, so the relaxed-simd build can be tested on Node 20 (it is behind a V8 flag there).
    pool: "forks",
    execArgv: ["--experimental-wasm-relaxed-simd"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
