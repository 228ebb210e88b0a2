// Writes assembly/gemm/tiles.ts: the GEMM microkernels, one function per tile, from the one
// template below. The tiles differ only in how many rows (MR) and columns (NR) of accumulators
// they keep, which AssemblyScript cannot make a compile-time parameter of one function, and
// writing each by hand repeats the same 40 lines with different counts.
//
// Every tile reads the packing of ./pack.ts (panels of 8 columns: [bias x8][k=0 x8]...), so a
// layer's weights are packed once whatever tile runs them: a 16-column tile walks two adjacent
// panels together. Usage: node scripts/gen-gemm-tiles.mjs [--check]
// (--check exits 1 if the file on disk differs; test/codegen.test.ts runs it).
import { readFileSync, writeFileSync } from "node:fs";

const OUT = "assembly/gemm/tiles.ts";

/** The SIMD tiles (both SIMD builds; madd is FMA in relaxed-simd) and the scalar ones. */
export const SIMD_TILES = [
  { mr: 2, nr: 16 },
  { mr: 4, nr: 8 },
  { mr: 6, nr: 8 },
];
export const SCALAR_TILES = [{ mr: 2, nr: 4 }];

/** Per MR: the shorter tiles that take a remainder of rows, each up to `upTo` rows. */
const SHORTER = {
  4: [{ tile: "2x16", upTo: 2 }],
  6: [
    { tile: "2x16", upTo: 2 },
    { tile: "4x8", upTo: 4 },
  ],
};

const range = (n) => Array.from({ length: n }, (_, i) => i);
/** Indents every line of `lines` (each may hold several) by n spaces. */
const indent = (lines, n) =>
  lines
    .flatMap((l) => l.split("\n"))
    .map((l) => (l === "" ? l : " ".repeat(n) + l))
    .join("\n");

/** The k loop and stores of an MR x (8 * panels) SIMD tile over `panels` adjacent panels. */
function simdBody(mr, panels) {
  const vecs = range(panels * 2); // 4-float vectors per row
  const lines = [];
  lines.push(`let w0 = packed + <usize>p * panelBytes;`);
  if (panels === 2) lines.push(`let w1 = w0 + panelBytes;`);
  // Bias row of each panel starts every row's accumulators.
  for (const v of vecs) lines.push(`let c0_${v} = v128.load(w${v >> 1}, ${(v & 1) * 16});`);
  for (const r of range(mr).slice(1)) lines.push(`let ${vecs.map((v) => `c${r}_${v} = c0_${v}`).join(", ")};`);
  lines.push(`w0 += <usize>NR * F32;`);
  if (panels === 2) lines.push(`w1 += <usize>NR * F32;`);
  // One pointer per row: indexed addressing (row + k) needs general registers V8 lacks here.
  lines.push(
    `let ${range(mr)
      .map((r) => `a${r} = x${r}`)
      .join(", ")};`,
  );
  lines.push(`const end = w0 + <usize>depth * NR * F32;`);
  lines.push(`while (w0 < end) {`);
  const body = [];
  for (const v of vecs) body.push(`const b${v} = v128.load(w${v >> 1}, ${(v & 1) * 16});`);
  for (const r of range(mr)) {
    body.push(`const s${r} = v128.load32_splat(a${r});`);
    body.push(vecs.map((v) => `c${r}_${v} = madd(s${r}, b${v}, c${r}_${v});`).join(" "));
  }
  body.push(
    `${range(mr)
      .map((r) => `a${r} += F32;`)
      .join(" ")}`,
  );
  body.push(`w0 += <usize>NR * F32;`);
  if (panels === 2) body.push(`w1 += <usize>NR * F32;`);
  lines.push(indent(body, 2));
  lines.push(`}`);
  lines.push(`const colsLeft = cols - p * NR;`);
  lines.push(`const o = out + <usize>(p * NR) * F32;`);
  for (const r of range(mr)) {
    const guard = r === 0 ? "" : `if (valid > ${r}) `;
    const stores = range(panels).map((q) => {
      const ptr = `o${r === 0 ? "" : ` + ${r} * outRow`}${q === 0 ? "" : " + 32"}`;
      return `storeRow8(${ptr}, c${r}_${2 * q}, c${r}_${2 * q + 1}, colsLeft${q === 0 ? "" : " - 8"}, act);`;
    });
    if (panels === 2) {
      // The second panel's columns exist only if the first is full.
      lines.push(`${guard}{ ${stores[0]} if (colsLeft > 8) ${stores[1]} }`);
    } else {
      lines.push(`${guard}${stores[0]}`);
    }
  }
  return lines;
}

