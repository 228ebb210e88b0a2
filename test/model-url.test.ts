// loadLayersModel(url) / loadGraphModel(url): model.json and its weight files read over HTTP
// (a local server), from a file: URL and from a path, giving the model the artifacts give.

import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nsfwjsArtifacts } from "../bench/nsfwjs-model.mjs";
import { init, loadGraphModel, loadLayersModel } from "../src/index.js";
import { randomTensor, rng } from "./helpers.js";

let dir: string;
let server: Server;
let base: string;
const x = randomTensor(rng(4), [1, 224, 224, 3]);

/** Writes a model as model.json + two weight files, the second in a subdirectory. */
async function writeModel(name: string, which: "mobilenet_v2" | "mobilenet_v2_mid", format: string) {
  const a = nsfwjsArtifacts(which);
  const bytes = new Uint8Array(a.weightData);
  const half = Math.floor(bytes.length / 2);
  await import("node:fs/promises").then((fs) => fs.mkdir(path.join(dir, name, "shards"), { recursive: true }));
  await writeFile(path.join(dir, name, "w1.bin"), bytes.subarray(0, half));
  await writeFile(path.join(dir, name, "shards", "w2.bin"), bytes.subarray(half));
  const json = {
    format,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ["w1.bin", "shards/w2.bin"], weights: a.weightSpecs }],
  };
  await writeFile(path.join(dir, name, "model.json"), JSON.stringify(json));
  return a;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sepconv-url-"));
  await writeModel("layers", "mobilenet_v2", "layers-model");
  await writeModel("graph", "mobilenet_v2_mid", "graph-model");
  server = createServer(async (req, res) => {
    try {
      const file = path.join(dir, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
      res.end(await readFile(file));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  await init();
});

afterAll(() => server?.close());

describe("loading from a URL or path", () => {
  it("a layers model over HTTP, from a file: URL and from a path equals the one from artifacts", async () => {
    const want = loadLayersModel(nsfwjsArtifacts("mobilenet_v2")).predict(x);
    const sources = [
      `${base}/layers/model.json`,
      pathToFileURL(path.join(dir, "layers", "model.json")),
      path.join(dir, "layers", "model.json"),
    ];
    for (const source of sources) {
      const model = await loadLayersModel(source);
      expect(model.predict(x).data, String(source)).toEqual(want.data);
      model.dispose();
    }
  });

  it("a graph model over HTTP with fusion and onProgress equals the one from artifacts", async () => {
    const want = loadGraphModel(nsfwjsArtifacts("mobilenet_v2_mid"), { fusion: "none" }).predict(x);
    const progress: number[] = [];
    const model = await loadGraphModel(`${base}/graph/model.json`, {
      fusion: "none",
      onProgress: (f) => progress.push(f),
    });
    expect(model.describe().some((d) => d.kind === "chain")).toBe(false);
    expect(model.predict(x).data).toEqual(want.data);
    expect(progress).toEqual([0.5, 1]);
  });

  it("the wrong loader, a missing file and a bad option are rejected with the reason", async () => {
    await expect(loadLayersModel(`${base}/graph/model.json`)).rejects.toThrow(
      /^loadLayersModel: http:\/\/127\.0\.0\.1:\d+\/graph\/model\.json has format "graph-model", not "layers-model": load it with loadGraphModel/,
    );
    await expect(loadGraphModel(`${base}/nothing/model.json`)).rejects.toThrow(
      /loadGraphModel: fetching .*nothing\/model\.json failed: 404/,
    );
    await expect(loadGraphModel(`${base}/graph/model.json`, { batch: 1 } as object)).rejects.toThrow(
      /loadGraphModel: options\.batch is not an option \(expected fusion, fetch, requestInit, onProgress\)/,
    );
    expect(() => loadGraphModel(nsfwjsArtifacts("mobilenet_v2_mid"), { fetch } as object)).toThrow(
      /options\.fetch is not an option \(expected fusion; fetch options apply to a URL\)/,
    );
  });
});
