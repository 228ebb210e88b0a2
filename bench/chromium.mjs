// Runs the benchmark page (bench/web/, built by scripts/build-bench-web.mjs) in headless
// Chromium (playwright-core, Debian's /usr/bin/chromium or $CHROMIUM) and prints its tables:
// the per-microkernel benchmark in the browser's V8, for the per-engine tile table.
//   node bench/chromium.mjs [--peers] [--quick] [--ops pw] [--models v1,v2] [--builds ...] [--json FILE]
// (--peers: bench/web/peers.html, sepconv beside TensorFlow.js's wasm backend per layer;
// --model [--runs N] [--threads N]: bench/web/model.html, MobileNetV2 end to end, sepconv and
// tfjs-wasm on N threads each (the page is cross-origin isolated); --tflite [--runs N]:
// bench/web/tflite.html, MediaPipe's BlazeFace and selfie segmentation beside LiteRT.js; with
// --threads N, sepconv on N threads beside LiteRT.js's threaded build)
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const ROOT = "bench/web/build";
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const query = new URLSearchParams();
// --peers: the side-by-side page (sepconv and tfjs-wasm) instead of the kernels page.
// --model: MobileNetV2 end to end (bench/web/model.html).
const pageFile = args.includes("--peers")
  ? "peers.html"
  : args.includes("--model")
    ? "model.html"
    : args.includes("--tflite")
      ? "tflite.html"
      : "index.html";
if (option("runs")) query.set("runs", option("runs"));
if (args.includes("--quick")) query.set("quick", "");
if (args.includes("--cold")) query.set("cold", "");
for (const name of ["ops", "models", "builds", "threads"]) if (option(name)) query.set(name, option(name));

const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".txt": "text/plain",
  ".json": "application/json",
  ".bin": "application/octet-stream",
};
const server = createServer((request, response) => {
  const path = normalize(new URL(request.url, "http://localhost").pathname).replace(/^(\.\.[/\\])+/, "");
  try {
    const body = readFileSync(join(ROOT, path === "/" ? "index.html" : path));
    // Cross-origin isolated, so that performance.now() has 5 us resolution instead of 100 us.
    response
      .writeHead(200, {
        "content-type": TYPES[extname(path)] ?? "text/html",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-embedder-policy": "require-corp",
      })
      .end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  const page = await browser.newPage();
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/${pageFile}?${query}`);
  await page.waitForFunction(() => window.__result, null, { timeout: 30 * 60_000, polling: 1000 });
  const result = await page.evaluate(() => window.__result);
  if (result.error) throw new Error(`the page failed: ${result.error}`);
  console.log(`${result.engine} (headless Chromium)`);
  console.log(result.text);
  const json = option("json");
  if (json) writeFileSync(json, JSON.stringify(result, null, 1));
} finally {
  await browser.close();
  server.close();
}
