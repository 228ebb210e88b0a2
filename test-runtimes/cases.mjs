// Known answers shared by every runtime: three small cases worked out by hand (depthwise with
// a depth multiplier, bias and relu; pointwise with bias and a relu6 clamp; separable with
// 'same' padding and a depthwise bias), plus wider shapes that reach the SIMD tiles and are
// checked against the plain-JS reference computed in the same runtime, and two prepared layers
// chained in place through createTensor tensors, and a graph model loaded from its JSON. No imports, so that
// Node (ESM and CJS), Deno, Bun, workerd and the browser bundle can all load it as is.

const tensor = (shape, data) => ({ shape, data: Float32Array.from(data) });

// x[0, y, x, c] = (3y + x + 1) * (c ? 10 : 1): channel 0 holds 1..9, channel 1 holds 10..90.
const dwX = tensor([1, 3, 3, 2], [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60, 7, 70, 8, 80, 9, 90]);
// [kH, kW, C, M]: c0m0 picks the top-left tap, c0m1 the bottom-right, c1m0 the top-right, c1m1 averages 2x the window.
const dwFilter = tensor([2, 2, 2, 2], [1, 0, 0, 0.5, 0, 0, 1, 0.5, 0, 0, 0, 0.5, 0, 1, 0, 0.5]);

// Separable: x channel 0 is 1..4, channel 1 is 10..40, on a 2x2 image.
const sepX = tensor([1, 2, 2, 2], [1, 10, 2, 20, 3, 30, 4, 40]);

const HAND_CASES = [
  {
    name: "depthwise",
    run: (api) => api.depthwiseConv2d(dwX, dwFilter, { bias: Float32Array.of(0.5, 0, 0, -100), activation: "relu" }),
    // Output channel c*M + m; c1m1 is 0.5 * (sum of the window) - 100, clamped at 0 by relu.
    want: tensor([1, 2, 2, 4], [1.5, 5, 20, 0, 2.5, 6, 30, 0, 4.5, 8, 50, 20, 5.5, 9, 60, 40]),
  },
  {
    name: "pointwise",
    // Pixels [1, 2, 3] and [-1, 0, 2]; weights [Cin, Cout] = [[1, 0], [0, 1], [1, 1]] -> [4, 5] and [1, 2].
    run: (api) =>
      api.pointwiseConv2d(tensor([1, 1, 2, 3], [1, 2, 3, -1, 0, 2]), tensor([3, 2], [1, 0, 0, 1, 1, 1]), {
        bias: Float32Array.of(3, -3),
        activation: "relu6",
      }),
    want: tensor([1, 1, 2, 2], [6, 2, 4, 0]),
  },
  {
    name: "separable",
    // 'same' with a 2x2 kernel pads one row below and one column right. Depthwise c0 sums the
    // window (10, 6, 7, 4); c1 takes the bottom-right tap (40, 0, 0, 0) + bias 2; pointwise
    // [[1], [0.5]] with bias -1: 10 + 21 - 1, 6 + 1 - 1, 7 + 1 - 1, 4 + 1 - 1.
    run: (api) =>
      api.separableConv2d(sepX, tensor([2, 2, 2, 1], [1, 0, 1, 0, 1, 0, 1, 1]), tensor([2, 1], [1, 0.5]), {
        padding: "same",
        depthwiseBias: Float32Array.of(0, 2),
        bias: Float32Array.of(-1),
      }),
    want: tensor([1, 2, 2, 1], [30, 6, 7, 4]),
  },
  {
    name: "graph model",
    /** The plain-JS reference has the four ops only. */
    apiOnly: true,
    // Placeholder -> Conv2D 1x1 (weights [1, 2]) -> Relu: pixel [1, -1] gives relu(1 - 2) = 0,
    // pixel [3, 4] gives 3 + 8 = 11. A model file's JSON and bytes, as loadGraphModel takes them.
    run: (api) => {
      const node = (name, op, input, attr = {}) => ({ name, op, input, attr });
      const ints = (v) => ({ list: { i: v.map(String) } });
      const modelTopology = {
        node: [
          node("x", "Placeholder", [], {
            shape: { shape: { dim: [{ size: "-1" }, { size: "1" }, { size: "2" }, { size: "2" }] } },
          }),
          node("w", "Const", []),
          node("conv", "Conv2D", ["x", "w"], { strides: ints([1, 1, 1, 1]), padding: { s: "VkFMSUQ=" } }),
          node("y", "Relu", ["conv"]),
        ],
      };
      const weightSpecs = [{ name: "w", shape: [1, 1, 2, 1], dtype: "float32" }];
      const model = api.loadGraphModel({ modelTopology, weightSpecs, weightData: Float32Array.of(1, 2).buffer });
      return model.predict(tensor([1, 1, 2, 2], [1, -1, 3, 4]));
    },
    want: tensor([1, 1, 2, 1], [0, 11]),
  },
];

/** A deterministic pattern in [-1, 1] (no Math.random: every runtime sees the same numbers). */
function pattern(shape, seed) {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (((i * 37 + seed * 11) % 17) - 8) / 8;
  return { data, shape };
}

const wideX = pattern([1, 9, 11, 19], 1);
const wideDw = pattern([3, 3, 19, 1], 2);
const widePw = pattern([19, 13], 3);
const WIDE_CASES = [
  ["depthwise 3x3 19ch", (api) => api.depthwiseConv2d(wideX, wideDw, { padding: "same", activation: "relu6" })],
  ["pointwise 19->13", (api) => api.pointwiseConv2d(wideX, widePw, { bias: pattern([13], 4).data })],
  [
    "separable 3x3 19->13 stride 2",
    (api) => api.separableConv2d(wideX, wideDw, widePw, { strides: 2, padding: "same", depthwiseActivation: "relu" }),
  ],
];

