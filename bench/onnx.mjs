// ONNX graphs of the benchmark cases, built in-process (no onnx or protobuf dependency): each
// case becomes a small model (weights as initializers, bias, relu6 as Clip) for ONNX Runtime Web
// (bench/peers/onnx.mjs). ONNX is NCHW and sepconv/TF are NHWC, so weights are transposed here
// and inputs/outputs by nhwcToNchw/nchwToNhwc.
import { graph, model, node, tensor, valueInfo } from "./onnx-proto.mjs";

/** [top, left, bottom, right] padding of one spatial axis pair, TensorFlow's 'same' rule. */
function pads(layer) {
  if (layer.padding === "valid") return [0, 0, 0, 0];
  const along = (size) => {
    const out = Math.ceil(size / layer.stride);
    const total = Math.max((out - 1) * layer.stride + layer.k - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [top, bottom] = along(layer.h);
  const [left, right] = along(layer.w);
  return [top, left, bottom, right];
}

/** TF filter [kH, kW, Cin, Cout] -> ONNX [Cout, Cin, kH, kW] (depthwise: Cin = 1, Cout = C). */
function toOihw(f, k, cin, cout) {
  const w = new Float32Array(f.length);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < cin; i++)
      for (let t = 0; t < k * k; t++) w[(o * cin + i) * k * k + t] = f[(t * cin + i) * cout + o];
  return w;
}

/** NHWC <-> NCHW for batch 1. */
export function nhwcToNchw(x, h, w, c) {
  const y = new Float32Array(x.length);
  for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) y[ch * h * w + p] = x[p * c + ch];
  return y;
}
export function nchwToNhwc(x, h, w, c) {
  const y = new Float32Array(x.length);
  for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) y[p * c + ch] = x[ch * h * w + p];
  return y;
}

/**
 * The ONNX model of one bench layer (op dw | pw | conv | sep) with relu6 after every conv, the
 * same computation as the sepconv and TensorFlow.js peers. opset 13: Clip takes min/max as inputs.
 */
export function layerModel(layer, data) {
  const { k, cin, cout, stride } = layer;
  const out = layer.padding === "same" ? Math.ceil(layer.h / stride) : Math.floor((layer.h - k) / stride) + 1;
  const outW = layer.padding === "same" ? Math.ceil(layer.w / stride) : Math.floor((layer.w - k) / stride) + 1;
  const inits = [tensor("zero", [], Float32Array.of(0)), tensor("six", [], Float32Array.of(6))];
  const nodes = [];
  const conv = (input, output, w, wDims, bias, attrs) => {
    inits.push(tensor(`${output}_w`, wDims, w), tensor(`${output}_b`, [bias.length], bias));
    nodes.push(node("Conv", [input, `${output}_w`, `${output}_b`], [`${output}_pre`], attrs));
    nodes.push(node("Clip", [`${output}_pre`, "zero", "six"], [output]));
  };
  const spatial = { kernel_shape: [k, k], strides: [stride, stride], pads: pads(layer) };
  if (layer.op === "dw" || layer.op === "sep") {
    const filter = layer.op === "sep" ? data.dwFilter : data.filter;
    const bias = layer.op === "sep" ? data.dwBias : data.bias;
    conv("x", layer.op === "sep" ? "mid" : "y", toOihw(filter, k, 1, cin), [cin, 1, k, k], bias, {
      ...spatial,
      group: cin,
    });
  }
  if (layer.op === "sep") conv("mid", "y", toOihw(data.pwFilter, 1, cin, cout), [cout, cin, 1, 1], data.bias, {});
  if (layer.op === "pw" || layer.op === "conv")
    conv("x", "y", toOihw(data.filter, k, cin, cout), [cout, cin, k, k], data.bias, spatial);
  const g = graph({
    name: layer.name,
    nodes,
    initializers: inits,
    inputs: [valueInfo("x", [1, cin, layer.h, layer.w])],
    outputs: [valueInfo("y", [1, cout, out, outW])],
  });
  return { bytes: model(g), inputDims: [1, cin, layer.h, layer.w], outShape: [out, outW, cout] };
}

/** Loads onnxruntime-web for one thread. In Node its entry finds ort-wasm-simd-threaded.{mjs,wasm} next to itself. */
export async function loadOrt(threads = 1) {
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = threads; // 1: no worker pool, the same single thread as every other peer
  ort.env.logLevel = "error";
  return ort;
}

export const SESSION_OPTIONS = { executionProviders: ["wasm"], graphOptimizationLevel: "all" };