function simdTile({ mr, nr }) {
  const panels = nr / 8;
  const name = `gemm_${mr}x${nr}`;
  const rowArgs = range(mr)
    .map((r) => `x${r}: usize`)
    .join(", ");
  const helper = (w) => `${name}_rows${w === 8 && panels === 2 ? "_tail" : ""}`;
  const out = [];
  const helpers = panels === 2 ? [2, 1] : [1];
  for (const width of helpers) {
    out.push(`// @ts-ignore: decorator`);
    out.push(`@inline export function ${helper(width * 8)}(`);
    out.push(
      `  ${rowArgs}, valid: i32, depth: i32, packed: usize, panelBytes: usize, p: i32, cols: i32, out: usize, outRow: usize, act: i32,`,
    );
    out.push(`): void {`);
    out.push(indent(simdBody(mr, width), 2));
    out.push(`}`);
    out.push(``);
  }
  out.push(
    `/** ${mr} rows x ${nr} columns of accumulators (${mr * panels * 2} vectors)${panels === 2 ? ", two adjacent panels at once" : ""}. */`,
  );
  out.push(`export function ${name}(`);
  out.push(
    `  input: usize, rows: i32, depth: i32, inStride: i32, packed: usize, cols: i32, output: usize, outStride: i32, act: i32,`,
  );
  out.push(`): void {`);
  const body = [];
  body.push(`const inRow = <usize>inStride * F32;`);
  body.push(`const outRow = <usize>outStride * F32;`);
  body.push(`const panelBytes = <usize>(depth + 1) * NR * F32;`);
  body.push(`const panels = (cols + NR - 1) / NR;`);
  body.push(`const last = rows - 1;`);
  body.push(`const panelStep = panelsAtOnce(panels, depth, ${panels});`);
  const shorter = SHORTER[mr];
  if (shorter) {
    // Left-over rows would run as a whole tile re-reading the last row; a shorter tile does
    // less work, except where the weights are walked panel-major: a second call would stream
    // them from memory again, which costs more than the rows it saves.
    body.push(`let tileRows = rows;`);
    body.push(`const left = rows % ${mr};`);
    body.push(`if (panelStep == panels && left > 0 && left <= ${shorter.at(-1).upTo}) tileRows = rows - left;`);
  }
  body.push(`for (let pb = 0; pb < panels; pb += panelStep) {`);
  body.push(`  const pe = min<i32>(pb + panelStep, panels);`);
  body.push(`  for (let r = 0; r < ${shorter ? "tileRows" : "rows"}; r += ${mr}) {`);
  body.push(`    const valid = rows - r;`);
  for (const r of range(mr)) {
    const row = r === 0 ? "r" : `min<i32>(r + ${r}, last)`;
    body.push(`    const x${r} = input + <usize>${row} * inRow;`);
  }
  body.push(`    const out = output + <usize>r * outRow;`);
  const call = (h, p) =>
    `${h}(${range(mr)
      .map((r) => `x${r}`)
      .join(", ")}, valid, depth, packed, panelBytes, ${p}, cols, out, outRow, act);`;
  if (panels === 2) {
    body.push(`    let p = pb;`);
    body.push(`    for (; p + 1 < pe; p += 2) ${call(helper(16), "p")}`);
    body.push(`    if (p < pe) ${call(helper(8), "p")}`);
  } else {
    body.push(`    for (let p = pb; p < pe; p++) ${call(helper(8), "p")}`);
  }
  body.push(`  }`);
  body.push(`}`);
  if (shorter) {
    body.push(`if (tileRows < rows) {`);
    body.push(`  const x = input + <usize>tileRows * inRow;`);
    body.push(`  const y = output + <usize>tileRows * outRow;`);
    shorter.forEach(({ tile, upTo }, i) => {
      const call = `gemm_${tile}(x, left, depth, inStride, packed, cols, y, outStride, act);`;
      if (shorter.length === 1) body.push(`  ${call}`);
      else
        body.push(
          i === shorter.length - 1 ? `  else ${call}` : `  ${i === 0 ? "if" : "else if"} (left <= ${upTo}) ${call}`,
        );
    });
    body.push(`}`);
  }
  out.push(indent(body, 2));
  out.push(`}`);
  return out.join("\n");
}

