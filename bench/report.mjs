// Turns a benchmark run (bench/bench.mjs) into sums per category, a markdown report and a short
// console summary. Ratios are peer time / sepconv time: above 1 means sepconv is faster.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CATEGORIES, describe } from "./cases.mjs";
import { fmt, table } from "./timing.mjs";

const gflops = (macs, ms) => (2 * macs) / ms / 1e6;
const pct = (f) => `${Math.round(f * 100)}%`;
const shortModel = (model) => model.replace(/^mobilenet_/, "").replace(/_224$/, "");

/** The wasm peak a sepconv build is measured against (scalar and js have none). */
function peakOf(run, key) {
  const build = key.replace(/^sepconv-/, "");
  return run.peak?.[build]?.gflops;
}

/**
 * Sums of median (and minimum) ms per model and category, per peer; GFLOP/s of the sums;
 * ratios to sepconv's baseline build; sepconv builds' fraction of the wasm peak.
 */
export function summarize(run) {
  const sums = [];
  for (const model of [...new Set(run.results.map((r) => r.model))]) {
    for (const category of CATEGORIES) {
      const rs = run.results.filter((r) => r.model === model && r.category === category);
      if (!rs.length) continue;
      const macs = rs.reduce((s, r) => s + r.macs, 0);
      const entry = { model, category, cases: rs.length, macs, ms: {}, minMs: {}, gflops: {}, speedup: {}, ofPeak: {} };
      for (const { key } of run.peers) {
        entry.ms[key] = rs.reduce((s, r) => s + r.times[key].median, 0);
        entry.minMs[key] = rs.reduce((s, r) => s + r.times[key].min, 0);
        entry.gflops[key] = gflops(macs, entry.ms[key]);
        const peak = peakOf(run, key);
        if (peak) entry.ofPeak[key] = entry.gflops[key] / peak;
      }
      if (entry.ms[run.ours])
        for (const { key } of run.peers) if (key !== run.ours) entry.speedup[key] = entry.ms[key] / entry.ms[run.ours];
      sums.push(entry);
    }
  }
  return sums;
}

/** A markdown table with padded columns (as Prettier lays them out). */
export function markdown(header, rows, align = header.map((_, i) => (i ? "right" : "left"))) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => r[i].length)));
  const cell = (text, i) => (align[i] === "right" ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const line = (r) => `| ${r.map(cell).join(" | ")} |`;
  const rule = widths.map((w, i) => (align[i] === "right" ? `${"-".repeat(w - 1)}:` : "-".repeat(w)));
  return [line(all[0]), `| ${rule.join(" | ")} |`, ...all.slice(1).map(line)].join("\n");
}

const others = (run) => run.peers.filter((p) => p.key !== run.ours);
const hasOurs = (run) => run.peers.some((p) => p.key === run.ours);

/**
 * The sums-per-category table. Full: every peer's ms, then the ratios. Compact (the README):
 * sepconv's ms, GFLOP/s and share of the peak, then per other peer "ms (ratio)".
 */
export function sumsTable(run, { compact = false } = {}) {
  const withOurs = hasOurs(run);
  const ours = withOurs ? [`${run.ours} GFLOP/s`, "of peak"] : [];
  const oursCells = (s) =>
    withOurs ? [s.gflops[run.ours].toFixed(1), s.ofPeak[run.ours] ? pct(s.ofPeak[run.ours]) : ""] : [];
  const header =
    compact && withOurs
      ? ["model", "category (cases)", `${run.ours} ms`, ...ours, ...others(run).map((p) => `${p.key} ms (ratio)`)]
      : [
          "model",
          "category (cases)",
          ...run.peers.map((p) => `${p.key} ms`),
          ...ours,
          ...(withOurs ? others(run).map((p) => `vs ${p.key}`) : []),
        ];
  const rows = run.sums.map((s) =>
    compact && withOurs
      ? [
          shortModel(s.model),
          `${s.category} (${s.cases})`,
          fmt.ms(s.ms[run.ours]),
          ...oursCells(s),
          ...others(run).map((p) => `${fmt.ms(s.ms[p.key])} (${fmt.x2(s.speedup[p.key])})`),
        ]
      : [
          shortModel(s.model),
          `${s.category} (${s.cases})`,
          ...run.peers.map((p) => fmt.ms(s.ms[p.key])),
          ...oursCells(s),
          ...(withOurs ? others(run).map((p) => fmt.x2(s.speedup[p.key])) : []),
        ],
  );
  return markdown(
    header,
    rows,
    header.map((_, i) => (i < 2 ? "left" : "right")),
  );
}

