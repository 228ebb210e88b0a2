// initSync: the same options and build choice as init(), compiled synchronously. This file
// runs in its own process (vitest forks), so the first test exercises a cold, sync-only load.

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deinterleave } from "../src/embedded/deinterleave.js";
import * as embedded from "../src/embedded/wasm.generated.js";
import { backend, depthwiseConv2d, init, initSync, pointwiseConv2d, reference, separableConv2d } from "../src/index.js";
import { base64ToBytes } from "../src/init.js";
import { ALL_BACKENDS, expectClose, randomArray, randomTensor, rng, WASM_BUILDS } from "./helpers.js";

const random = rng(41);
const x = randomTensor(random, [1, 7, 6, 8]);
const dw = randomTensor(random, [3, 3, 8, 2]);
const pw = randomTensor(random, [16, 12]);
const options = {
  padding: "same" as const,
  strides: 2,
  bias: randomArray(random, 12),
  depthwiseActivation: "relu6" as const,
};

function expectError(fn: () => unknown, type: typeof Error, parts: string[]): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${type.name} containing ${parts.join(" | ")}`).toBeInstanceOf(type);
  const message = (error as Error).message;
  expect(message.startsWith("initSync: "), message).toBe(true);
  for (const part of parts) expect(message).toContain(part);
}

describe("initSync", () => {
  it("selects the best build synchronously on a cold start, with no promise in sight", () => {
    expect(() => backend()).toThrow(/call `await init\(\)` first/);
    expect(initSync()).toBeUndefined();
    expect(backend()).toBe("relaxed-simd"); // vitest runs Node 20 with --experimental-wasm-relaxed-simd
    expectClose(separableConv2d(x, dw, pw, options), reference.separableConv2d(x, dw, pw, options), 16 + 9, "auto");
    initSync(); // idempotent
    expect(backend()).toBe("relaxed-simd");
  });

  for (const build of ALL_BACKENDS) {
    it(`backend '${build}' computes depthwise, pointwise and separable like the reference`, () => {
      initSync({ backend: build });
      expect(backend()).toBe(build);
      const pwOptions = { bias: options.bias, activation: "relu" as const };
      const px = randomTensor(random, [2, 3, 5, 16]);
      expectClose(
        depthwiseConv2d(x, dw, { padding: "same" }),
        reference.depthwiseConv2d(x, dw, { padding: "same" }),
        9,
        `${build} depthwise`,
      );
      expectClose(pointwiseConv2d(px, pw, pwOptions), reference.pointwiseConv2d(px, pw, pwOptions), 16, `${build} pw`);
      expectClose(
        separableConv2d(x, dw, pw, options),
        reference.separableConv2d(x, dw, pw, options),
        16 + 9,
        `${build} separable`,
      );
    });
  }

  for (const build of WASM_BUILDS) {
    it(`loads dist/wasm/${build}.wasm given as a Module, a typed array and an ArrayBuffer`, () => {
      const bytes = readFileSync(`dist/wasm/${build}.wasm`);
      const sources = [
        new WebAssembly.Module(bytes),
        bytes,
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      ];
      for (const wasm of sources) {
        initSync({ backend: "js" });
        initSync({ wasm });
        expect(backend()).toBe(build);
        expectClose(
          separableConv2d(x, dw, pw, options),
          reference.separableConv2d(x, dw, pw, options),
          16 + 9,
          `${build} from ${wasm.constructor.name}`,
        );
      }
    });
  }

  it("shares builds with init(): async then sync, and back", async () => {
    await init({ backend: "simd" });
    initSync({ backend: "scalar" });
    expect(backend()).toBe("scalar");
    await init({ backend: "scalar" });
    expect(backend()).toBe("scalar");
    expectClose(separableConv2d(x, dw, pw, options), reference.separableConv2d(x, dw, pw, options), 25, "shared");
  });

  it("rejects a URL or a Response with a TypeError that points to init()", () => {
    initSync({ backend: "simd" });
    const file = pathToFileURL("dist/wasm/simd.wasm");
    const response = new Response(readFileSync("dist/wasm/simd.wasm"));
    for (const [wasm, shown] of [
      [file, "a URL"],
      [response, "a Response"],
    ] as const) {
      expectError(() => initSync({ wasm }), TypeError, [
        `options.wasm (${shown}) must be a WebAssembly.Module, an ArrayBuffer or typed array`,
        "await init({ wasm })",
      ]);
      expect(backend(), "a failed initSync keeps the build in use").toBe("simd");
    }
  });

  it("rejects bad options like init() does, naming initSync", () => {
    initSync({ backend: "scalar" });
    const backends = 'must be one of "auto", "relaxed-simd", "simd", "scalar", "js"';
    expectError(() => initSync({ backend: "gpu" as never }), RangeError, [`options.backend ("gpu") ${backends}`]);
    expectError(() => initSync({ backend: 5 as never }), TypeError, [`options.backend (5) ${backends}`]);
    expectError(() => initSync(null as never), TypeError, ["options (null) must be an object"]);
    expectError(() => initSync({ backends: "simd" } as never), TypeError, ["options.backends is not an option"]);
    expectError(() => initSync({ wasm: "simd.wasm" as never }), TypeError, [
      'options.wasm ("simd.wasm") must be a WebAssembly.Module, an ArrayBuffer or typed array',
    ]);
    expectError(() => initSync({ wasm: Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0) }), RangeError, [
      "options.wasm (Uint8Array(8)) is not a sepconv build",
    ]);
    expect(backend()).toBe("scalar");
  });

  it("refuses a module of another build than the backend asked for", () => {
    expect(() => initSync({ wasm: readFileSync("dist/wasm/scalar.wasm"), backend: "simd" })).toThrow(
      /^initSync: options.backend \("simd"\) must match options.wasm, which is the 'scalar' build$/,
    );
  });
});

describe("a host that refuses to compile bytes (workerd; a CSP without 'wasm-unsafe-eval')", () => {
  const refusal = new WebAssembly.CompileError("WebAssembly.compile(): Wasm code generation disallowed by embedder");
  const hint = (op: string) =>
    new RegExp(
      `^${op}: this runtime refused to compile the embedded 'relaxed-simd' WebAssembly \\(.*disallowed by embedder\\)\\. ` +
        ".*import the \\.wasm file \\(sepconv/wasm/relaxed-simd\\.wasm\\) as a module and call init\\(\\{ wasm: module \\}\\).*'wasm-unsafe-eval'",
    );
  // A fresh copy of init.ts: nothing compiled yet, so the embedded path is taken.
  const freshInit = async () => {
    vi.resetModules();
    return import("../src/init.js");
  };
  afterEach(() => vi.restoreAllMocks());

  it("init() says to import the .wasm file and pass it as options.wasm", async () => {
    const fresh = await freshInit();
    vi.spyOn(WebAssembly, "compile").mockRejectedValue(refusal);
    await expect(fresh.init()).rejects.toThrow(hint("init"));
  });

  it("initSync() says the same", async () => {
    const fresh = await freshInit();
    vi.spyOn(WebAssembly, "Module").mockImplementation(function refuse(): never {
      throw refusal;
    });
    expect(() => fresh.initSync()).toThrow(hint("initSync"));
  });
});

describe("the embedded builds", () => {
  const [simd, relaxedSimd] = deinterleave(
    embedded.simdAndRelaxedSimd,
    embedded.chunk,
    embedded.simdLength,
    embedded.relaxedSimdLength,
  );
  const EMBEDDED = { scalar: embedded.scalar, simd, "relaxed-simd": relaxedSimd };

  it("decode to the bytes of dist/wasm with the portable decoder and with Node's", () => {
    for (const build of WASM_BUILDS) {
      const file = new Uint8Array(readFileSync(`dist/wasm/${build}.wasm`));
      expect(base64ToBytes(EMBEDDED[build]), `${build}, atob`).toEqual(file);
      expect(new Uint8Array(Buffer.from(EMBEDDED[build], "base64")), `${build}, Buffer`).toEqual(file);
    }
  });

  it("init() still loads them where neither Uint8Array.fromBase64 nor Buffer exists", async () => {
    vi.resetModules();
    vi.stubGlobal("Buffer", undefined);
    const decode = vi.spyOn(globalThis, "atob");
    try {
      const fresh = await import("../src/index.js");
      await fresh.init({ backend: "simd" });
      expect(decode, "the portable decoder ran").toHaveBeenCalled();
      const filter = randomTensor(random, [8, 4]);
      expectClose(fresh.pointwiseConv2d(x, filter), reference.pointwiseConv2d(x, filter), 8, "after the fallback");
    } finally {
      decode.mockRestore();
      vi.unstubAllGlobals();
    }
  });
});