/**
 * conv2d as an indirect GEMM: MR output pixels of one row whose horizontal taps all lie inside
 * the image read their receptive fields in place, as kH segments of kW * Cin contiguous floats
 * (one input row each, or the zero segment above and below the image), in the packing's k order
 * (ky, kx, c). Nothing is copied; the 4x8 tile's loop runs once per segment.
 */
function convSegmentsTile() {
  const mr = 4;
  const rs = range(mr);
  const lines = [];
  lines.push(`// @ts-ignore: decorator`);
  lines.push(`@inline export function conv_igemm_4x8_rows(`);
  lines.push(`  rowPtr: usize, pixelStep: usize, zero: usize, iyTop: i32, dilationH: i32, inH: i32, rowBytes: usize,`);
  lines.push(
    `  kH: i32, segment: i32, packed: usize, panelBytes: usize, p: i32, cols: i32, out: usize, outRow: usize, act: i32,`,
  );
  lines.push(`): void {`);
  const b = [];
  b.push(`let w = packed + <usize>p * panelBytes;`);
  b.push(`let c0_0 = v128.load(w, 0);`);
  b.push(`let c0_1 = v128.load(w, 16);`);
  for (const r of rs.slice(1)) b.push(`let c${r}_0 = c0_0, c${r}_1 = c0_1;`);
  b.push(`w += <usize>NR * F32;`);
  b.push(`for (let ky = 0; ky < kH; ky++) {`);
  b.push(`  const iy = iyTop + ky * dilationH;`);
  b.push(`  const inside = <u32>iy < <u32>inH;`);
  b.push(`  // rowPtr + iy * rowBytes is only formed inside the image (no pointer below address 0).`);
  b.push(`  const a = inside ? rowPtr + <usize>iy * rowBytes : zero;`);
  b.push(`  const step = inside ? pixelStep : 0;`);
  b.push(`  let ${rs.map((r) => `a${r} = a${r === 0 ? "" : ` + ${r} * step`}`).join(", ")};`);
  b.push(`  const end = w + <usize>segment * NR * F32;`);
  b.push(`  while (w < end) {`);
  b.push(`    const b0 = v128.load(w, 0);`);
  b.push(`    const b1 = v128.load(w, 16);`);
  for (const r of rs) {
    b.push(`    const s${r} = v128.load32_splat(a${r});`);
    b.push(`    c${r}_0 = madd(s${r}, b0, c${r}_0); c${r}_1 = madd(s${r}, b1, c${r}_1);`);
  }
  b.push(`    ${rs.map((r) => `a${r} += F32;`).join(" ")}`);
  b.push(`    w += <usize>NR * F32;`);
  b.push(`  }`);
  b.push(`}`);
  b.push(`const colsLeft = cols - p * NR;`);
  b.push(`const o = out + <usize>(p * NR) * F32;`);
  for (const r of rs) b.push(`storeRow8(o${r === 0 ? "" : ` + ${r} * outRow`}, c${r}_0, c${r}_1, colsLeft, act);`);
  lines.push(indent(b, 2));
  lines.push(`}`);
  return lines.join("\n");
}