/**
 * The kernel targets set for the first releases (MobileNet v1 sums unless noted), measured against this run:
 * [target, measured, "yes" | "no" | "n/a"].
 */
export function targetRows(run) {
  const rows = [];
  const has = (key) => run.peers.some((p) => p.key === key);
  const pick = (model, pred) => run.results.filter((r) => r.model.includes(model) && pred(r));
  const sum = (rs, key) => rs.reduce((t, r) => t + r.times[key].median, 0);
  const gf = (rs) =>
    gflops(
      rs.reduce((t, r) => t + r.macs, 0),
      sum(rs, run.ours),
    );
  const ratio = (rs, key) => sum(rs, key) / sum(rs, run.ours);
  const add = (label, rs, measure, goal, unit) => {
    if (!rs.length) return;
    const value = measure(rs);
    if (value === undefined) return;
    const text = unit === "x" ? fmt.x2(value) : `${value.toFixed(1)} ${unit}`;
    rows.push([label, text, value >= goal ? "yes" : "no"]);
  };
  if (!has(run.ours)) return rows;
  const vs = (key) => (rs) => (has(key) ? ratio(rs, key) : undefined);
  const pw = pick("v1", (r) => r.layer.op === "pw" && r.layer.cin >= 32 && r.layer.cout >= 32);
  const dwBig = pick("v1", (r) => r.layer.op === "dw" && r.layer.k === 3 && r.layer.h >= 14);
  const dwSmall = pick("v1", (r) => r.layer.op === "dw" && r.layer.k === 3 && r.layer.h < 14);
  const dw = pick("v1", (r) => r.layer.op === "dw");
  const sep = pick("v1", (r) => r.layer.op === "sep");
  add("v1 pointwise (Cin, Cout ≥ 32) ≥ 45 GFLOP/s", pw, gf, 45, "GFLOP/s");
  add("v1 pointwise ≥ 1.2x tfjs-wasm", pw, vs("tfjs-wasm"), 1.2, "x");
  add("v1 depthwise 3x3 on 14x14 and larger ≥ 30 GFLOP/s", dwBig, gf, 30, "GFLOP/s");
  add("v1 depthwise 3x3 on 7x7 ≥ 20 GFLOP/s", dwSmall, gf, 20, "GFLOP/s");
  add("v1 depthwise ≥ 2.5x tfjs-wasm", dw, vs("tfjs-wasm"), 2.5, "x");
  add("v1 separable blocks ≥ 1.5x tfjs-wasm (fused dw + conv pair)", sep, vs("tfjs-wasm"), 1.5, "x");
  for (const [name, rs] of [
    ["depthwise", dw],
    ["pointwise", pw],
    ["separable blocks", sep],
  ]) {
    add(`v1 ${name} ≥ 1.5x onnxruntime-web`, rs, vs("ort"), 1.5, "x");
    add(`v1 ${name} ≥ 30x plain JS`, rs, vs("js"), 30, "x");
  }
  add(
    "v2 pointwise (expand + project) ≥ 1.2x tfjs-wasm",
    pick("v2", (r) => r.layer.op === "pw"),
    vs("tfjs-wasm"),
    1.2,
    "x",
  );
  if (run.ours === "sepconv-relaxed-simd" && has("sepconv-simd")) {
    const each = run.results.map((r) => r.times["sepconv-simd"].median / r.times[run.ours].median);
    const slower = each.filter((x) => x < 0.95).length;
    rows.push([
      "relaxed-simd no slower than simd on any case (simd / relaxed per case)",
      `worst ${fmt.x2(Math.min(...each))}; ${slower} of ${each.length} cases more than 5% slower`,
      slower ? "no" : "yes",
    ]);
  }
  if (run.coldStart?.sepconv) {
    const ms = run.coldStart.sepconv.median;
    rows.push(["cold start (import to first 56x56x128 block) ≤ 10 ms", `${ms.toFixed(1)} ms`, ms <= 10 ? "yes" : "no"]);
  }
  return rows;
}

