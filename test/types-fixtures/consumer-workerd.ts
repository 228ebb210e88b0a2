// A Cloudflare Worker's view (customConditions: ["workerd"]): importing a build gives the
// WebAssembly.Module that init({ wasm }) takes.
import { init } from "sepconv";
import wasm from "sepconv/wasm/simd.wasm";

const module: WebAssembly.Module = wasm;
await init({ wasm: module });

export { module };
