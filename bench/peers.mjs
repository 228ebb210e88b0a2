// The peers a user would pick instead of sepconv, each set up on its best path: filters are
// created once (so operator caches hit), the input lives on the backend, one thread.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";

const TF_PAD = (p) => p;

/** Prepares one layer on a TensorFlow.js backend; returns run() that computes and reads back. */
function tfLayer(layer, data) {
  const { op, stride, padding } = layer;
  const x = tf.tensor4d(data.x, [1, layer.h, layer.w, layer.cin]);
  const bias = tf.tensor1d(data.bias);
  let run;
  if (op === "dw") {
    const filter = tf.tensor4d(data.filter, [layer.k, layer.k, layer.cin, 1]);
    run = () =>
      tf.fused.depthwiseConv2d({ x, filter, strides: stride, pad: TF_PAD(padding), bias, activation: "relu6" });
  } else if (op === "sep") {
    const dwFilter = tf.tensor4d(data.dwFilter, [layer.k, layer.k, layer.cin, 1]);
    const pwFilter = tf.tensor4d(data.pwFilter, [1, 1, layer.cin, layer.cout]);
    const dwBias = tf.tensor1d(data.dwBias);
    run = () =>
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
    const filter = tf.tensor4d(data.filter, [layer.k, layer.k, layer.cin, layer.cout]);
    run = () => tf.fused.conv2d({ x, filter, strides: stride, pad: padding, bias, activation: "relu6" });
  }
  return {
    run() {
      const y = run();
      y.dataSync();
      y.dispose();
    },
    dispose() {
      tf.disposeVariables();
    },
  };
}

export async function tfjsPeer(backendName) {
  if (backendName === "wasm") setThreadsCount(1);
  await tf.setBackend(backendName);
  await tf.ready();
  const simd = backendName === "wasm" ? tf.env().getBool("WASM_HAS_SIMD_SUPPORT") : false;
  return {
    name: backendName === "wasm" ? `tfjs-wasm${simd ? " (XNNPACK, SIMD)" : ""}` : "tfjs-cpu",
    key: `tfjs-${backendName}`,
    prepare: (layer, data) => tfLayer(layer, data),
  };
}
