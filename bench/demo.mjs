// npm run demo: why depthwise separable convolution, in numbers. For two layers it prints the
// parameters and multiply-adds of a standard conv against the separable (depthwise + pointwise)
// version, and the time each takes in plain JS and in sepconv's wasm SIMD kernels.
import { backend, cost, createConv2d, createSeparableConv2d, init, reference } from "../dist/index.js";
import { fmt, measure, table } from "./timing.mjs";

function random(shape, seed) {
  let s = seed;
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return { data, shape };
}

function maxDiff(a, b) {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function compare(title, [h, w, c], k, cout, padding) {
  const x = random([1, h, w, c], 1);
  const standardFilter = random([k, k, c, cout], 2);
  const dwFilter = random([k, k, c, 1], 3);
  const pwFilter = random([c, cout], 4);
  const options = { padding };
  const costs = cost.compareSeparable(x.shape, k, cout, options);

  const conv = createConv2d(standardFilter, options);
  const sep = createSeparableConv2d(dwFilter, pwFilter, options);
  const convOut = { data: new Float32Array(conv.run(x).data.length), shape: conv.run(x).shape };
  const sepOut = { data: new Float32Array(sep.run(x).data.length), shape: sep.run(x).shape };
  const slow = { warmup: 1, minRuns: 3, minTimeMs: 200 };
  const times = {
    convJs: measure(() => reference.conv2d(x, standardFilter, options), slow).median,
    convWasm: measure(() => conv.run(x, convOut)).median,
    sepJs: measure(() => reference.separableConv2d(x, dwFilter, pwFilter, options), slow).median,
    sepWasm: measure(() => sep.run(x, sepOut)).median,
  };
  const check = Math.max(
    maxDiff(convOut.data, reference.conv2d(x, standardFilter, options).data),
    maxDiff(sepOut.data, reference.separableConv2d(x, dwFilter, pwFilter, options).data),
  );
  conv.dispose();
  sep.dispose();

  const { standard, separable } = costs;
  const base = times.convJs;
  const row = (name, c, ms) => [name, fmt.int(c.params), fmt.int(c.macs), fmt.ms(ms), fmt.x(base / ms)];
  console.log(`\n${title}: input ${h}x${w}x${c}, ${cout} filters ${k}x${k}, '${padding}'`);
  console.log(
    table(
      ["", "params", "multiply-adds", "ms (median)", "vs plain-JS standard"],
      [
        row("standard conv2d, plain JS", standard, times.convJs),
        row(`standard conv2d, wasm ${backend()}`, standard, times.convWasm),
        row("separable, plain JS", separable, times.sepJs),
        row(`separable, wasm ${backend()}`, separable, times.sepWasm),
      ],
    ),
  );
  const d = separable.depthwise;
  const p = separable.pointwise;
  console.log(
    `separable = depthwise ${fmt.int(d.params)} + pointwise ${fmt.int(p.params)} params, ` +
      `${fmt.int(d.macs)} + ${fmt.int(p.macs)} multiply-adds: ` +
      `${fmt.x(costs.paramRatio)} fewer params, ${fmt.x(costs.macRatio)} fewer multiply-adds. ` +
      `wasm vs plain JS: ${fmt.x(times.convJs / times.convWasm)} (standard), ${fmt.x(times.sepJs / times.sepWasm)} (separable). ` +
      `max |wasm - JS| = ${check.toExponential(1)}`,
  );
}

await init();
console.log(
  `sepconv demo (${backend()} build, ${typeof process !== "undefined" ? `Node ${process.versions.node}` : ""})`,
);
compare("The textbook example", [32, 32, 3], 3, 64, "valid");
compare("A MobileNet-sized layer", [112, 112, 32], 3, 64, "same");