/** One model's per-layer table: median / min ms per peer, GFLOP/s, ratios; ≠ marks a mismatch. */
function layerTable(run, model) {
  const withOurs = hasOurs(run);
  const peak = peakOf(run, run.ours);
  const header = [
    "case",
    "MMAC",
    ...run.peers.map((p) => `${p.key} ms median / min`),
    ...(withOurs ? ["GFLOP/s", ...(peak ? ["of peak"] : []), ...others(run).map((p) => `vs ${p.key}`)] : []),
  ];
  const rows = run.results
    .filter((r) => r.model === model)
    .map((r) => {
      const bad = (key) => (r.check[key] < run.options.tolerance ? "" : " ≠");
      const g = withOurs ? gflops(r.macs, r.times[run.ours].median) : 0;
      return [
        describe(r.layer),
        (r.macs / 1e6).toFixed(1),
        ...run.peers.map((p) => `${fmt.ms(r.times[p.key].median)} / ${fmt.ms(r.times[p.key].min)}${bad(p.key)}`),
        ...(withOurs
          ? [
              g.toFixed(1),
              ...(peak ? [pct(g / peak)] : []),
              ...others(run).map((p) => fmt.x2(r.times[p.key].median / r.times[run.ours].median)),
            ]
          : []),
      ];
    });
  return markdown(header, rows);
}

export function peakLine(run) {
  if (!run.peak) return "";
  const parts = Object.entries(run.peak).map(([build, p]) => `${build} ${p.gflops.toFixed(1)} GFLOP/s`);
  let line = `wasm peak of this machine (12 independent f32x4 multiply-add chains, one thread): ${parts.join(", ")}`;
  const fractions = run.sums
    .filter((s) => s.ofPeak[run.ours])
    .map((s) => `${shortModel(s.model)} ${s.category} ${pct(s.ofPeak[run.ours])}`);
  if (fractions.length) line += `; ${run.ours} reaches, as sums per category: ${fractions.join(", ")}`;
  return line;
}

export function machineLine(run) {
  const m = run.machine;
  return (
    `${m.cpu}, ${m.cores} cores, ${m.platform}, Node ${m.node} (V8 ${m.v8})` +
    `${m.flags.length ? ` ${m.flags.join(" ")}` : ""}, ${m.date.slice(0, 10)}; ` +
    `load average ${m.loadAverageAtStart.toFixed(1)} at start, ${m.loadAverageAtEnd.toFixed(1)} at end`
  );
}

export function coldStartTable(run) {
  if (!run.coldStart) return "";
  const header = ["library", "import ms", "ready ms", "first result ms (median)", "min", "processes", "vs sepconv"];
  const base = run.coldStart.sepconv?.median;
  const ready = { sepconv: "init()", "tfjs-wasm": "setBackend('wasm')", ort: "InferenceSession.create" };
  const rows = Object.entries(run.coldStart).map(([key, r]) => [
    key,
    r.importMs.toFixed(1),
    `${r.readyMs.toFixed(1)} (${ready[key]})`,
    r.median.toFixed(1),
    r.min.toFixed(1),
    String(r.runs),
    base ? fmt.x2(r.median / base) : "",
  ]);
  return markdown(header, rows, ["left", "right", "left", "right", "right", "right", "right"]);
}