function scalarTile({ mr, nr }) {
  const name = `gemm_${mr}x${nr}`;
  const rs = range(mr);
  const cs = range(nr);
  const out = [];
  out.push(`/** ${mr} rows x ${nr} columns of scalar accumulators: ${mr + nr} loads per ${mr * nr} multiply-adds. */`);
  out.push(`export function ${name}(`);
  out.push(
    `  input: usize, rows: i32, depth: i32, inStride: i32, packed: usize, cols: i32, output: usize, outStride: i32, act: i32,`,
  );
  out.push(`): void {`);
  const b = [];
  b.push(`const inRow = <usize>inStride * F32;`);
  b.push(`const outRow = <usize>outStride * F32;`);
  b.push(`const panelBytes = <usize>(depth + 1) * NR * F32;`);
  b.push(`const last = rows - 1;`);
  b.push(`for (let r = 0; r < rows; r += ${mr}) {`);
  b.push(`  const valid = rows - r;`);
  for (const r of rs) b.push(`  const x${r} = input + <usize>${r === 0 ? "r" : `min<i32>(r + ${r}, last)`} * inRow;`);
  b.push(`  const out = output + <usize>r * outRow;`);
  b.push(`  for (let col = 0; col < cols; col += ${nr}) {`);
  b.push(`    // Columns col..col+${nr - 1} sit in one panel (${nr} divides NR); lanes past cols hold zeros.`);
  b.push(`    let w = packed + <usize>(col / NR) * panelBytes + <usize>(col % NR) * F32;`);
  for (const c of cs) b.push(`    let c0_${c} = load<f32>(w, ${c * 4});`);
  for (const r of rs.slice(1)) b.push(`    let ${cs.map((c) => `c${r}_${c} = c0_${c}`).join(", ")};`);
  b.push(`    w += <usize>NR * F32;`);
  b.push(`    let ${rs.map((r) => `a${r} = x${r}`).join(", ")};`);
  b.push(`    const end = w + <usize>depth * NR * F32;`);
  b.push(`    while (w < end) {`);
  for (const c of cs) b.push(`      const b${c} = load<f32>(w, ${c * 4});`);
  for (const r of rs) {
    b.push(`      const s${r} = load<f32>(a${r});`);
    b.push(`      ${cs.map((c) => `c${r}_${c} += s${r} * b${c};`).join(" ")}`);
  }
  b.push(`      ${rs.map((r) => `a${r} += F32;`).join(" ")}`);
  b.push(`      w += <usize>NR * F32;`);
  b.push(`    }`);
  b.push(`    const left = cols - col;`);
  for (const r of rs) {
    const guard = r === 0 ? "" : `if (valid > ${r}) `;
    const o = `out + ${r === 0 ? "" : `${r} * outRow + `}<usize>col * F32`;
    b.push(`    ${guard}storeScalars${nr}(${o}, ${cs.map((c) => `c${r}_${c}`).join(", ")}, left, act);`);
  }
  b.push(`  }`);
  b.push(`}`);
  out.push(indent(b, 2));
  out.push(`}`);
  return out.join("\n");
}

function storeScalars(nr) {
  const cs = range(nr);
  return [
    `// @ts-ignore: decorator`,
    `@inline function storeScalars${nr}(ptr: usize, ${cs.map((c) => `v${c}: f32`).join(", ")}, left: i32, act: i32): void {`,
    ...cs.map((c) => `  ${c === 0 ? "" : `if (left > ${c}) `}store<f32>(ptr, activate(v${c}, act), ${c * 4});`),
    `}`,
  ].join("\n");
}

// Storing an 8-wide tile row (bias is already in the accumulators): the column tail writes only
// the lanes that exist. Not inlined: it runs once per tile row after the whole k loop, and
// inlining its four activations into every row of every tile cost ~10 KB per build. Not
// exported either: an export taking v128 would be an interface JS engines cannot call.
const STORE_ROW8 = `function storeRow8(ptr: usize, lo: v128, hi: v128, colsLeft: i32, act: i32): void {
  if (colsLeft >= 8) {
    v128.store(ptr, activate4(lo, act));
    v128.store(ptr, activate4(hi, act), 16);
  } else {
    storeLanes(ptr, activate4(lo, act), colsLeft);
    if (colsLeft > 4) storeLanes(ptr + 16, activate4(hi, act), colsLeft - 4);
  }
}`;

export function generate() {
  const header = [
    "// Generated by scripts/gen-gemm-tiles.mjs from its template; do not edit (run `node scripts/gen-gemm-tiles.mjs`).",
    "// GEMM microkernels: output[rows][cols] = act(input[rows][depth] x packed + bias), one tile each.",
    "// Rows past the end re-read the last row (the k loop has no row branch) and are not stored.",
    "",
    'import { activate, activate4, F32, madd, storeLanes } from "../common";',
    'import { NR } from "./pack";',
    'import { panelsAtOnce } from "./panels";',
    "",
    "",
  ].join("\n");
  const parts = [
    STORE_ROW8,
    ...SIMD_TILES.map(simdTile),
    ...[...new Set(SCALAR_TILES.map((t) => t.nr))].map(storeScalars),
  ];
  parts.push(convSegmentsTile());
  parts.push(...SCALAR_TILES.map(scalarTile));
  return `${header}${parts.join("\n\n")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = generate();
  if (process.argv.includes("--check")) {
    if (readFileSync(OUT, "utf8") !== text) {
      console.error(`${OUT} differs from what scripts/gen-gemm-tiles.mjs generates: run it and commit the result`);
      process.exit(1);
    }
  } else {
    writeFileSync(OUT, text);
  }
}
