// What the benchmark pages share: the layer shapes fetched from the build folder, and
// TensorFlow.js's wasm backend set up as the Node suite runs it (XNNPACK, SIMD, one thread).
import { setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import { MODEL_KEYS, parseModel } from "../model-shapes.mjs";

/** The models named by keys (v1, v2, v3, large, or a file name), as { model, layers }. */
export async function fetchModels(keys) {
  const models = [];
  for (const model of keys.map((key) => MODEL_KEYS[key] ?? key)) {
    const response = await fetch(`models/${model}.txt`);
    if (!response.ok) throw new Error(`models/${model}.txt: HTTP ${response.status}`);
    models.push({ model, layers: parseModel(model, await response.text()) });
  }
  return models;
}

/**
 * tfjs on its wasm backend, the SIMD build: one thread (no SharedArrayBuffer workers even when
 * isolated), or its threaded build on `threads` threads (a cross-origin-isolated page).
 */
export async function readyTfjsWasm(threads = 1) {
  tf.enableProdMode();
  if (threads === 1) tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  // tfjs-wasm caps its pool at hardwareConcurrency / 2: tell it the core count that gives `threads`.
  else Object.defineProperty(navigator, "hardwareConcurrency", { get: () => 2 * threads, configurable: true });
  setWasmPaths("tfjs/");
  setThreadsCount(threads);
  await tf.setBackend("wasm");
  await tf.ready();
}
