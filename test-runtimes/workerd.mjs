// Runs workerd-worker.mjs in Cloudflare's workerd through miniflare, as wrangler would deploy
// it: bundled with esbuild (sepconv from the temp project), the .wasm import left to workerd
// as a CompiledWasm module. Usage: node workerd.mjs <temp project>
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

const project = process.argv[2];
await build({
  absWorkingDir: project,
  entryPoints: ["workerd-worker.mjs"],
  bundle: true,
  format: "esm",
  platform: "neutral",
  external: ["*.wasm"],
  outfile: join(project, "workerd/worker.mjs"),
  logLevel: "warning",
});
copyFileSync(join(project, "node_modules/sepconv/dist/wasm/simd.wasm"), join(project, "workerd/simd.wasm"));

// The modules are listed, as wrangler does after bundling: miniflare's own discovery stops at
// sepconv's variable import("node:fs/promises") (only reached for file: URLs, never in workerd).
const mf = new Miniflare({
  modulesRoot: join(project, "workerd"),
  modules: [
    { type: "ESModule", path: join(project, "workerd/worker.mjs") },
    { type: "CompiledWasm", path: join(project, "workerd/simd.wasm") },
  ],
  compatibilityDate: "2025-01-01",
});
try {
  const response = await mf.dispatchFetch("http://localhost/");
  console.log(await response.text());
} finally {
  await mf.dispose();
}
