// A/B of two sepconv .wasm files on the benchmark cases, for kernel work: both loaded in one
// process (init({ wasm }) gives each its own instance), run in place (createTensor), in
// interleaved rounds so that load from other processes falls on both alike. Prints per case
// the median and minimum ms of each, the ratio A/B (above 1: B is faster), and whether the
// outputs are bit-identical. The machine drifts a lot: trust ratios, and repeat a run.
//
//   npm run build && cp dist/wasm/simd.wasm /tmp/a.wasm   # before the change
//   npm run build && node bench/ab.mjs /tmp/a.wasm dist/wasm/simd.wasm --only dw7,dw13,pw3
// Options: --model v1|v2, --only a,b (layer or block names), --rounds N (default 30).
// A relaxed-simd file needs node --experimental-wasm-relaxed-simd.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as sepconv from "../dist/index.js";
import { dataFor, describe, readCases } from "./cases.mjs";
import { createLayer } from "./peers/sepconv.mjs";
import { stats, table } from "./timing.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { model: { type: "string" }, only: { type: "string" }, rounds: { type: "string", default: "30" } },
});
if (positionals.length !== 2) throw new Error("usage: node bench/ab.mjs A.wasm B.wasm [--only dw1,pw3] [--model v1]");
const files = positionals.map((path) => readFileSync(path));
const rounds = Number(values.rounds);
const cases = readCases({ model: values.model, only: values.only?.split(",") });
if (!cases.length) throw new Error("no case matches --model/--only");

/** A prepared layer of the case on the instance `bytes` compiles to, with in-place x and out. */
async function setUp(c, data, bytes) {
  await sepconv.init({ wasm: bytes });
  const layer = createLayer(c, data);
  const x = sepconv.createTensor([1, c.layer.h, c.layer.w, c.layer.cin], data.x);
  const out = sepconv.createTensor(c.outShape);
  const run = () => layer.run(x, out);
  const dispose = () => {
    for (const owned of [layer, x, out]) owned.dispose();
  };
  return { run, out, dispose };
}

const rows = [];
for (const c of cases) {
  const data = dataFor(c);
  const sides = [];
  for (const bytes of files) sides.push(await setUp(c, data, bytes));
  // Warm up until both run optimised code (V8 tiers wasm up in the background), then time.
  for (const side of sides) for (let i = 0; i < 50; i++) side.run();
  const first = sides[0].out.data.slice();
  const second = sides[1].out.data;
  const identical = first.every((v, i) => Object.is(v, second[i]));
  const perRound = Math.max(1, Math.round(5e6 / (c.macs + 1)));
  const times = sides.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, side] of sides.entries()) {
      const t0 = performance.now();
      for (let k = 0; k < perRound; k++) side.run();
      times[i].push((performance.now() - t0) / perRound);
    }
  }
  const [a, b] = times.map(stats);
  rows.push([
    `${c.model.replace(/^mobilenet_/, "")} ${describe(c.layer)}`,
    `${a.median.toFixed(4)} / ${a.min.toFixed(4)}`,
    `${b.median.toFixed(4)} / ${b.min.toFixed(4)}`,
    `${(a.median / b.median).toFixed(3)}x`,
    identical ? "yes" : "no",
  ]);
  for (const side of sides) side.dispose();
}
console.log(table(["case", "A ms median / min", "B ms median / min", "A/B", "same bits"], rows));
