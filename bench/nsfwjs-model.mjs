// The three models the nsfwjs package ships, as TensorFlow.js artifacts (what tf.io.fromMemory
// takes). nsfwjs stores each in dist/models/<name> as CommonJS bundles: model.min.js exports the
// model.json ({ modelTopology, weightsManifest, format }) and each group-shard .min.js exports a
// weight file as a base64 string.
//   mobilenet_v2      layers model, MobileNetV2 224x224, 5 classes, uint8-quantized weights
//   mobilenet_v2_mid  graph model (tfjs-converter 1.7), MobileNetV2 224x224 (width 1.4? see tests)
//   inception_v3      layers model, InceptionV3 299x299 (Concatenate, MaxPooling2D, AveragePooling2D)
// Used by the model tests and the model benchmarks.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** @param {"mobilenet_v2" | "mobilenet_v2_mid" | "inception_v3"} name */
export function nsfwjsArtifacts(name) {
  // The package's exports map hides dist/models; resolve its main entry and walk from there.
  const dir = path.join(path.dirname(require.resolve("nsfwjs")), "..", "models", name);
  const { modelTopology, weightsManifest, format } = require(path.join(dir, "model.min.js"));
  const shards = weightsManifest.flatMap((group) => group.paths);
  const bytes = Buffer.concat(shards.map((shard) => Buffer.from(require(path.join(dir, `${shard}.min.js`)), "base64")));
  return {
    ...(format ? { format } : {}),
    modelTopology,
    weightSpecs: weightsManifest.flatMap((group) => group.weights),
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  };
}

/** The layers MobileNetV2. */
export function mobileNetV2Artifacts() {
  return nsfwjsArtifacts("mobilenet_v2");
}
