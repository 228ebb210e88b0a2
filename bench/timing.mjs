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

/**
 * Times fn repeatedly until at least `runs` runs and `timeMs` ms are reached (at most maxRuns);
 * appends each run's ms to `into`. fn may return a promise (awaited inside the timed span).
 */
export async function sample(fn, { runs = 1, timeMs = 0, maxRuns = 1000, async = false }, into = []) {
  const start = performance.now();
  let n = 0;
  while (n < maxRuns && (n < runs || performance.now() - start < timeMs)) {
    const t0 = performance.now();
    if (async) await fn();
    else fn();
    into.push(performance.now() - t0);
    n++;
  }
  return into;
}

/** Median, minimum and count of a list of run times. */
export function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], runs: sorted.length };
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
  /** A ratio with 2 decimals below 10 (1.23x), 1 below 100 (12.3x), none above (140x). */
  x2: (n) => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)}x` : ""),
};
