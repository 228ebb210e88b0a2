// The browser page, bundled with esbuild. ?run=default: the embedded build init() picks, then
// a .wasm fetched by URL and initSync on fetched bytes (a synchronous compile on the main
// thread); ?run=scalar: the scalar build forced; ?run=csp: the default build under a CSP with
// 'wasm-unsafe-eval' but no 'unsafe-eval'. The verdict line goes to window.__result.
import * as sepconv from "sepconv";
import { expectBackend, failures, SIMD_BUILDS, threadsFailures, verdict } from "./cases.mjs";

const run = new URLSearchParams(location.search).get("run");

async function main() {
  await sepconv.init(run === "scalar" ? { backend: "scalar" } : {});
  const used = sepconv.backend();
  const found = failures(sepconv, sepconv.reference);
  expectBackend(found, run, used, run === "scalar" ? ["scalar"] : SIMD_BUILDS);
  let extra = "";
  if (run !== "scalar") {
    // Threads need cross-origin isolation (the isolated and csp runs); a CSP without blob: then
    // needs the worker script as a file (workerUrl).
    const threads = await threadsFailures(sepconv, run === "isolated" ? 2 : 1);
    found.push(...threads.found);
    extra += `, ${threads.line}`;
    if (run === "csp") {
      const byUrl = await threadsFailures(sepconv, 2, { workerUrl: new URL("/worker.js", location.href) });
      found.push(...byUrl.found.map((f) => `workerUrl: ${f}`));
      extra += `; workerUrl: ${byUrl.line}`;
    }
  }
  if (run === "default") {
    await sepconv.init({ wasm: new URL("/relaxed-simd.wasm", location.href) });
    found.push(...failures(sepconv, sepconv.reference).map((f) => `relaxed-simd.wasm by URL: ${f}`));
    expectBackend(found, "relaxed-simd.wasm by URL", sepconv.backend(), ["relaxed-simd"]);
    const bytes = await (await fetch("/simd.wasm")).arrayBuffer();
    sepconv.initSync({ wasm: bytes });
    found.push(...failures(sepconv, sepconv.reference).map((f) => `initSync simd.wasm bytes: ${f}`));
    expectBackend(found, "initSync simd.wasm bytes", sepconv.backend(), ["simd"]);
    extra += "; relaxed-simd.wasm by URL and initSync simd.wasm bytes";
  }
  if (run === "csp") {
    // Proves the policy is in force: without 'unsafe-eval' the Function constructor must throw.
    let blocked = false;
    try {
      Function("return 1")();
    } catch {
      blocked = true;
    }
    if (!blocked) found.push("the Content-Security-Policy did not block eval: it was not applied");
    extra += "; eval blocked";
  }
  return verdict(`chromium ${run}`, `${used}${extra}`, found);
}

main().then(
  (line) => {
    window.__result = line;
  },
  (error) => {
    window.__result = `FAIL chromium ${run}: ${error.message}`;
  },
);
