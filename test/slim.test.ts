// sepconv/slim (dist/slim.js, as published): the API of "sepconv" without the embedded builds,
// for apps that host one .wasm file. init({ wasm }) is required; without it, a message says so.

import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import * as full from "../dist/index.js";
import * as slim from "../dist/slim.js";
import { expectClose, randomTensor, rng } from "./helpers.js";

const REQUIRED =
  /^init(Sync)?: options\.wasm \(undefined\) is required by sepconv\/slim, which embeds no build: pass .*sepconv\/wasm\/\{relaxed-simd,simd,scalar\}\.wasm.*import "sepconv" for the embedded builds$/;

describe("sepconv/slim", () => {
  it("embeds no build: it is the default entry less the base64 of all three", () => {
    const slimJs = readFileSync("dist/slim.js", "utf8");
    const fullJs = readFileSync("dist/index.js", "utf8");
    expect(slimJs).not.toContain("AGFzbQ"); // "\0asm", the start of every embedded build
    const base64 = ["scalar", "simd", "relaxed-simd"].reduce(
      (sum, build) => sum + readFileSync(`dist/wasm/${build}.wasm`).toString("base64").length,
      0,
    );
    expect(fullJs.length - slimJs.length).toBeGreaterThanOrEqual(base64);
    // What a download saves: about the builds' own gzip size (the interleaving shares some bytes).
    const builds = ["scalar", "simd", "relaxed-simd"].reduce(
      (sum, build) => sum + gzipSync(readFileSync(`dist/wasm/${build}.wasm`)).length,
      0,
    );
    expect(gzipSync(fullJs).length - gzipSync(slimJs).length).toBeGreaterThan(0.8 * builds);
  });

  it("has the default entry's API", () => {
    expect(Object.keys(slim).sort()).toEqual(Object.keys(full).sort());
  });

  it("refuses init() and initSync() without options.wasm, saying what to pass", async () => {
    await expect(slim.init()).rejects.toThrow(TypeError);
    await expect(slim.init({ backend: "simd" })).rejects.toThrow(REQUIRED);
    expect(() => slim.initSync()).toThrow(TypeError);
    expect(() => slim.initSync()).toThrow(REQUIRED);
    expect(() => slim.backend()).toThrow(/call `await init\(\)` first/);
  });

  it("runs the plain-JS backend without a build", async () => {
    await slim.init({ backend: "js" });
    expect(slim.backend()).toBe("js");
  });

  it("runs the build it is given, by bytes or URL, as the default entry does", async () => {
    const random = rng(5);
    const x = randomTensor(random, [1, 9, 7, 8]);
    const dw = randomTensor(random, [3, 3, 8, 1]);
    const pw = randomTensor(random, [8, 12]);
    const expected = slim.reference.separableConv2d(x, dw, pw, { padding: "same", activation: "relu6" });

    slim.initSync({ wasm: readFileSync("dist/wasm/scalar.wasm") });
    expect(slim.backend()).toBe("scalar");
    expectClose(slim.separableConv2d(x, dw, pw, { padding: "same", activation: "relu6" }), expected, 9 + 8, "scalar");

    await slim.init({ wasm: new URL("../dist/wasm/simd.wasm", import.meta.url) });
    expect(slim.backend()).toBe("simd");
    const layer = slim.createSeparableConv2d(dw, pw, { padding: "same", activation: "relu6" });
    expectClose(layer.run(x), expected, 9 + 8, "simd");
    layer.dispose();
  });
});