/** Two prepared layers chained through tensors in wasm memory, against the reference pair. */
function inPlaceChain(api, referenceModule) {
  const dwOptions = { padding: "same", activation: "relu6" };
  const pwOptions = { bias: pattern([13], 4).data };
  const dw = api.createDepthwiseConv2d(wideDw, dwOptions);
  const pw = api.createPointwiseConv2d(widePw, pwOptions);
  const tensors = [
    api.createTensor(wideX.shape, wideX.data),
    api.createTensor([1, 9, 11, 19]),
    api.createTensor([1, 9, 11, 13]),
  ];
  try {
    const [x, mid, y] = tensors;
    dw.run(x, mid);
    if (pw.run(mid, y) !== y) return "run(x, out) did not return out";
    const want = referenceModule.pointwiseConv2d(
      referenceModule.depthwiseConv2d(wideX, wideDw, dwOptions),
      widePw,
      pwOptions,
    );
    return mismatch({ data: y.data.slice(), shape: y.shape }, want, 1e-4);
  } finally {
    for (const t of tensors) t.dispose();
    dw.dispose();
    pw.dispose();
  }
}

/** undefined if got matches want within a relative tolerance, else what differs. */
function mismatch(got, want, tolerance) {
  if (String(got?.shape) !== String(want.shape)) return `shape [${got?.shape}] instead of [${want.shape}]`;
  for (let i = 0; i < want.data.length; i++) {
    const g = got.data[i];
    const w = want.data[i];
    if (!(Math.abs(g - w) <= tolerance * (1 + Math.abs(w)))) return `element ${i} is ${g}, expected ${w}`;
  }
  return undefined;
}

/**
 * Runs every case on `api` (an initialised sepconv) and on `referenceModule` (the
 * sepconv/reference subpath, or api.reference). Returns the failures, empty when all pass.
 */
export function failures(api, referenceModule) {
  const found = [];
  const attempt = (label, fn) => {
    try {
      const problem = fn();
      if (problem) found.push(`${label}: ${problem}`);
    } catch (error) {
      found.push(`${label} threw ${error?.message ?? error}`);
    }
  };
  for (const { name, run, want, apiOnly } of HAND_CASES) {
    attempt(name, () => mismatch(run(api), want, 1e-5));
    if (!apiOnly) attempt(`reference ${name}`, () => mismatch(run(referenceModule), want, 1e-5));
  }
  for (const [name, run] of WIDE_CASES) attempt(name, () => mismatch(run(api), run(referenceModule), 1e-4));
  attempt("in place (createTensor): depthwise then pointwise", () => inPlaceChain(api, referenceModule));
  return found;
}

/** The one line a runtime prints: PASS or FAIL, its name, the build used and any failures. */
export function verdict(runtime, backend, found) {
  return found.length === 0 ? `PASS ${runtime} (${backend})` : `FAIL ${runtime} (${backend}): ${found.join("; ")}`;
}

/** Adds a failure unless the build in use is one of `allowed` (a silent fallback is a defect). */
export function expectBackend(found, label, used, allowed) {
  if (!allowed.includes(used)) found.push(`${label}: backend '${used}', expected ${allowed.join(" or ")}`);
}

/** The builds an engine with WebAssembly SIMD must pick by default. */
export const SIMD_BUILDS = ["relaxed-simd", "simd"];

/** Ops large enough to be shared among threads (src/threads/split.ts), one per kind of job. */
const threadsX = pattern([2, 40, 40, 24], 5);
const threadsDw = pattern([3, 3, 24, 1], 6);
const threadsPw = pattern([24, 40], 7);
const threadsConv = pattern([3, 3, 24, 16], 8);
const THREADS_CASES = [
  ["depthwise", (api) => api.depthwiseConv2d(threadsX, threadsDw, { padding: "same" })],
  ["pointwise", (api) => api.pointwiseConv2d(threadsX, threadsPw, { activation: "relu6" })],
  ["conv2d", (api) => api.conv2d(threadsX, threadsConv, { strides: 2, padding: "same" })],
  ["separable", (api) => api.separableConv2d(threadsX, threadsDw, threadsPw, { padding: "same" })],
];

/**
 * init({ threads: 2 }) on the build in use (plus `options`): the report must say `expected`
 * threads, and every op must give exactly (bit for bit) what one thread gives. Returns the
 * failures and the report's line.
 */
export async function threadsFailures(api, expected, options = {}) {
  const found = [];
  const backend = api.backend();
  await api.init({ backend, threads: 1, ...options });
  const one = THREADS_CASES.map(([, run]) => run(api));
  await api.init({ backend, threads: 2, ...options });
  const report = api.threads();
  if (report.count !== expected) found.push(`threads: ${report.count} (${report.reason}), expected ${expected}`);
  for (const [i, [name, run]] of THREADS_CASES.entries()) {
    try {
      const got = run(api);
      const want = one[i];
      const at = want.data.findIndex((v, j) => !Object.is(v, got.data[j]));
      if (String(got.shape) !== String(want.shape) || at >= 0)
        found.push(`threads ${name}: element ${at} differs from one thread's`);
    } catch (error) {
      found.push(`threads ${name} threw ${error?.message ?? error}`);
    }
  }
  await api.init({ backend, threads: 1, ...options });
  return { found, line: `${report.count} thread(s): ${report.reason}` };
}
