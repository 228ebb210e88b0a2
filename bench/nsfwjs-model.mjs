// The MobileNetV2 (224x224, 5 classes) that the nsfwjs package ships, as TensorFlow.js
// layers-model artifacts. nsfwjs stores it in dist/models/mobilenet_v2 as two CommonJS
// bundles: model.min.js exports { modelTopology, weightsManifest } (Keras 2.2.4 topology,
// uint8-quantized weight specs) and group1-shard1of1.min.js exports the weight shard as a
// base64 string. Used by the model tests and bench/mobilenet.mjs.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** @returns {{ modelTopology: object, weightSpecs: object[], weightData: ArrayBuffer }} */
export function mobileNetV2Artifacts() {
  // The package's exports map hides dist/models; resolve its main entry and walk from there.
  const dir = path.join(path.dirname(require.resolve("nsfwjs")), "..", "models", "mobilenet_v2");
  const { modelTopology, weightsManifest } = require(path.join(dir, "model.min.js"));
  const shards = weightsManifest.flatMap((group) => group.paths);
  const bytes = Buffer.concat(shards.map((shard) => Buffer.from(require(path.join(dir, `${shard}.min.js`)), "base64")));
  return {
    modelTopology,
    weightSpecs: weightsManifest.flatMap((group) => group.weights),
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  };
}