export function sizeTable(run, { totalsOnly = false } = {}) {
  if (!run.sizes) return "";
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const rows = totalsOnly
    ? Object.entries(run.sizes.totals).map(([lib, t]) => {
        const files = run.sizes.files.filter((f) => f.total && f.library === lib);
        return [lib, files.map((f) => `\`${f.file.split("/").at(-1)}\``).join(" + "), kb(t.bytes), kb(t.gzip)];
      })
    : run.sizes.files.map((f) => [
        f.library,
        `\`${f.file.replace(/^node_modules\//, "")}\`${f.total ? " *" : ""}`,
        f.what,
        f.bytes.toLocaleString("en-US"),
        f.gzip.toLocaleString("en-US"),
      ]);
  const header = totalsOnly ? ["library", "files", "raw", "gzip -9"] : ["library", "file", "what", "bytes", "gzip -9"];
  return markdown(
    header,
    rows,
    header.map((_, i) => (i < header.length - 2 ? "left" : "right")),
  );
}

export function markdownReport(run) {
  const lines = [
    "# sepconv benchmark",
    "",
    machineLine(run),
    "",
    "One Node process, one thread, batch 1, NHWC float32, bias + relu6 on every conv (separable: on both stages). " +
      `Times are ms per run after warm-up, median / minimum: the fast peers take turns in ${run.options.burstMs} ms bursts ` +
      `until each has ${run.options.timeMs} ms of runs per case (so load from other processes hits them alike); ` +
      `the slow peers (js, tfjs-cpu, scalar) then get ${run.options.slowRounds} rounds of at least one run. ` +
      "GFLOP/s = 2 × multiply-adds / median time. " +
      `"vs X" = X's time / ${run.ours}'s time (above 1: sepconv faster). ` +
      `Every peer's output is checked against sepconv's (max |diff| / max |value| < ${run.options.tolerance}; ≠ marks a mismatch).` +
      (run.machine.GLIBC_TUNABLES
        ? ` Run with GLIBC_TUNABLES=${run.machine.GLIBC_TUNABLES} (freed memory kept, so the peers' per-run output allocations do not page-fault).`
        : ""),
    "",
    "Peers: " +
      run.peers.map((p) => `\`${p.key}\` ${p.name}${p.version ? ` ${p.version}` : ""}`).join("; ") +
      (run.unsupported.length ? `. Not supported here: ${run.unsupported.map((u) => u.build).join(", ")}` : "") +
      ".",
    "",
  ];
  if (run.peak) lines.push(`${peakLine(run)}.`, "");
  lines.push("## Sums per category", "", sumsTable(run), "");
  const targets = targetRows(run);
  if (targets.length)
    lines.push(
      "## Kernel targets",
      "",
      "Sums of median times over the cases named (GFLOP/s of the sum; ratio = peer's sum / sepconv's sum).",
      "",
      markdown(["target", "measured", "met"], targets, ["left", "right", "left"]),
      "",
    );
  if (run.mismatches.length) {
    lines.push("## Mismatches", "");
    for (const m of run.mismatches) lines.push(`- ${m.case} ${m.peer}: relative error ${m.error}`);
    lines.push("");
  }
  for (const model of [...new Set(run.results.map((r) => r.model))])
    lines.push(`## ${model}`, "", layerTable(run, model), "");
  const worst = run.peers.map(
    (p) => `${p.key} ${Math.max(...run.results.map((r) => r.check[p.key])).toExponential(1)}`,
  );
  lines.push(`Largest relative difference from sepconv's output, per peer: ${worst.join(", ")}.`, "");
  if (run.coldStart) {
    lines.push(
      "## Cold start",
      "",
      "A fresh `node --experimental-wasm-relaxed-simd` process per sample: time from before `import()` to the first " +
        "result of a 56x56x128 separable block (3x3 depthwise + 1x1 to 128, bias + relu6), " +
        "input and weights made before the clock starts.",
      "",
      coldStartTable(run),
      "",
    );
  }
  if (run.sizes) {
    lines.push(
      "## Shipped size",
      "",
      "Per library, what a page downloads to run these layers on the SIMD path (files marked * below):",
      "",
      sizeTable(run, { totalsOnly: true }),
      "",
      sizeTable(run),
      "",
    );
  }
  lines.push(`Run time: ${run.seconds.total} s (layers ${run.seconds.layers} s).`, "");
  return lines.join("\n");
}

