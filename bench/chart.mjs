// The speedup chart (bench/results/speedup.svg), hand-written SVG with no dependencies: per case,
// one horizontal bar per peer from the 1x line to peer time / sepconv time on a log2 axis, so
// bars to the right mean sepconv is faster. One panel per model, cases grouped by category.
import { CATEGORIES, describe } from "./cases.mjs";
import { machineLine } from "./report.mjs";

const COLORS = { "tfjs-wasm": "#3b6fb6", ort: "#e0822b", "tfjs-cpu": "#6a9f58", js: "#9b6bb5" };
const LABEL_W = 200; // case labels
const PLOT_W = 340; // the log axis
const VALUE_W = 52; // room for the value right of the longest bar
const PANEL_W = LABEL_W + PLOT_W + VALUE_W;
const BAR_H = 7;
const HEADER_H = 22; // category heading
const TOP = 118; // title, subtitle, machine, legend, model heading, axis labels

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const ratioText = (r) => `${r.toFixed(r < 10 ? 2 : 1)}×`;

/**
 * @param {object} run a benchmark run (bench/bench.mjs)
 * @param {{ against?: string[] }} options the peers to draw (default tfjs-wasm and ort)
 * @returns {string} the SVG document
 */
export function speedupChart(run, { against = ["tfjs-wasm", "ort"] } = {}) {
  const peers = against.filter((k) => run.peers.some((p) => p.key === k));
  const hasOurs = run.peers.some((p) => p.key === run.ours);
  if (!hasOurs || !peers.length) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40"><text x="10" y="25" font-family="sans-serif" font-size="13">No ${esc(run.ours)} vs ${esc(against.join("/"))} data in this run.</text></svg>\n`;
  }
  const ratio = (r, key) => r.times[key].median / r.times[run.ours].median;
  const all = run.results.flatMap((r) => peers.map((k) => ratio(r, k)));
  const lo = Math.min(0.5, 2 ** Math.floor(Math.log2(Math.min(...all)) - 0.5));
  const hi = Math.max(4, 2 ** Math.ceil(Math.log2(Math.max(...all)) + 0.6));
  const x = (r) => LABEL_W + (PLOT_W * (Math.log2(r) - Math.log2(lo))) / (Math.log2(hi) - Math.log2(lo));
  const rowH = peers.length * (BAR_H + 1) + 5;

  const models = [...new Set(run.results.map((r) => r.model))];
  const panels = models.map((model) => {
    const rows = [];
    for (const category of CATEGORIES) {
      const rs = run.results.filter((r) => r.model === model && r.category === category);
      if (rs.length) rows.push({ heading: `${category} (${rs.length})` }, ...rs.map((r) => ({ r })));
    }
    return { model, rows, height: rows.reduce((h, row) => h + (row.heading ? HEADER_H : rowH), 0) };
  });
  const width = Math.max(1000, 20 + panels.length * (PANEL_W + 20));
  const height = TOP + Math.max(...panels.map((p) => p.height)) + 34;

  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="20" y="24" font-size="16" font-weight="bold">Speedup of sepconv (${esc(run.ours.replace("sepconv-", ""))} build) per MobileNet layer: peer time / sepconv time</text>`,
    `<text x="20" y="42" fill="#444">Log scale; right of the 1× line = sepconv faster. Median ms, one thread, batch 1, NHWC float32, bias + relu6; outputs cross-checked (≠ marks a mismatch).</text>`,
    `<text x="20" y="58" fill="#666">${esc(machineLine(run))}</text>`,
  );
  let lx = 20;
  for (const key of peers) {
    const name = run.peers.find((p) => p.key === key).name;
    out.push(
      `<rect x="${lx}" y="67" width="14" height="10" fill="${COLORS[key] ?? "#888"}"/>`,
      `<text x="${lx + 19}" y="76">vs ${esc(name)}</text>`,
    );
    lx += 30 + name.length * 6.5;
  }

  panels.forEach((panel, i) => {
    const ox = 20 + i * (PANEL_W + 20);
    const plotTop = TOP - 6;
    const plotBottom = TOP + panel.height;
    out.push(`<g transform="translate(${ox},0)">`);
    out.push(`<text x="0" y="${TOP - 24}" font-size="13" font-weight="bold">${esc(panel.model)}</text>`);
    for (let e = Math.log2(lo); e <= Math.log2(hi) + 1e-9; e++) {
      const v = 2 ** e;
      const gx = x(v).toFixed(1);
      const one = e === 0;
      out.push(
        `<line x1="${gx}" y1="${plotTop}" x2="${gx}" y2="${plotBottom}" stroke="${one ? "#222" : "#ddd"}" stroke-width="${one ? 1.5 : 1}"/>`,
      );
      const label = v >= 1 ? `${v}×` : `${v.toFixed(v >= 0.25 ? 2 : 3).replace(/0+$/, "")}×`;
      for (const y of [TOP - 9, plotBottom + 13])
        out.push(`<text x="${gx}" y="${y}" text-anchor="middle" fill="#444">${label}</text>`);
    }
    let y = TOP;
    for (const row of panel.rows) {
      if (row.heading) {
        out.push(`<text x="0" y="${y + 15}" font-weight="bold" fill="#333">${esc(row.heading)}</text>`);
        y += HEADER_H;
        continue;
      }
      const { r } = row;
      out.push(`<text x="${LABEL_W - 6}" y="${y + rowH / 2 + 3}" text-anchor="end">${esc(describe(r.layer))}</text>`);
      peers.forEach((key, j) => {
        const v = ratio(r, key);
        const by = y + 2 + j * (BAR_H + 1);
        const x0 = x(Math.min(1, v));
        const x1 = x(Math.max(1, v));
        const bad = r.check[key] < run.options.tolerance ? "" : " ≠";
        out.push(
          `<rect x="${x0.toFixed(1)}" y="${by}" width="${Math.max(x1 - x0, 1).toFixed(1)}" height="${BAR_H}" fill="${COLORS[key] ?? "#888"}"><title>${esc(`${r.id} vs ${key}: ${ratioText(v)}`)}</title></rect>`,
        );
        const tx = v >= 1 ? x1 + 3 : x0 - 3;
        out.push(
          `<text x="${tx.toFixed(1)}" y="${by + BAR_H}" font-size="9" fill="#333" text-anchor="${v >= 1 ? "start" : "end"}">${ratioText(v)}${bad}</text>`,
        );
      });
      y += rowH;
    }
    out.push("</g>");
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
