// The runtime matrix: packs the built package (npm pack), installs the tarball into a temp
// project as a user would, and runs the known-answer cases of cases.mjs in Node (ESM and CJS),
// Deno, Bun, workerd and Chromium. Each runtime prints one PASS/FAIL line per run with the
// build it used; this exits non-zero if any run fails or prints nothing. Node 22, 24 and 26
// run the ESM case too (node-versions.mjs). Every runtime also runs init({ threads: 2 }): 2 threads
// where workers and SharedArrayBuffer exist (Node, Deno, Bun, a cross-origin-isolated page), one
// elsewhere (workerd, a page that is not isolated), with results bit-identical to one thread.
// Usage (after `npm run build`): node test-runtimes/run.mjs [--keep]   (--keep: leave the temp project)
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeReleases } from "./node-versions.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const TIMEOUT_MS = 90_000;
/** Files copied into the temp project, where "sepconv" resolves to the installed tarball. */
const PROJECT_FILES = [
  "cases.mjs",
  "node-esm.mjs",
  "node-cjs.cjs",
  "deno.mjs",
  "bun.mjs",
  "workerd-worker.mjs",
  "chromium-page.mjs",
];

/**
 * The bun npm package's own bin is a placeholder until its postinstall runs, which
 * package.json's allowScripts denies; the platform package beside it ships the real binary.
 */
function bunBinary() {
  const require = createRequire(import.meta.url);
  const arch = { x64: "x64", arm64: "aarch64" }[process.arch];
  for (const suffix of ["", "-musl"]) {
    try {
      return require.resolve(`@oven/bun-${process.platform}-${arch}${suffix}/bin/bun`);
    } catch {}
  }
  return join(root, "node_modules/.bin/bun");
}

const RUNTIMES = [
  { name: "node-esm", command: process.execPath, args: ["node-esm.mjs"], runs: 1 },
  { name: "node-cjs", command: process.execPath, args: ["node-cjs.cjs"], runs: 1 },
  { name: "deno", command: join(root, "node_modules/.bin/deno"), args: ["run", "--allow-read", "deno.mjs"], runs: 1 },
  { name: "bun", command: bunBinary(), args: ["bun.mjs"], runs: 1 },
  { name: "workerd", command: process.execPath, args: [join(here, "workerd.mjs")], project: true, runs: 1 },
  { name: "chromium", command: process.execPath, args: [join(here, "chromium.mjs")], project: true, runs: 4 },
  ...nodeReleases(root).map(({ major, binary }) => ({
    name: `node${major}-esm`,
    command: binary,
    args: ["node-esm.mjs"],
    env: { SEPCONV_EXPECT_BACKEND: "relaxed-simd" },
    runs: 1,
  })),
];

function pack(project) {
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", project], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const [{ filename }] = JSON.parse(out);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "sepconv-runtimes", private: true, type: "module" }),
  );
  // The tarball has no runtime dependencies, so nothing is fetched.
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", `./${filename}`], {
    cwd: project,
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (const file of PROJECT_FILES) copyFileSync(join(here, file), join(project, file));
  return filename;
}

/** Runs one runtime; resolves to its PASS/FAIL lines (a FAIL line of its own if it misbehaved). */
function runOne({ name, command, args, env, project: needsProject, runs }, project) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, needsProject ? [...args, project] : args, {
      cwd: project,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: TIMEOUT_MS,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", (error) => {
      stderr += error.message;
    });
    child.on("close", (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const lines = stdout.split("\n").filter((line) => /^(PASS|FAIL) /.test(line));
      const why = [];
      if (code !== 0) why.push(`exit ${code ?? signal}`);
      if (lines.length !== runs) why.push(`${lines.length} result lines instead of ${runs}`);
      if (why.length > 0) lines.push(`FAIL ${name}: ${why.join(", ")}; stderr: ${stderr.trim().slice(-800)}`);
      resolve(lines.map((line) => `${line}  [${seconds}s]`));
    });
  });
}

const started = Date.now();
const project = mkdtempSync(join(tmpdir(), "sepconv-runtimes-"));
let failed = false;
try {
  if (!existsSync(join(root, "dist/index.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  console.log(`packed ${pack(project)} into ${project}`);
  // One at a time: the machine's cores are shared, and each runtime reports its own timing.
  for (const runtime of RUNTIMES) {
    for (const line of await runOne(runtime, project)) {
      console.log(line);
      if (!line.startsWith("PASS ")) failed = true;
    }
  }
} finally {
  if (!process.argv.includes("--keep")) rmSync(project, { recursive: true, force: true });
}
console.log(`${failed ? "FAIL" : "PASS"}: runtime matrix in ${((Date.now() - started) / 1000).toFixed(1)}s`);
process.exitCode = failed ? 1 : 0;
