// sepconv as a benchmark peer: one peer per wasm build the runtime supports (relaxed-simd, simd,
// scalar), the build init() picks once more on ordinary Float32Array tensors ('sepconv-copy'),
// and the plain-JS reference (backend 'js'). Each case is a prepared layer timed with
// run(x, out): weights packed once, no allocation per run. The builds run on tensors made by
// createTensor, in wasm memory, as chained layers would (x written once, like TensorFlow.js's
// input tensor; the result read in place through out.data); 'sepconv-copy' copies x into wasm
// memory and the result out into a Float32Array on every run.
import * as sepconv from "../../dist/index.js";

export const BUILDS = ["relaxed-simd", "simd", "scalar"];

/** Creates the prepared layer of a case on the build currently selected by init(). */
export function createLayer({ layer }, data) {
  const { k, cin, cout, stride, padding } = layer;
  const options = { strides: stride, padding, bias: data.bias, activation: "relu6" };
  switch (layer.op) {
    case "dw":
      return sepconv.createDepthwiseConv2d({ data: data.filter, shape: [k, k, cin, 1] }, options);
    case "pw":
      return sepconv.createPointwiseConv2d({ data: data.filter, shape: [cin, cout] }, options);
    case "conv":
      return sepconv.createConv2d({ data: data.filter, shape: [k, k, cin, cout] }, options);
    case "sep":
      return sepconv.createSeparableConv2d(
        { data: data.dwFilter, shape: [k, k, cin, 1] },
        { data: data.pwFilter, shape: [cin, cout] },
        { ...options, depthwiseBias: data.dwBias, depthwiseActivation: "relu6" },
      );
    default:
      throw new Error(`unknown op ${layer.op}`);
  }
}

function peer(backend, name, key, slow, inPlace, threads = 1) {
  return {
    key,
    name,
    backend,
    slow,
    async prepare(c, data) {
      // Prepared layers keep the build (and its threads) they were created on.
      await sepconv.init({ backend, threads });
      const prepared = createLayer(c, data);
      const shape = [1, c.layer.h, c.layer.w, c.layer.cin];
      const size = c.outShape.reduce((a, b) => a * b);
      const x = inPlace ? sepconv.createTensor(shape, data.x) : { data: data.x, shape };
      const out = inPlace ? sepconv.createTensor(c.outShape) : { data: new Float32Array(size), shape: c.outShape };
      return {
        run: () => prepared.run(x, out),
        output: () => prepared.run(x, out).data.slice(),
        dispose: () => {
          prepared.dispose();
          if (inPlace) {
            x.dispose();
            out.dispose();
          }
        },
      };
    },
  };
}

/**
 * The sepconv builds this runtime supports, best first, then the plain-JS reference.
 * A build is supported when `init({ backend })` accepts it (validation and known-answer run).
 * @returns {Promise<{ peers: object[], unsupported: { build: string, reason: string }[] }>}
 */
export async function sepconvPeers(threads = 1) {
  const peers = [];
  const unsupported = [];
  for (const build of BUILDS) {
    try {
      await sepconv.init({ backend: build });
      peers.push(peer(build, `sepconv ${build}`, `sepconv-${build}`, build === "scalar", true));
    } catch (error) {
      unsupported.push({ build, reason: String(error?.message ?? error) });
    }
  }
  // The best build only: two pools' workers polling at once would take each other's cores.
  for (const build of threads > 1 ? [peers[0]?.backend] : []) {
    if (build === undefined || build === "scalar") continue;
    await sepconv.init({ backend: build, threads });
    if (sepconv.threads().count !== threads) throw new Error(`sepconv ${build}: ${sepconv.threads().reason}`);
    peers.push(
      peer(build, `sepconv ${build}, ${threads} threads`, `sepconv-${build}@${threads}`, false, true, threads),
    );
  }
  if (peers.length > 0) {
    await sepconv.init({ threads: 1 });
    peers.push(peer(sepconv.backend(), `sepconv ${sepconv.backend()}, copying`, "sepconv-copy", false, false));
  }
  peers.push(peer("js", "plain-JS reference", "js", true, false));
  return { peers, unsupported };
}

/** The build `init()` picks by itself: the one the others are compared with. */
export async function autoBuild() {
  await sepconv.init({ threads: 1 });
  return sepconv.backend();
}
