// Tester of the GEMM and conv2d microkernels on every build, cases named by their relation to
// the tile (MR rows = output pixels, NR columns = output channels, k = the reduction): m below,
// equal to, above and a multiple of MR; n the same against NR; k of 1, odd and long; packed
// weights large enough for the panel-by-panel order; for conv2d, gathered fields with padding
// taps (the zero pixel), the 3-channel first layer and strides. Each case checks that the
// layer selected the kernel under test and compares with the plain-JS reference.

import { beforeAll, describe, expect, it } from "vitest";
import { KERNEL_NAMES } from "../../src/abi.generated.js";
import { createConv2d, createPointwiseConv2d, type GemmTile, init, reference } from "../../src/index.js";
import { activeRuntime } from "../../src/init.js";
import { expectClose, randomArray, randomTensor, rng, WASM_BUILDS } from "../helpers.js";
import { checkKernel, kernelIn } from "./tester.js";

/** [name, value] cases around a tile of `t`. */
function around(t: number, what: string): [string, number][] {
  const cases: [string, number][] = [
    [`${what}_eq_tile`, t],
    [`${what}_gt_tile`, t + 1],
    [`${what}_div_tile`, 3 * t],
    [`${what}_gt_2tile_not_div`, 2 * t + Math.max(1, t - 1)],
  ];
  if (t > 1) cases.push([`${what}_lt_tile`, t - 1], [`${what}_1`, 1]);
  return cases;
}

/** Each build's GEMM tiles (init's tiles.gemm pins one; undefined: the build has only one). */
const GEMM_TILES: Record<string, { pin?: GemmTile; mr: number; nr: number }[]> = {
  scalar: [{ mr: 2, nr: 4 }],
  simd: [
    { pin: "2x16", mr: 2, nr: 16 },
    { pin: "4x8", mr: 4, nr: 8 },
    { pin: "6x8", mr: 6, nr: 8 },
  ],
};
GEMM_TILES["relaxed-simd"] = GEMM_TILES.simd;
const CONV_TILES = {
  scalar: { conv: "conv_gather4_2x4", mr: 4, nr: 4 },
  simd: { conv: "conv_igemm_4x8", mr: 4, nr: 8 },
  "relaxed-simd": { conv: "conv_igemm_4x8", mr: 4, nr: 8 },
} as const;

/**
 * Every m from 1 to 2 MR + 1 and 3 MR, named by its relation to MR: each remainder of rows
 * (which a shorter tile takes, or the tile itself re-reading the last row) occurs.
 */
function rowCases(mr: number): [string, number][] {
  const cases: [string, number][] = [];
  for (let m = 1; m <= 2 * mr + 1; m++) {
    const name = m < mr ? `m_lt_tile_${m}` : m % mr === 0 ? `m_div_tile_${m}` : `m_gt_tile_rem_${m % mr}`;
    cases.push([name, m]);
  }
  cases.push([`m_div_tile_${3 * mr}`, 3 * mr]);
  return cases;
}

const K_CASES: [string, number][] = [
  ["k_1", 1],
  ["k_odd", 17],
  ["k_long", 96],
];

