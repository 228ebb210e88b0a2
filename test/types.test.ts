// The published declarations as a TypeScript user meets them: test/types-fixtures/* and the
// README's self-contained examples compiled against dist/ (as `npm install sepconv` lays it out)
// with the oldest TypeScript the package supports (5.0) and the latest, strict, with
// skipLibCheck off so that every .d.ts the package ships is checked too.

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const COMPILERS = { "TypeScript 5.0": "typescript-5.0", "TypeScript latest": "typescript" };

const common = {
  strict: true,
  skipLibCheck: false,
  noEmit: true,
  target: "ES2022",
  lib: ["ES2022", "DOM"],
  types: ["node"],
};
/** Node's resolution (exports' import/require/default conditions) and a Cloudflare Worker's. */
const PROJECTS = {
  node: { compilerOptions: { ...common, module: "NodeNext", moduleResolution: "NodeNext" } },
  workerd: {
    compilerOptions: { ...common, module: "ESNext", moduleResolution: "Bundler", customConditions: ["workerd"] },
  },
};

/** The README's ```ts blocks that stand alone (start with an import); fragments are skipped. */
function readmeExamples(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  return blocks.filter((code) => code.startsWith("import "));
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sepconv-types-"));
  mkdirSync(join(dir, "node_modules/@types"), { recursive: true });
  symlinkSync(ROOT, join(dir, "node_modules/sepconv"), "dir");
  symlinkSync(join(ROOT, "node_modules/@types/node"), join(dir, "node_modules/@types/node"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  const files: Record<keyof typeof PROJECTS, string[]> = { node: ["consumer.ts", "consumer.cts"], workerd: [] };
  for (const file of ["consumer.ts", "consumer.cts", "consumer-workerd.ts"]) {
    copyFileSync(join(ROOT, "test/types-fixtures", file), join(dir, file));
  }
  files.workerd.push("consumer-workerd.ts");
  readmeExamples(readFileSync(join(ROOT, "README.md"), "utf8")).forEach((code, i) => {
    // An example importing a build as a module is a worker's (see PROJECTS).
    const project = code.includes('from "sepconv/wasm/') ? "workerd" : "node";
    writeFileSync(join(dir, `readme-${i + 1}.ts`), `${code}export {};\n`);
    files[project].push(`readme-${i + 1}.ts`);
  });
  for (const [name, config] of Object.entries(PROJECTS)) {
    const project = { ...config, files: files[name as keyof typeof PROJECTS] };
    writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify(project, null, 2));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function compile(compiler: string, project: string): string {
  const tsc = join(ROOT, "node_modules", compiler, "bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", `tsconfig.${project}.json`], { cwd: dir, encoding: "utf8" });
    return "";
  } catch (error) {
    return (error as { stdout: string }).stdout || String(error);
  }
}

describe("the README's examples", () => {
  it("include the Use and model examples", () => {
    const examples = readmeExamples(readFileSync(join(ROOT, "README.md"), "utf8"));
    expect(examples.some((code) => code.includes("createSeparableConv2d("))).toBe(true);
    expect(examples.some((code) => /load(Layers|Graph|TFLite)Model\(/.test(code))).toBe(true);
  });
});

describe.each(Object.entries(COMPILERS))("the published types with %s", (_, compiler) => {
  it("is the version meant", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "node_modules", compiler, "package.json"), "utf8"));
    expect(version.startsWith(compiler === "typescript" ? "5." : "5.0.")).toBe(true);
  });

  it.each(Object.keys(PROJECTS))(
    "compile a strict %s consumer and the README's examples, skipLibCheck off",
    (project) => {
      expect(compile(compiler, project)).toBe("");
    },
  );
});