/** The console's name for a peer: sepconv's builds without the "sepconv-" prefix (the legend says so). */
export const shortPeer = (key) => key.replace(/^sepconv-(?=(relaxed-simd|simd|scalar)$)/, "");

/** Text wrapped at `width` columns, for the console. */
function wrap(text, width = 120) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join("\n");
}

/**
 * What bench.mjs prints at the end, within ~120 columns: per category the baseline's summed
 * median ms and GFLOP/s, then one ratio column per other peer (every peer's ms is in latest.md).
 */
export function consoleSummary(run) {
  const withOurs = hasOurs(run);
  const rows = run.sums.map((s) => [
    `${shortModel(s.model)} ${s.category} (${s.cases})`,
    ...(withOurs
      ? [fmt.ms(s.ms[run.ours]), s.gflops[run.ours].toFixed(1), ...others(run).map((p) => fmt.x2(s.speedup[p.key]))]
      : run.peers.map((p) => fmt.ms(s.ms[p.key]))),
  ]);
  const header = withOurs
    ? ["category (cases)", `${shortPeer(run.ours)} ms`, "GFLOP/s", ...others(run).map((p) => shortPeer(p.key))]
    : ["category (cases)", ...run.peers.map((p) => `${shortPeer(p.key)} ms`)];
  const legend = [
    withOurs
      ? `Sums of median ms per category on ${run.ours} (the baseline) and its GFLOP/s; every other column is that ` +
        `peer's time / the baseline's time: above 1x the baseline is faster (2.00x: the peer takes twice as long), ` +
        "below 1x the peer is. Every peer's ms is in latest.md."
      : "Sums of median ms per category.",
    "relaxed-simd, simd, scalar: sepconv's builds, run in place on createTensor tensors; sepconv-copy: the build " +
      "init() picks, on plain Float32Arrays copied in and out each run; js: sepconv's plain-JS reference.",
    "Cases: v1/v2/v3_large are MobileNet v1/v2/v3-large at 224x224 (bench/models/*.txt); dwN, pwN, convN are " +
      "its Nth depthwise, pointwise and standard conv layers (v2, v3: bN_exp(and), bN_dw, bN_p(w|roject) of " +
      "block N); large_kernels are 7x7 depthwise layers of ConvNeXt-T and Inception-sized standard convs; " +
      "dw7+pw7 is a separable block, a depthwise layer and the pointwise layer after it.",
  ];
  const lines = [wrap(machineLine(run)), "", ...legend.map((l) => wrap(l)), "", table(header, rows)];
  if (run.peak) lines.push("", wrap(peakLine(run)));
  if (run.coldStart)
    lines.push(
      "",
      `cold start (median): ${Object.entries(run.coldStart)
        .map(([k, r]) => `${k} ${r.median.toFixed(1)} ms`)
        .join(", ")}`,
    );
  if (run.sizes)
    lines.push(
      `shipped (gzip): ${Object.entries(run.sizes.totals)
        .map(([k, t]) => `${k} ${(t.gzip / 1024).toFixed(1)} KiB`)
        .join(", ")}`,
    );
  return lines.join("\n");
}

/** The README's Benchmarks figures, from a run's JSON: node bench/report.mjs [latest.json] */
export function readmeSection(run) {
  return [
    `${machineLine(run)}.`,
    "",
    sumsTable(run, { compact: true }),
    "",
    `${peakLine(run)}.`,
    "",
    coldStartTable(run),
    "",
    sizeTable(run, { totalsOnly: true }),
    "",
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? fileURLToPath(new URL("./results/latest.json", import.meta.url));
  console.log(readmeSection(JSON.parse(readFileSync(file, "utf8"))));
}