for (const build of WASM_BUILDS) {
  for (const gemmTile of GEMM_TILES[build]) {
    const { mr, nr, pin } = gemmTile;
    const base = `gemm_${mr}x${nr}`;
    describe(`GEMM microkernel ${base} on ${build}`, () => {
      beforeAll(() => init({ backend: build, tiles: pin ? { gemm: pin } : undefined }));
      const kernel = kernelIn(base, build);

      it(`${kernel}: m, n and k around the ${mr}x${nr} tile`, () => {
        const random = rng(11);
        for (const [mName, m] of rowCases(mr)) {
          for (const [nName, n] of around(nr, "n")) {
            for (const [kName, k] of K_CASES) {
              const x = randomTensor(random, [1, 1, m, k]);
              const filter = randomTensor(random, [k, n]);
              const options = { bias: randomArray(random, n), activation: "hardswish" as const };
              const want = reference.pointwiseConv2d(x, filter, options);
              const label = `${kernel} ${mName} (${m}) ${nName} (${n}) ${kName} (${k})`;
              checkKernel(createPointwiseConv2d(filter, options), kernel, x, want, k, label);
            }
          }
        }
      });

      it(`${kernel}: packed weights past 256 KiB, walked panel-major`, () => {
        const random = rng(12);
        // 256 x 300 weights (plus bias rows) are about 300 KiB packed: the panel-major order,
        // with an odd count of panels (38) for the two-panel tile's tail.
        for (const m of [1, mr - 1, mr, 2 * mr + 1].filter((v) => v > 0)) {
          const x = randomTensor(random, [1, 1, m, 256]);
          const filter = randomTensor(random, [256, 300]);
          const want = reference.pointwiseConv2d(x, filter);
          checkKernel(createPointwiseConv2d(filter), kernel, x, want, 256, `${kernel} panel-major m ${m}`);
        }
      });

      it(`${kernel}: strided input and output rows (aStride > k, cStride > n), called through the ABI`, () => {
        // The GEMM reads and writes slices of wider rows (a channel range of a concatenation):
        // only the first n floats of each output row change, and the kernel reports the tile.
        const rt = activeRuntime("test");
        if (!rt) throw new Error(`${build}: no wasm runtime`);
        const random = rng(16);
        for (const [m, k, n] of [
          [mr + 1, 9, nr + 3],
          [2 * mr, 16, nr],
          [1, 5, 2 * nr + 1],
        ]) {
          const aStride = k + 3;
          const cStride = n + 5;
          const a = randomArray(random, m * aStride);
          const w = randomArray(random, k * n);
          const bias = randomArray(random, n);
          const heap = rt.heap;
          const packedFloats = rt.kernels.gemmPackedLength(k, n);
          const [pa, pw, pb, pp, pc] = heap.allocAll(
            [a.length * 4, w.length * 4, n * 4, packedFloats * 4, m * cStride * 4],
            "test",
          );
          try {
            let f32 = heap.f32();
            f32.set(a, pa >>> 2);
            f32.set(w, pw >>> 2);
            f32.set(bias, pb >>> 2);
            f32.fill(-7, pc >>> 2, (pc >>> 2) + m * cStride);
            rt.kernels.gemmPack(pw, pb, k, n, pp);
            const ran = rt.kernels.gemm(rt.gemmTile, pa, m, k, aStride, pp, n, pc, cStride, 0);
            expect(KERNEL_NAMES[ran], `${kernel} m ${m} k ${k} n ${n}: tile that ran`).toBe(base);
            f32 = heap.f32();
            const sliced = new Float32Array(m * k);
            for (let r = 0; r < m; r++) sliced.set(a.subarray(r * aStride, r * aStride + k), r * k);
            const want = reference.pointwiseConv2d(
              { data: sliced, shape: [1, 1, m, k] },
              { data: w, shape: [k, n] },
              {
                bias,
              },
            );
            const got = new Float32Array(m * n);
            for (let r = 0; r < m; r++) {
              const row = f32.subarray((pc >>> 2) + r * cStride, (pc >>> 2) + (r + 1) * cStride);
              got.set(row.subarray(0, n), r * n);
              expect([...row.subarray(n)], `${kernel} row ${r}: past cols untouched`).toEqual(
                Array(cStride - n).fill(-7),
              );
            }
            expectClose({ data: got, shape: [1, 1, m, n] }, want, k, `${kernel} strided m ${m} k ${k} n ${n}`);
          } finally {
            for (const ptr of [pa, pw, pb, pp, pc]) heap.release(ptr);
          }
        }
      });

      it(`${kernel}: every activation at the store, strided rows (m > tile) and a batch`, () => {
        const random = rng(14);
        for (const activation of ["linear", "relu", "relu6", "hardswish"] as const) {
          const x = randomTensor(random, [2, 3, mr + 2, 24]);
          const filter = randomTensor(random, [24, nr + 3]);
          const options = { bias: randomArray(random, nr + 3), activation };
          const want = reference.pointwiseConv2d(x, filter, options);
          checkKernel(createPointwiseConv2d(filter, options), kernel, x, want, 24, `${kernel} ${activation}`);
        }
      });
    });
  }

  const tile = CONV_TILES[build];
  describe(`conv2d microkernel on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    it(`${kernelIn(tile.conv, build)}: gathered fields, padding taps, first layer and strides`, () => {
      const random = rng(13);
      const kernel = kernelIn(tile.conv, build);
      const windows = [
        { name: "3x3 s2 same, 3 channels (first layer)", k: [3, 3], cin: 3, strides: 2, padding: "same" as const },
        { name: "3x3 s1 explicit [1, 0, 2, 1]", k: [3, 3], cin: 5, strides: 1, padding: [1, 0, 2, 1] as const },
        { name: "1x7 s1 same (Inception)", k: [1, 7], cin: 4, strides: 1, padding: "same" as const },
        { name: "7x1 s1 same (Inception)", k: [7, 1], cin: 4, strides: 1, padding: "same" as const },
        { name: "1x1 s2 (a strided pointwise)", k: [1, 1], cin: 6, strides: 2, padding: "valid" as const },
        { name: "5x5 s1 valid", k: [5, 5], cin: 2, strides: 1, padding: "valid" as const },
      ];
      for (const w of windows) {
        for (const [mName, pixels] of around(tile.mr, "m")) {
          for (const [nName, n] of around(tile.nr, "n")) {
            // One output row of `pixels` pixels: the input the window needs beyond its padding.
            const [top, bottom, left, right] = w.padding === "same" || w.padding === "valid" ? [0, 0, 0, 0] : w.padding;
            const inW =
              w.padding === "same" ? pixels * w.strides : Math.max(1, (pixels - 1) * w.strides + w.k[1] - left - right);
            const inH = w.padding === "same" ? 1 : Math.max(1, w.k[0] - top - bottom);
            const x = randomTensor(random, [1, inH, inW, w.cin]);
            const filter = randomTensor(random, [w.k[0], w.k[1], w.cin, n]);
            const options = { strides: w.strides, padding: w.padding as never, bias: randomArray(random, n) };
            const want = reference.conv2d(x, filter, options);
            const label = `${kernel} ${w.name} ${mName} (${pixels}) ${nName} (${n})`;
            checkKernel(createConv2d(filter, options), kernel, x, want, w.k[0] * w.k[1] * w.cin, label);
          }
        }
      }
    });

    it(`${kernelIn(tile.conv, build)}: in-place quads (interior widths around 4), zero segments above and below, dilations`, () => {
      const random = rng(15);
      const kernel = kernelIn(tile.conv, build);
      // Interior output columns (all kW taps inside) of a 'same' 3x3 at stride 1 are outW - 2:
      // widths 5..14 give 3..12 interior pixels, below, equal to and above multiples of the
      // 4-pixel quad; rows 0 and outH - 1 read the zero segment for their outside kernel row.
      const windows = [
        { name: "3x3 s1 same, 3 channels", k: [3, 3], cin: 3, strides: 1, padding: "same" as const, dilations: 1 },
        {
          name: "3x3 s2 same, 3 channels (first layer)",
          k: [3, 3],
          cin: 3,
          strides: 2,
          padding: "same" as const,
          dilations: 1,
        },
        { name: "5x5 s1 same, 6 channels", k: [5, 5], cin: 6, strides: 1, padding: "same" as const, dilations: 1 },
        { name: "1x7 s1 same", k: [1, 7], cin: 4, strides: 1, padding: "same" as const, dilations: 1 },
        { name: "7x1 s1 same", k: [7, 1], cin: 4, strides: 1, padding: "same" as const, dilations: 1 },
        {
          name: "3x3 valid, dilation 2 (rows skip, x gathered)",
          k: [3, 3],
          cin: 5,
          strides: 1,
          padding: "valid" as const,
          dilations: 2,
        },
        {
          name: "3x3 same, dilation [2, 1] (zero segments inside the window)",
          k: [3, 3],
          cin: 2,
          strides: 1,
          padding: "same" as const,
          dilations: [2, 1] as [number, number],
        },
      ];
      for (const w of windows) {
        for (const width of [5, 6, 7, 8, 10, 13, 14]) {
          const x = randomTensor(random, [2, 5, width, w.cin]);
          const n = 11;
          const filter = randomTensor(random, [w.k[0], w.k[1], w.cin, n]);
          const options = {
            strides: w.strides,
            padding: w.padding,
            dilations: w.dilations,
            bias: randomArray(random, n),
            activation: "relu" as const,
          };
          const want = reference.conv2d(x, filter, options);
          const label = `${kernel} ${w.name} width ${width}`;
          checkKernel(createConv2d(filter, options), kernel, x, want, w.k[0] * w.k[1] * w.cin, label);
        }
      }
    });
  });
}
