// Timing for the demo and the benchmarks: warm up, then repeat until both a minimum number
// of runs and a minimum time are reached; report the median and the minimum in ms.

/** @returns {{ median: number, min: number, runs: number }} */
export function measure(fn, { warmup = 2, minRuns = 5, minTimeMs = 300, maxRuns = 1000 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  const start = performance.now();
  while (times.length < maxRuns && (times.length < minRuns || performance.now() - start < minTimeMs)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], min: times[0], runs: times.length };
}

/** Formats a table of rows (arrays of cells) with a header, right-aligning numbers. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  return [line(all[0]), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n");
}

export const fmt = {
  int: (n) => Math.round(n).toLocaleString("en-US"),
  ms: (n) => (n < 1 ? n.toFixed(3) : n < 100 ? n.toFixed(2) : n.toFixed(0)),
  x: (n) => `${n >= 10 ? n.toFixed(0) : n.toFixed(1)}x`,
};
