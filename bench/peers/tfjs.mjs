// TensorFlow.js as a benchmark peer, on its wasm backend (XNNPACK, SIMD, one thread) or its CPU
// backend, each on its best path: tf.fused ops with bias and relu6, filters and input created
// once on the backend (so XNNPACK's operator cache hits), output read back with dataSync().
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";

/** A case on the active tfjs backend: run() computes and reads back; also used by bench/web/peers.mjs. */
export function tfLayer({ layer }, data) {
  const { op, k, cin, cout, stride, padding } = layer;
  const tensors = [];
  const keep = (t) => {
    tensors.push(t);
    return t;
  };
  const x = keep(tf.tensor4d(data.x, [1, layer.h, layer.w, cin]));
  const bias = keep(tf.tensor1d(data.bias));
  let compute;
  if (op === "dw") {
    const filter = keep(tf.tensor4d(data.filter, [k, k, cin, 1]));
    compute = () => tf.fused.depthwiseConv2d({ x, filter, strides: stride, pad: padding, bias, activation: "relu6" });
  } else if (op === "sep") {
    const dwFilter = keep(tf.tensor4d(data.dwFilter, [k, k, cin, 1]));
    const pwFilter = keep(tf.tensor4d(data.pwFilter, [1, 1, cin, cout]));
    const dwBias = keep(tf.tensor1d(data.dwBias));
    compute = () =>
      tf.tidy(() => {
        const mid = tf.fused.depthwiseConv2d({
          x,
          filter: dwFilter,
          strides: stride,
          pad: padding,
          bias: dwBias,
          activation: "relu6",
        });
        return tf.fused.conv2d({ x: mid, filter: pwFilter, strides: 1, pad: "valid", bias, activation: "relu6" });
      });
  } else {
    const filter = keep(tf.tensor4d(data.filter, [k, k, cin, cout]));
    compute = () => tf.fused.conv2d({ x, filter, strides: stride, pad: padding, bias, activation: "relu6" });
  }
  const output = () => {
    const y = compute();
    const values = y.dataSync();
    y.dispose();
    return values;
  };
  return { run: output, output, dispose: () => tf.dispose(tensors) };
}

/**
 * A TensorFlow.js peer on backend 'wasm' or 'cpu'. tfjs has one active backend per process, so
 * the driver calls enter() before running a peer's samples (switching is not timed).
 */
export async function tfjsPeer(backendName, threads = 1) {
  tf.enableProdMode(); // as production apps run it (and no "install tfjs-node" banner)
  if (backendName === "wasm") setThreadsCount(threads);
  const enter = async () => {
    if (tf.getBackend() !== backendName) await tf.setBackend(backendName);
  };
  await enter();
  await tf.ready();
  const simd = backendName === "wasm" && tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
  const multithread = backendName === "wasm" && tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
  // Threads only count where tfjs loaded its threaded build (it needs multithread support).
  const running = multithread ? threads : 1;
  return {
    key: `tfjs-${backendName}`,
    name:
      backendName === "wasm"
        ? `tfjs-wasm${simd ? " (XNNPACK, SIMD" : " (no SIMD"}${running > 1 ? `, ${running} threads` : ""})`
        : "tfjs-cpu",
    version: tf.version_core,
    detail: backendName === "wasm" ? { simd, multithreadSupport: multithread, threads: running } : {},
    slow: backendName === "cpu",
    enter,
    async prepare(c, data) {
      await enter();
      return tfLayer(c, data);
    },
  };
}
