// Reading model files as TensorFlow.js users do (issue 12): model.json and its weight shards
// over http (a local node:http server), from file: URLs and from absolute and relative paths;
// shards resolved relative to model.json and joined in manifest order; the limits, HTTP and
// parse errors, hostile manifests and a custom fetch.

import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchBytes, fetchModelJson, MAX_MODEL_JSON_BYTES, MAX_WEIGHT_BYTES } from "../src/model/fetch-artifacts.js";

const OP = "loadGraphModel";

/** Shard bytes: each a run of its own values, so the join order shows. */
const SHARDS: Record<string, Uint8Array> = {
  "group1-shard1of2.bin": Uint8Array.from({ length: 12 }, (_, i) => 10 + i),
  "group1-shard2of2.bin": Uint8Array.from({ length: 8 }, (_, i) => 40 + i),
  "more/group2-shard1of1.bin": Uint8Array.from({ length: 4 }, (_, i) => 70 + i),
};
const SPECS = [
  { name: "a", shape: [3], dtype: "float32" },
  { name: "b", shape: [2], dtype: "float32" },
  { name: "c", shape: [1], dtype: "float32" },
];
/** Two groups, three shards; the manifest lists the second group's file first in neither name nor size order. */
const MODEL_JSON = {
  format: "graph-model",
  modelTopology: { node: [] },
  weightsManifest: [
    { paths: ["group1-shard1of2.bin", "group1-shard2of2.bin"], weights: SPECS.slice(0, 2) },
    { paths: ["more/group2-shard1of1.bin"], weights: SPECS.slice(2) },
  ],
};
const EXPECTED = new Uint8Array([...Object.values(SHARDS).flatMap((shard) => [...shard])]);

let dir: string;
let server: Server;
let base: string;
/** Request paths (with query) the server saw, in order. */
const requests: string[] = [];

