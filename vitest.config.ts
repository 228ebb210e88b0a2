import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Forks, so the relaxed-simd build can be tested on Node 20 (it is behind a V8 flag there).
    pool: "forks",
    execArgv: ["--experimental-wasm-relaxed-simd"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs-backend-cpu (the oracle of several tests) warns once per process, on its first tensor,
    // that tfjs-node would be faster. Only that line is dropped; tfjs's flags stay as users have
    // them (IS_TEST or PROD would silence it too, but also change what tfjs checks).
    onConsoleLog: (log) => !log.includes("Hi, looks like you are running TensorFlow.js in Node.js."),
  },
});
