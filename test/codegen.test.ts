// The shipped binaries really are what their names say: the simd builds are full of f32x4
// arithmetic, the relaxed build uses fused multiply-add, and the scalar build has no SIMD.

import { readFileSync } from "node:fs";
import binaryen from "binaryen";
import { describe, expect, it } from "vitest";

function disassemble(build: string): string {
  const module = binaryen.readBinary(readFileSync(`dist/wasm/${build}.wasm`));
  try {
    return module.emitText();
  } finally {
    module.dispose();
  }
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

describe("generated code", () => {
  it("simd build: f32x4 multiply-adds and splat loads, no relaxed ops", () => {
    const text = disassemble("simd");
    expect(count(text, /f32x4\.mul/g)).toBeGreaterThan(20);
    expect(count(text, /f32x4\.add/g)).toBeGreaterThan(20);
    expect(count(text, /v128\.load32_splat/g)).toBeGreaterThan(4);
    expect(count(text, /relaxed/g)).toBe(0);
  });

  it("relaxed-simd build: f32x4.relaxed_madd replaces mul + add in the kernels", () => {
    const text = disassemble("relaxed-simd");
    expect(count(text, /f32x4\.relaxed_madd/g)).toBeGreaterThan(20);
  });

  it("scalar build: no v128 at all", () => {
    const text = disassemble("scalar");
    expect(count(text, /v128|f32x4|i8x16/g)).toBe(0);
    expect(count(text, /f32\.mul/g)).toBeGreaterThan(2);
  });

  it("every build exports the same kernels", () => {
    const exportsOf = (build: string) =>
      WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(`dist/wasm/${build}.wasm`)))
        .map((e) => e.name)
        .sort();
    expect(exportsOf("simd")).toEqual(exportsOf("scalar"));
    expect(exportsOf("relaxed-simd")).toEqual(exportsOf("scalar"));
  });
});

describe("generated sources", () => {
  it("assembly/gemm/tiles.ts is what scripts/gen-gemm-tiles.mjs generates (regenerating changes nothing)", async () => {
    const { generate } = await import("../scripts/gen-gemm-tiles.mjs");
    expect(readFileSync("assembly/gemm/tiles.ts", "utf8")).toBe(generate());
  });

  it("assembly/dwconv/quads.ts is what scripts/gen-dwconv-tiles.mjs generates", async () => {
    const { generate } = await import("../scripts/gen-dwconv-tiles.mjs");
    expect(readFileSync("assembly/dwconv/quads.ts", "utf8")).toBe(generate());
  });

  it("src/model/tflite/schema is what flatc generates from schema.fbs (scripts/gen-tflite-schema.mjs)", async () => {
    const { generate, onDisk } = await import("../scripts/gen-tflite-schema.mjs");
    const want = await generate();
    const have = onDisk();
    expect([...have.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [name, code] of want) expect(have.get(name), name).toBe(code);
  });

  it("assembly/abi.ts and src/abi.generated.ts are what scripts/gen-abi.mjs generates", async () => {
    const { generateAssembly, generateTypeScript } = await import("../scripts/gen-abi.mjs");
    expect(readFileSync("assembly/abi.ts", "utf8")).toBe(generateAssembly());
    expect(readFileSync("src/abi.generated.ts", "utf8")).toBe(generateTypeScript());
  });
});