async function write(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(join(dir, path, ".."), { recursive: true });
  await writeFile(join(dir, path), data);
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sepconv-fetch-"));
  await write("model/model.json", JSON.stringify(MODEL_JSON));
  for (const [name, bytes] of Object.entries(SHARDS)) await write(`model/${name}`, bytes);
  await write("notjson/model.json", '{"modelTopology": {}, "weightsManifest": [');
  await write(
    "missing-shard/model.json",
    JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ["gone.bin"], weights: [] }] }),
  );
  await write(
    "short/model.json",
    JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ["short.bin"], weights: [] }] }),
  );
  await write(
    "huge-shard/model.json",
    JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ["huge.bin"], weights: [] }] }),
  );
  await write("model.tflite", new Uint8Array([0x18, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33]));

  server = createServer((request, response) => {
    const url = new URL(request.url!, "http://localhost");
    requests.push(url.pathname + url.search);
    if (url.pathname === "/huge/model.json") {
      // Announces more than a model.json may be; the client must refuse before reading.
      response.writeHead(200, { "content-length": String(MAX_MODEL_JSON_BYTES + 1) });
      response.write("{");
      return;
    }
    if (url.pathname === "/huge-shard/huge.bin") {
      response.writeHead(200, { "content-length": String(MAX_WEIGHT_BYTES + 1) });
      response.write("x");
      return;
    }
    if (url.pathname === "/short/short.bin") {
      // Announces 100 bytes, sends 10 and hangs up.
      response.writeHead(200, { "content-length": "100" });
      response.write(Buffer.alloc(10));
      setTimeout(() => response.socket?.destroy(), 20);
      return;
    }
    const file = join(dir, decodeURIComponent(url.pathname));
    import("node:fs/promises")
      .then((fs) => fs.readFile(file))
      .then(
        (data) => {
          // The first shard comes last, so the join order is the manifest's, not the arrival order.
          const delay = url.pathname.endsWith("group1-shard1of2.bin") ? 60 : 0;
          setTimeout(() => response.writeHead(200, { "content-length": data.length }).end(data), delay);
        },
        () => response.writeHead(404, "Not Found").end("no such file"),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

function expectModel(result: Awaited<ReturnType<typeof fetchModelJson>>, url: string): void {
  expect(result.url).toBe(url);
  expect(result.json).toEqual(MODEL_JSON);
  expect(result.weightSpecs).toEqual(SPECS);
  expect(result.weightData).toBeInstanceOf(ArrayBuffer);
  expect(new Uint8Array(result.weightData)).toEqual(EXPECTED);
}

describe("fetchModelJson: sources", () => {
  it("reads model.json over http and its shards relative to it, joined in manifest order", async () => {
    requests.length = 0;
    const url = `${base}/model/model.json`;
    expectModel(await fetchModelJson(url, OP), url);
    expect(requests[0]).toBe("/model/model.json");
    expect(requests.slice(1).sort()).toEqual(
      ["/model/group1-shard1of2.bin", "/model/group1-shard2of2.bin", "/model/more/group2-shard1of1.bin"].sort(),
    );
  });

  it("takes a URL object, and carries model.json's query string to the shards (as tfjs does)", async () => {
    requests.length = 0;
    const url = new URL(`${base}/model/model.json?v=3`);
    expectModel(await fetchModelJson(url, OP), url.href);
    expect(requests.filter((path) => path.endsWith(".bin?v=3"))).toHaveLength(3);
  });

  it("reads a file: URL", async () => {
    const url = pathToFileURL(join(dir, "model/model.json"));
    expectModel(await fetchModelJson(url.href, OP), url.href);
    expectModel(await fetchModelJson(url, OP), url.href);
  });

  it("reads an absolute path and a path relative to process.cwd()", async () => {
    const path = join(dir, "model/model.json");
    const url = pathToFileURL(path).href;
    expectModel(await fetchModelJson(path, OP), url);
    const rel = relative(process.cwd(), path);
    expect(rel.startsWith("/")).toBe(false);
    expectModel(await fetchModelJson(rel, OP), url);
  });

  it("uses options.fetch for every request when given, with options.requestInit", async () => {
    const seen: string[] = [];
    const init = { headers: { "x-test": "1" } };
    const fetchSpy: typeof fetch = (input, requestInit) => {
      seen.push(String(input));
      expect(requestInit).toBe(init);
      return fetch(input, requestInit);
    };
    const url = `${base}/model/model.json`;
    expectModel(await fetchModelJson(url, OP, { fetch: fetchSpy, requestInit: init }), url);
    expect(seen).toHaveLength(4);
    expect(seen[0]).toBe(url);
  });

  it("reports progress after each weight file", async () => {
    const fractions: number[] = [];
    await fetchModelJson(`${base}/model/model.json`, OP, { onProgress: (f) => fractions.push(f) });
    expect(fractions).toEqual([1 / 3, 2 / 3, 1]);
  });

  it("a model.json without weightsManifest has no weights; a polluted Object.prototype adds none", async () => {
    await write("noweights/model.json", JSON.stringify({ modelTopology: { node: [] } }));
    const proto = Object.prototype as Record<string, unknown>;
    proto.weightsManifest = [{ paths: ["../model/group1-shard1of2.bin"], weights: SPECS }];
    try {
      const result = await fetchModelJson(join(dir, "noweights/model.json"), OP);
      expect(result.weightSpecs).toEqual([]);
      expect(result.weightData.byteLength).toBe(0);
    } finally {
      delete proto.weightsManifest;
    }
  });

  // nsfwjs ships its models as .min.js modules, not model.json and .bin files: nothing to read there.
  const nsfw = "node_modules/nsfwjs/dist/models/mobilenet_v2/model.json";
  it.skipIf(!existsSync(nsfw))("reads the nsfwjs model files when they exist as files", async () => {
    const result = await fetchModelJson(nsfw, "loadLayersModel");
    expect(result.weightSpecs.length).toBeGreaterThan(0);
  });
});

describe("fetchModelJson: errors", () => {
  it("an HTTP error names the URL and the status", async () => {
    const url = `${base}/nothing/model.json`;
    const error = await caught(fetchModelJson(url, OP));
    expect(error.message).toBe(`${OP}: fetching ${url} failed: 404 Not Found`);
    const shard = `${base}/missing-shard/gone.bin`;
    expect((await caught(fetchModelJson(`${base}/missing-shard/model.json`, OP))).message).toBe(
      `${OP}: fetching ${shard} failed: 404 Not Found`,
    );
  });

  it("a missing file names its URL", async () => {
    const path = join(dir, "nothing/model.json");
    const error = await caught(fetchModelJson(path, OP));
    expect(error.message).toContain(`${OP}: reading ${pathToFileURL(path).href} failed (ENOENT`);
    const shard = pathToFileURL(join(dir, "missing-shard/gone.bin")).href;
    expect((await caught(fetchModelJson(join(dir, "missing-shard/model.json"), OP))).message).toContain(
      `reading ${shard} failed (ENOENT`,
    );
  });

  it("a directory is not read", async () => {
    const error = await caught(fetchBytes(join(dir, "model"), OP));
    expect(error.message).toMatch(/it is not a regular file/);
  });

  it("a network failure names the URL and the reason", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/model.json`;
    await new Promise((resolve) => closed.close(resolve));
    const error = await caught(fetchModelJson(url, OP));
    expect(error.message).toMatch(
      new RegExp(`^${OP}: fetching ${url.replace(/[.]/g, "\\.")} failed \\(.*ECONNREFUSED`),
    );
  });

  it("a body shorter than its Content-Length (the server hung up) names the URL", async () => {
    const error = await caught(fetchModelJson(`${base}/short/model.json`, OP));
    expect(error.message).toContain(`${OP}: reading ${base}/short/short.bin failed after 10 bytes`);
  });

  it("JSON that does not parse is a TypeError naming the URL", async () => {
    const url = `${base}/notjson/model.json`;
    const error = await caught(fetchModelJson(url, OP));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(new RegExp(`^${OP}: ${url.replace(/[.]/g, "\\.")} is not JSON`));
  });

  it("a Content-Length over the limits is refused before the body is read", async () => {
    const json = await caught(fetchModelJson(`${base}/huge/model.json`, OP));
    expect(json).toBeInstanceOf(RangeError);
    expect(json.message).toBe(
      `${OP}: ${base}/huge/model.json is larger than 64 MiB (at least ${MAX_MODEL_JSON_BYTES + 1} bytes); ` +
        "a model.json may be at most 64 MiB",
    );
    const shards = await caught(fetchModelJson(`${base}/huge-shard/model.json`, OP));
    expect(shards).toBeInstanceOf(RangeError);
    expect(shards.message).toContain(`the weight files of ${base}/huge-shard/model.json are larger than 4 GiB`);
    expect(shards.message).toContain(`reached at ${base}/huge-shard/huge.bin`);
  });

  it("a file over the limits is refused by its size, before it is read", async () => {
    // Sparse files: nothing is written, nothing is allocated.
    await write("big/model.json", "");
    await truncate(join(dir, "big/model.json"), MAX_MODEL_JSON_BYTES + 1);
    const json = await caught(fetchModelJson(join(dir, "big/model.json"), OP));
    expect(json).toBeInstanceOf(RangeError);
    expect(json.message).toContain(`${pathToFileURL(join(dir, "big/model.json")).href} is larger than 64 MiB`);
    await write("big/model.tflite", "");
    await truncate(join(dir, "big/model.tflite"), MAX_WEIGHT_BYTES + 1);
    const file = await caught(fetchBytes(join(dir, "big/model.tflite"), "loadTFLiteModel"));
    expect(file).toBeInstanceOf(RangeError);
    expect(file.message).toBe(
      `loadTFLiteModel: ${pathToFileURL(join(dir, "big/model.tflite")).href} is larger than 4 GiB ` +
        `(at least ${MAX_WEIGHT_BYTES + 1} bytes); a model must fit in WebAssembly memory`,
    );
  });

  it("a body with no Content-Length is counted as it arrives and stopped at the limit", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    const endless: typeof fetch = async () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            pulled++;
            controller.enqueue(chunk);
          },
        }),
      );
    const error = await caught(fetchModelJson("https://example.invalid/model.json", OP, { fetch: endless }));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^loadGraphModel: https:\/\/example\.invalid\/model\.json is larger than 64 MiB/);
    expect(pulled).toBeLessThanOrEqual(64 + 2);
  });

  it("a shard path to another origin is refused", async () => {
    for (const path of ["https://elsewhere.example/x.bin", "//elsewhere.example/x.bin", "file:///etc/passwd"]) {
      const json = { modelTopology: {}, weightsManifest: [{ paths: ["ok.bin", path], weights: [] }] };
      const fetchJson: typeof fetch = async () => new Response(JSON.stringify(json));
      const url = "https://models.example/m/model.json";
      const error = await caught(fetchModelJson(url, OP, { fetch: fetchJson }));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toContain(
        `${OP}: ${url} weightsManifest[0].paths[1] (${JSON.stringify(path)}) resolves to`,
      );
      expect(error.message).toContain("outside the origin of model.json (https://models.example)");
    }
    // "/" and "../" stay on the origin and resolve as URLs do.
    const seen: string[] = [];
    const json = { modelTopology: {}, weightsManifest: [{ paths: ["/root.bin", "../up.bin"], weights: [] }] };
    const record: typeof fetch = async (input) => {
      seen.push(String(input));
      return new Response(seen.length === 1 ? JSON.stringify(json) : new Uint8Array(1));
    };
    await fetchModelJson("https://models.example/m/n/model.json", OP, { fetch: record });
    expect(seen.slice(1).sort()).toEqual(["https://models.example/m/up.bin", "https://models.example/root.bin"]);
  });

  it("a malformed model.json or weightsManifest is a TypeError naming the field", async () => {
    const url = "https://models.example/model.json";
    const cases: [unknown, string][] = [
      [[1, 2], `${url} ([1, 2]) must be a model.json object`],
      [{ weightsManifest: [] }, "modelTopology (undefined) must be an object"],
      [
        { modelTopology: {}, weightsManifest: {} },
        "weightsManifest (an object) must be an array of { paths, weights }",
      ],
      [{ modelTopology: {}, weightsManifest: [null] }, "weightsManifest[0] (null) must be an object"],
      [
        { modelTopology: {}, weightsManifest: [{ weights: [] }] },
        "weightsManifest[0].paths (undefined) must be an array",
      ],
      [
        { modelTopology: {}, weightsManifest: [{ paths: [] }] },
        "weightsManifest[0].weights (undefined) must be an array",
      ],
      [{ modelTopology: {}, weightsManifest: [{ paths: ["a", 7], weights: [] }] }, "weightsManifest[0].paths[1] (7)"],
      [{ modelTopology: {}, weightsManifest: [{ paths: [""], weights: [] }] }, 'weightsManifest[0].paths[0] ("")'],
    ];
    for (const [json, message] of cases) {
      const text = JSON.stringify(json);
      const error = await caught(fetchModelJson(url, OP, { fetch: async () => new Response(text) }));
      expect(error, text).toBeInstanceOf(TypeError);
      expect(error.message, text).toContain(message);
    }
    // "__proto__" from JSON.parse is an own field; paths beneath it are not the group's.
    const proto = '{"modelTopology": {}, "weightsManifest": [{"__proto__": {"paths": ["a.bin"], "weights": []}}]}';
    const error = await caught(fetchModelJson(url, OP, { fetch: async () => new Response(proto) }));
    expect(error.message).toContain("weightsManifest[0].paths (undefined) must be an array");
  });

  it("bad arguments are TypeErrors naming the argument, the value and what was expected", async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [() => fetchModelJson(42 as never, OP), `${OP}: url (42) must be a URL (a string or URL object) or`],
      [() => fetchModelJson("", OP), `${OP}: url ("") must be a URL`],
      [() => fetchModelJson("http://[::1/model.json", OP), `${OP}: url ("http://[::1/model.json") must be a valid URL`],
      [() => fetchModelJson("m.json", OP, null as never), `${OP}: options (null) must be an object`],
      [() => fetchModelJson("m.json", OP, { fetch: "x" as never }), `${OP}: options.fetch ("x") must be a function`],
      [
        () => fetchModelJson("m.json", OP, { requestInit: 1 as never }),
        `${OP}: options.requestInit (1) must be an object`,
      ],
      [
        () => fetchModelJson("m.json", OP, { onProgress: 1 as never }),
        `${OP}: options.onProgress (1) must be a function`,
      ],
      [() => fetchBytes({} as never, OP), `${OP}: url (an object) must be a URL`],
    ];
    for (const [call, message] of cases) {
      const error = await caught(call());
      expect(error, message).toBeInstanceOf(TypeError);
      expect(error.message).toContain(message);
    }
    const notResponse = await caught(fetchModelJson("https://x.example/m.json", OP, { fetch: async () => 5 as never }));
    expect(notResponse.message).toBe(
      `${OP}: options.fetch returned 5 for https://x.example/m.json; expected a Response`,
    );
  });
});

describe("fetchBytes", () => {
  const TFLITE = [0x18, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33];

  it("reads one file over http, from a file: URL, an absolute and a relative path", async () => {
    const path = join(dir, "model.tflite");
    for (const source of [`${base}/model.tflite`, pathToFileURL(path), path, relative(process.cwd(), path)]) {
      const bytes = await fetchBytes(source, "loadTFLiteModel");
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect([...bytes]).toEqual(TFLITE);
    }
  });

  it("an HTTP error names the URL and the status", async () => {
    const error = await caught(fetchBytes(`${base}/nothing.tflite`, "loadTFLiteModel"));
    expect(error.message).toBe(`loadTFLiteModel: fetching ${base}/nothing.tflite failed: 404 Not Found`);
  });

  it("uses options.fetch when given", async () => {
    let calls = 0;
    const custom: typeof fetch = async () => {
      calls++;
      return new Response(new Uint8Array([1, 2, 3]));
    };
    expect([...(await fetchBytes("https://x.example/m.tflite", "loadTFLiteModel", { fetch: custom }))]).toEqual([
      1, 2, 3,
    ]);
    expect(calls).toBe(1);
  });
});
