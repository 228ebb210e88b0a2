// The CommonJS side of consumer.ts: require()'s declarations (.d.cts) compile too.
import sepconv = require("sepconv");
import slim = require("sepconv/slim");
import referenceEntry = require("sepconv/reference");

const backend: sepconv.Backend = sepconv.backend();
const model: sepconv.LayersModel = slim.loadLayersModel({ modelTopology: "{}", weightSpecs: [], weightData: [] });
const modelBackend: slim.Backend = model.backend;
referenceEntry.pointwiseConv2d(
  { data: new Float32Array(4), shape: [1, 1, 1, 4] },
  { data: new Float32Array(4), shape: [4, 1] },
);

export { backend, modelBackend };
