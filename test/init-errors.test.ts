// init() failures that name what failed and the way out: the URL of a fetch that failed, the
// status of a response, and the build to use on an engine that lacks an instruction set.

import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init } from "../src/index.js";

/** A local server that answers 404 to everything. */
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((_, response) => {
    response.writeHead(404, { "content-type": "text/plain" }).end("no such file");
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** A port nothing listens on: one the OS just handed out and took back. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

describe("init({ wasm: url }) that cannot be fetched", () => {
  it("names the URL and the network error", async () => {
    const url = new URL(`http://127.0.0.1:${await closedPort()}/sepconv/simd.wasm`);
    const error = await init({ wasm: url }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      new RegExp(`^init: options\\.wasm \\(${url.href.replace(/\./g, "\\.")}\\) could not be fetched \\(fetch failed`),
    );
    expect(error?.message).toContain("ECONNREFUSED");
    expect(error?.cause).toBeInstanceOf(Error);
  });

  it("names the URL and the status of a response that is not the file", async () => {
    const url = new URL(`${base}/missing/simd.wasm`);
    await expect(init({ wasm: url })).rejects.toThrow(
      `init: fetching options.wasm (${url.href}) answered 404 Not Found; expected 200 with the .wasm bytes`,
    );
  });

  it("gives the status of a failed Response passed in, and its URL when it has one", async () => {
    await expect(init({ wasm: new Response("gone", { status: 404, statusText: "Not Found" }) })).rejects.toThrow(
      "init: options.wasm is a Response with status 404 Not Found; expected 200 with the .wasm bytes",
    );
    const fetched = await fetch(`${base}/x.wasm`);
    await expect(init({ wasm: fetched })).rejects.toThrow(
      `init: options.wasm is the response from ${base}/x.wasm with status 404 Not Found; expected 200`,
    );
  });

  it("names a file: URL that cannot be read", async () => {
    const url = pathToFileURL("/nonexistent/sepconv/simd.wasm");
    await expect(init({ wasm: url })).rejects.toThrow(
      /^init: options\.wasm \(file:\/\/\/nonexistent\/sepconv\/simd\.wasm\) could not be read \(ENOENT/,
    );
  });
});

describe("the relaxed-simd build on an engine without relaxed SIMD", () => {
  // A Node process with relaxed SIMD switched off (off by default on Node 20; the tests' own
  // processes switch it on), loading the built package as a user would.
  const attempt = (call: string, entry = "index"): string => {
    const script =
      `const { readFileSync } = await import("node:fs"); const sepconv = await import("./dist/${entry}.js");` +
      `try { await sepconv.${call}({ wasm: readFileSync("dist/wasm/relaxed-simd.wasm") }); console.log("loaded"); }` +
      ` catch (e) { console.log(e.name + ": " + e.message); }`;
    return execFileSync(
      process.execPath,
      ["--no-experimental-wasm-relaxed-simd", "--input-type=module", "-e", script],
      {
        encoding: "utf8",
      },
    ).trim();
  };

  it.each(["init", "initSync"])("%s says to pass the simd build instead", (call) => {
    const message = attempt(call);
    expect(message).toMatch(new RegExp(`^RangeError: ${call}: options\\.wasm did not compile \\(.+\\); `));
    expect(message).toContain(
      "this engine has no WebAssembly relaxed SIMD, so if this is the relaxed-simd build, pass sepconv/wasm/simd.wasm instead",
    );
    expect(message).toContain(`(or call ${call}() without options.wasm: it picks the best build itself)`);
  });

  it("sepconv/slim says the same, without pointing at embedded builds it does not have", () => {
    const message = attempt("init", "slim");
    expect(message).toMatch(
      /^RangeError: init: options\.wasm did not compile .*pass sepconv\/wasm\/simd\.wasm instead$/,
    );
  });

  it("loads there when given the simd build", () => {
    const script =
      `const { readFileSync } = await import("node:fs"); const sepconv = await import("./dist/index.js");` +
      `await sepconv.init({ wasm: readFileSync("dist/wasm/simd.wasm") }); console.log(sepconv.backend());`;
    const out = execFileSync(
      process.execPath,
      ["--no-experimental-wasm-relaxed-simd", "--input-type=module", "-e", script],
      {
        encoding: "utf8",
      },
    );
    expect(out.trim()).toBe("simd");
  });
});
