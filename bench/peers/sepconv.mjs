// sepconv as a benchmark peer: one peer per wasm build the runtime supports (relaxed-simd, simd,
// scalar) and the plain-JS reference (backend 'js'). Each case is a prepared layer timed with
// run(x, out): weights packed once, no allocation per run.
import * as sepconv from "../../dist/index.js";

export const BUILDS = ["relaxed-simd", "simd", "scalar"];

/** Creates the prepared layer of a case on the build currently selected by init(). */
function createLayer({ layer }, data) {
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

function peer(backend, name, key, slow) {
  return {
    key,
    name,
    backend,
    slow,
    async prepare(c, data) {
      await sepconv.init({ backend }); // prepared layers keep the build they were created on
      const prepared = createLayer(c, data);
      const x = { data: data.x, shape: [1, c.layer.h, c.layer.w, c.layer.cin] };
      const out = { data: new Float32Array(c.outShape.reduce((a, b) => a * b)), shape: c.outShape };
      return {
        run: () => prepared.run(x, out),
        output: () => prepared.run(x, out).data,
        dispose: () => prepared.dispose(),
      };
    },
  };
}

/**
 * The sepconv builds this runtime supports, best first, then the plain-JS reference.
 * A build is supported when `init({ backend })` accepts it (validation and known-answer run).
 * @returns {Promise<{ peers: object[], unsupported: { build: string, reason: string }[] }>}
 */
export async function sepconvPeers() {
  const peers = [];
  const unsupported = [];
  for (const build of BUILDS) {
    try {
      await sepconv.init({ backend: build });
      peers.push(peer(build, `sepconv ${build}`, `sepconv-${build}`, build === "scalar"));
    } catch (error) {
      unsupported.push({ build, reason: String(error?.message ?? error) });
    }
  }
  peers.push(peer("js", "plain-JS reference", "js", true));
  return { peers, unsupported };
}

/** The build `init()` picks by itself: the one the others are compared with. */
export async function autoBuild() {
  await sepconv.init();
  return sepconv.backend();
}
