// A TypeScript user of the published declarations (test/types.test.ts compiles it against dist/
// with TypeScript 5.0 and the latest, strict, skipLibCheck off). @ts-expect-error lines fail the
// compile if the error they expect is gone, so each states what the public types must refuse.
import {
  type Backend,
  backend,
  cost,
  createSeparableConv2d,
  createTensor,
  init,
  initSync,
  type LayersModel,
  loadLayersModel,
  type ModelArtifacts,
  reference,
  type Tensor,
  type WasmTensor,
} from "sepconv";
import * as referenceEntry from "sepconv/reference";
import * as slim from "sepconv/slim";
import wasmFile from "sepconv/wasm/simd.wasm";

await init();
initSync({ backend: "js" });
const build: Backend = backend();

const x: Tensor = { data: new Float32Array(1 * 4 * 4 * 8), shape: [1, 4, 4, 8] };
const dw: Tensor = { data: new Float32Array(3 * 3 * 8), shape: [3, 3, 8, 1] };
const pw: Tensor = { data: new Float32Array(8 * 16), shape: [8, 16] };
const layer = createSeparableConv2d(dw, pw, { padding: "same", activation: "relu6" });
const t: WasmTensor = createTensor([1, 4, 4, 8]);
layer.run(t);
// @ts-expect-error internal to the layers: not in the public types
t.livesIn;
// @ts-expect-error internal to the layers: not in the public types
t.pointerFor("op", "x", 1);

const artifacts: ModelArtifacts = { modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(0) };
const model: LayersModel = loadLayersModel(artifacts, { fusion: "none" });
const modelBackend: Backend = model.backend;
// @ts-expect-error loadLayersModel takes ModelArtifacts, not any value
loadLayersModel({ modelJson: "model.json" });

reference.separableConv2d(x, dw, pw);
referenceEntry.depthwiseConv2d(x, dw);
cost.compareSeparable([1, 32, 32, 3], 3, 64);

// sepconv/slim: the same API; it needs options.wasm, of any accepted kind.
await slim.init({ wasm: new URL("https://example.com/simd.wasm") });
slim.initSync({ wasm: new Uint8Array(8) });
const slimModel: slim.LayersModel = slim.loadLayersModel(artifacts);

// In Node an imported .wasm file is not a WebAssembly.Module: the types do not promise one.
// @ts-expect-error only the workerd/worker/browser conditions type it as a module
const module: WebAssembly.Module = wasmFile;

export { build, modelBackend, module, slimModel };
