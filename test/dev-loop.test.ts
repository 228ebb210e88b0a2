// The developer loop: `npm run build` skips asc when nothing it reads changed, and the test
// output carries no TensorFlow.js banner.

import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ascInputsHash } from "../scripts/asc-inputs.mjs";
import config from "../vitest.config.js";

describe("the asc inputs hash (scripts/build.mjs rebuilds the wasm when it changes)", () => {
  const root = mkdtempSync(join(tmpdir(), "sepconv-asc-"));
  cpSync("assembly", join(root, "assembly"), { recursive: true });
  cpSync("asconfig.json", join(root, "asconfig.json"));
  const modules = join(process.cwd(), "node_modules");
  const hash = (args = "scalar simd") => ascInputsHash(root, args, modules);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("is stable while nothing changes", () => {
    expect(hash()).toBe(hash());
    expect(hash()).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes with a source file, a new file, asconfig.json or asc's arguments", () => {
    const before = hash();
    writeFileSync(join(root, "assembly/common.ts"), "// edited\n", { flag: "a" });
    const edited = hash();
    expect(edited).not.toBe(before);
    writeFileSync(join(root, "assembly/gemm/new-kernel.ts"), "export const x = 1;\n");
    const added = hash();
    expect(added).not.toBe(edited);
    writeFileSync(join(root, "asconfig.json"), "{}\n");
    const configured = hash();
    expect(configured).not.toBe(added);
    expect(hash("scalar")).not.toBe(configured);
  });
});

describe("test output", () => {
  const onConsoleLog = config.test?.onConsoleLog as (log: string, type: "stdout" | "stderr") => boolean | undefined;
  const banner =
    "\n============================\nHi, looks like you are running TensorFlow.js in Node.js. To speed things up dramatically, install our node backend, visit https://github.com/tensorflow/tfjs-node for more details. \n============================\n";

  it("drops tfjs-backend-cpu's tfjs-node advice, and nothing else", () => {
    expect(onConsoleLog(banner, "stderr")).toBe(false);
    expect(onConsoleLog("a warning from a test\n", "stderr")).not.toBe(false);
    expect(onConsoleLog("TensorFlow.js failed\n", "stdout")).not.toBe(false);
  });
});

describe("npm run bench:quick's summary (bench/report.mjs, run as bench.mjs runs it)", () => {
  // A made-up run of both models, 4 categories and the 8 peers of a full run.
  const script = `
    import { consoleSummary, summarize } from "./bench/report.mjs";
    const peers = ["sepconv-relaxed-simd", "sepconv-simd", "sepconv-scalar", "sepconv-copy", "js", "tfjs-wasm", "tfjs-cpu", "ort"];
    const results = [];
    for (const model of ["mobilenet_v1_224", "mobilenet_v2_224"])
      for (const category of ["depthwise", "pointwise", "separable block", "standard conv"])
        results.push({ model, category, macs: 1e7, times: Object.fromEntries(peers.map((key, i) => [key, { median: 0.5 * (i + 1) * 123.4, min: 0.4 }])) });
    const run = {
      machine: { cpu: "A CPU", cores: 2, platform: "linux x64", node: "20", v8: "11", flags: [], date: "2026-12-01", loadAverageAtStart: 1, loadAverageAtEnd: 1 },
      ours: peers[0], peers: peers.map((key) => ({ key })), results,
      peak: { simd: { gflops: 40 }, "relaxed-simd": { gflops: 60 } },
    };
    run.sums = summarize(run);
    console.log(consoleSummary(run));`;
  const summary = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });

  it("fits 120 columns", () => {
    const widest = Math.max(...summary.split("\n").map((line) => line.length));
    expect(widest).toBeLessThanOrEqual(120);
  });

  it("says which way the ratios go and what the peer and case names mean", () => {
    const text = summary.replace(/\s+/g, " "); // as read, across the wrapped lines
    expect(text).toContain("peer's time / the baseline's time: above 1x the baseline is faster");
    expect(text).toMatch(/relaxed-simd, simd, scalar: sepconv's builds/);
    expect(text).toMatch(/Cases: v1\/v2\/v3_large are MobileNet v1\/v2\/v3-large at 224x224/);
    expect(summary).toMatch(/\nv2 standard conv \(1\) +\d/);
  });
});
