// The developer loop: `npm run build` skips asc when nothing it reads changed, and the test
// output carries no TensorFlow.js banner.

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
