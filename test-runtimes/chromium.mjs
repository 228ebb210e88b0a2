// Runs chromium-page.mjs in headless Chromium (playwright-core, Debian's /usr/bin/chromium or
// $CHROMIUM): bundled with esbuild, served on localhost by a tiny http server, four times:
// default build (not cross-origin isolated: one thread), backend 'scalar', under
// `script-src 'self' 'wasm-unsafe-eval'` (isolated; blob: workers refused, sepconv/worker.js by
// workerUrl), and cross-origin isolated (COOP/COEP: 2 threads).
// Usage: node chromium.mjs <temp project>
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const project = process.argv[2];
const RUNS = ["default", "scalar", "csp", "isolated"];
const CSP = "script-src 'self' 'wasm-unsafe-eval'";
/** Cross-origin isolation (SharedArrayBuffer, so threads): the isolated and csp runs send these. */
const ISOLATION = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };

const bundle = await build({
  absWorkingDir: project,
  entryPoints: ["chromium-page.mjs"],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  logLevel: "warning",
});
const wasm = (name) => readFileSync(join(project, `node_modules/sepconv/dist/wasm/${name}`));
const files = {
  "/app.js": ["text/javascript", bundle.outputFiles[0].contents],
  "/simd.wasm": ["application/wasm", wasm("simd.wasm")],
  "/relaxed-simd.wasm": ["application/wasm", wasm("relaxed-simd.wasm")],
  "/worker.js": ["text/javascript", readFileSync(join(project, "node_modules/sepconv/dist/worker.js"))],
};

const server = createServer((request, response) => {
  const url = new URL(request.url, "http://localhost");
  if (url.pathname === "/") {
    const run = url.searchParams.get("run");
    const headers = { "content-type": "text/html", ...(run === "csp" || run === "isolated" ? ISOLATION : {}) };
    if (run === "csp") headers["content-security-policy"] = CSP;
    response.writeHead(200, headers).end('<!doctype html><script type="module" src="/app.js"></script>');
  } else if (files[url.pathname]) {
    const [type, body] = files[url.pathname];
    response.writeHead(200, { "content-type": type, ...ISOLATION }).end(body);
  } else {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;

// --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  for (const run of RUNS) {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    try {
      await page.goto(`${base}/?run=${run}`);
      await page.waitForFunction(() => window.__result, null, { timeout: 30_000 });
      console.log(await page.evaluate(() => window.__result));
    } catch (error) {
      console.log(`FAIL chromium ${run}: ${error.message.split("\n")[0]} ${errors.join("; ")}`);
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
