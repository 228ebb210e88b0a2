// ONNX Runtime Web as a benchmark peer: its wasm backend (SIMD build) with one thread, each case
// a small graph from bench/onnx.mjs, optimised at level 'all' (Conv + Clip fused). The input is
// transposed to NCHW once at prepare time; only session.run (which copies input and output)
// is timed. run() is async, as ORT's API is.
import { layerModel, loadOrt, nchwToNhwc, nhwcToNchw, SESSION_OPTIONS } from "../onnx.mjs";

export async function ortPeer(threads = 1) {
  const ort = await loadOrt(threads);
  return {
    key: "ort",
    name: `onnxruntime-web (wasm${threads > 1 ? `, ${threads} threads` : ""})`,
    version: ort.env.versions.web,
    detail: { threads: ort.env.wasm.numThreads, graphOptimizationLevel: SESSION_OPTIONS.graphOptimizationLevel },
    async: true,
    async prepare({ layer }, data) {
      const { bytes, inputDims, outShape } = layerModel(layer, data);
      const session = await ort.InferenceSession.create(bytes, SESSION_OPTIONS);
      const feeds = { x: new ort.Tensor("float32", nhwcToNchw(data.x, layer.h, layer.w, layer.cin), inputDims) };
      const run = async () => (await session.run(feeds)).y.data;
      return {
        run,
        output: async () => nchwToNhwc(await run(), ...outShape),
        dispose: () => session.release(),
      };
    },
  };
}
