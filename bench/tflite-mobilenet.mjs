// nsfwjs's MobileNetV2 layers model (bench/nsfwjs-model.mjs, uint8 weights dequantized to
// float32) written as a float32 .tflite file, as the TFLite converter would: batch norms folded
// into the convs (bias + fused RELU6), ZeroPadding2D as PAD, residual ADD, AVERAGE_POOL_2D 7x7,
// RESHAPE for Flatten, FULLY_CONNECTED (RELU fused), SOFTMAX. Built in memory with
// test/tflite-builder.ts (bundled by esbuild at run time so plain node can use it; its test
// helpers import is stubbed, the random weights are not used here).
import { build } from "esbuild";
import { nsfwjsArtifacts } from "./nsfwjs-model.mjs";

const ROOT = new URL("..", import.meta.url).pathname;

async function builderModule() {
  const entry = `
export { TfliteBuilder, BuiltinOperator, BuiltinOptions } from "./test/tflite-builder.ts";
export { Conv2DOptions } from "./src/model/tflite/schema/tflite/conv2-doptions.ts";
export { DepthwiseConv2DOptions } from "./src/model/tflite/schema/tflite/depthwise-conv2-doptions.ts";
export { AddOptions } from "./src/model/tflite/schema/tflite/add-options.ts";
export { Pool2DOptions } from "./src/model/tflite/schema/tflite/pool2-doptions.ts";
export { FullyConnectedOptions } from "./src/model/tflite/schema/tflite/fully-connected-options.ts";
export { SoftmaxOptions } from "./src/model/tflite/schema/tflite/softmax-options.ts";
export { ReshapeOptions } from "./src/model/tflite/schema/tflite/reshape-options.ts";
`;
  const stub = {
    name: "stub-helpers",
    setup(b) {
      b.onResolve({ filter: /\/helpers\.js$/ }, () => ({ path: "helpers", namespace: "stub" }));
      b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
        contents: "export const rng = () => () => { throw new Error('no random weights here'); };",
      }));
    },
  };
  const out = await build({
    stdin: { contents: entry, resolveDir: ROOT, loader: "ts" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    plugins: [stub],
    logLevel: "silent",
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}

/** Float32 values of every weight, dequantized as tfjs does (q * scale + min). */
function weightsOf(artifacts) {
  const bytes = new Uint8Array(artifacts.weightData);
  const out = new Map();
  let offset = 0;
  for (const spec of artifacts.weightSpecs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const q = spec.quantization;
    let values;
    if (q) {
      if (q.dtype !== "uint8") throw new Error(`${spec.name}: ${q.dtype}`);
      values = new Float32Array(size);
      for (let i = 0; i < size; i++) values[i] = bytes[offset + i] * q.scale + q.min;
      offset += size;
    } else {
      values = new Float32Array(bytes.slice(offset, offset + size * 4).buffer);
      offset += size * 4;
    }
    out.set(spec.name, { shape: spec.shape, values });
  }
  return out;
}

/** The .tflite file's bytes. */
export async function mobilenetV2Tflite(artifacts = nsfwjsArtifacts("mobilenet_v2")) {
  const M = await builderModule();
  const { TfliteBuilder, BuiltinOperator: Op, BuiltinOptions: Opt } = M;
  const RELU = 1;
  const RELU6 = 3;
  const SAME = 0;
  const VALID = 1;
  const topology = artifacts.modelTopology.model_config ?? artifacts.modelTopology;
  const layers = topology.config.layers;
  const W = weightsOf(artifacts);
  const w = (layer, name) => W.get(`${layer}/${name}`);
  const tb = new TfliteBuilder();
  // Each layer's output: { id, shape, pending } where pending is a conv not yet emitted.
  const outs = new Map();
  let input;
  const inputsOf = (l) => l.inbound_nodes[0].map((n) => n[0]);
  // Convs are emitted lazily: the batch norm and ReLU after them fold into them.
  const emitConv = (p) => {
    const out = tb.tensor(p.outShape, p.name);
    const bias = tb.weights([p.bias.length], Array.from(p.bias));
    if (p.kind === "conv") {
      const [kh, kw, cin, cout] = p.kernel.shape;
      // HWIO -> OHWI, scaled per output channel.
      const k = new Float32Array(p.kernel.values.length);
      for (let o = 0; o < cout; o++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++)
            for (let i = 0; i < cin; i++)
              k[((o * kh + y) * kw + x) * cin + i] = p.kernel.values[((y * kw + x) * cin + i) * cout + o] * p.scale[o];
      const kid = tb.weights([cout, kh, kw, cin], Array.from(k));
      tb.op(Op.CONV_2D, [p.input, kid, bias], [out], Opt.Conv2DOptions, (b) =>
        M.Conv2DOptions.createConv2DOptions(b, p.padding, p.stride, p.stride, p.act, 1, 1, 0),
      );
    } else {
      const [kh, kw, c] = p.kernel.shape; // [kh, kw, c, 1] -> [1, kh, kw, c]
      const k = new Float32Array(p.kernel.values.length);
      for (let i = 0; i < k.length; i++) k[i] = p.kernel.values[i] * p.scale[i % c];
      const kid = tb.weights([1, kh, kw, c], Array.from(k));
      tb.op(Op.DEPTHWISE_CONV_2D, [p.input, kid, bias], [out], Opt.DepthwiseConv2DOptions, (b) =>
        M.DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, p.padding, p.stride, p.stride, 1, p.act, 1, 1),
      );
    }
    return out;
  };
  const get = (name) => {
    const o = outs.get(name);
    if (o.pending) {
      o.id = emitConv(o.pending);
      o.pending = undefined;
    }
    return o;
  };
  for (const l of layers) {
    const c = l.config;
    const src = l.inbound_nodes.length ? inputsOf(l) : [];
    switch (l.class_name) {
      case "InputLayer": {
        input = tb.tensor([1, ...c.batch_input_shape.slice(1)], l.name);
        outs.set(l.name, { id: input, shape: [1, ...c.batch_input_shape.slice(1)] });
        break;
      }
      case "ZeroPadding2D": {
        const x = get(src[0]);
        const [[t, bt], [lf, r]] = c.padding;
        const shape = [1, x.shape[1] + t + bt, x.shape[2] + lf + r, x.shape[3]];
        const out = tb.tensor(shape, l.name);
        tb.op(Op.PAD, [x.id, tb.ints([4, 2], [0, 0, t, bt, lf, r, 0, 0])], [out]);
        outs.set(l.name, { id: out, shape });
        break;
      }
      case "Conv2D":
      case "DepthwiseConv2D": {
        const x = get(src[0]);
        const stride = c.strides[0];
        const [kh] = c.kernel_size;
        const same = c.padding === "same";
        const size = (n) => (same ? Math.ceil(n / stride) : Math.floor((n - kh) / stride) + 1);
        const kernel = w(l.name, l.class_name === "Conv2D" ? "kernel" : "depthwise_kernel");
        const cout = l.class_name === "Conv2D" ? c.filters : x.shape[3];
        const outShape = [1, size(x.shape[1]), size(x.shape[2]), cout];
        const bias = c.use_bias ? Float64Array.from(w(l.name, "bias").values) : new Float64Array(cout);
        if (c.activation !== "linear") throw new Error(`${l.name}: activation ${c.activation}`);
        outs.set(l.name, {
          shape: outShape,
          pending: {
            kind: l.class_name === "Conv2D" ? "conv" : "depthwise",
            name: l.name,
            input: x.id,
            kernel,
            scale: new Float64Array(cout).fill(1),
            bias,
            stride,
            padding: same ? SAME : VALID,
            act: 0,
            outShape,
          },
        });
        break;
      }
      case "BatchNormalization": {
        const o = outs.get(src[0]);
        if (!o.pending || o.pending.act) throw new Error(`${l.name}: not after a conv`);
        const p = o.pending;
        const g = w(l.name, "gamma").values;
        const be = w(l.name, "beta").values;
        const mean = w(l.name, "moving_mean").values;
        const v = w(l.name, "moving_variance").values;
        for (let i = 0; i < p.scale.length; i++) {
          const s = g[i] / Math.sqrt(v[i] + c.epsilon);
          p.scale[i] *= s;
          p.bias[i] = (p.bias[i] - mean[i]) * s + be[i];
        }
        outs.set(l.name, o);
        break;
      }
      case "ReLU": {
        const o = outs.get(src[0]);
        if (!o.pending || c.max_value !== 6) throw new Error(`${l.name}: not a RELU6 after a conv`);
        o.pending.act = RELU6;
        outs.set(l.name, o);
        break;
      }
      case "Add": {
        const [a, b] = src.map(get);
        const out = tb.tensor(a.shape, l.name);
        tb.op(Op.ADD, [a.id, b.id], [out], Opt.AddOptions, (fb) => M.AddOptions.createAddOptions(fb, 0, false));
        outs.set(l.name, { id: out, shape: a.shape });
        break;
      }
      case "AveragePooling2D": {
        const x = get(src[0]);
        const [ph, pw] = c.pool_size;
        const [sh, sw] = c.strides;
        if (c.padding !== "valid") throw new Error(`${l.name}: padding ${c.padding}`);
        const shape = [1, Math.floor((x.shape[1] - ph) / sh) + 1, Math.floor((x.shape[2] - pw) / sw) + 1, x.shape[3]];
        const out = tb.tensor(shape, l.name);
        tb.op(Op.AVERAGE_POOL_2D, [x.id], [out], Opt.Pool2DOptions, (b) =>
          M.Pool2DOptions.createPool2DOptions(b, VALID, sw, sh, pw, ph, 0),
        );
        outs.set(l.name, { id: out, shape });
        break;
      }
      case "Flatten": {
        const x = get(src[0]);
        const shape = [1, x.shape.slice(1).reduce((a, b) => a * b, 1)];
        const out = tb.tensor(shape, l.name);
        const s = tb.ints([2], shape);
        tb.op(Op.RESHAPE, [x.id, s], [out], Opt.ReshapeOptions, (b) =>
          M.ReshapeOptions.createReshapeOptions(b, M.ReshapeOptions.createNewShapeVector(b, shape)),
        );
        outs.set(l.name, { id: out, shape });
        break;
      }
      case "Dropout":
        outs.set(l.name, get(src[0]));
        break;
      case "Dense": {
        const x = get(src[0]);
        const kernel = w(l.name, "kernel"); // [in, units] -> [units, in]
        const [n, u] = kernel.shape;
        const k = new Float32Array(n * u);
        for (let i = 0; i < n; i++) for (let j = 0; j < u; j++) k[j * n + i] = kernel.values[i * u + j];
        const kid = tb.weights([u, n], Array.from(k));
        const bid = tb.weights([u], Array.from(w(l.name, "bias").values));
        const act = { relu: RELU, linear: 0, softmax: 0 }[c.activation];
        if (act === undefined) throw new Error(`${l.name}: activation ${c.activation}`);
        let out = tb.tensor([1, u], c.activation === "softmax" ? `${l.name}_logits` : l.name);
        tb.op(Op.FULLY_CONNECTED, [x.id, kid, bid], [out], Opt.FullyConnectedOptions, (b) =>
          M.FullyConnectedOptions.createFullyConnectedOptions(b, act, 0, false, false, 0),
        );
        if (c.activation === "softmax") {
          const logits = out;
          out = tb.tensor([1, u], l.name);
          tb.op(Op.SOFTMAX, [logits], [out], Opt.SoftmaxOptions, (b) => M.SoftmaxOptions.createSoftmaxOptions(b, 1));
        }
        outs.set(l.name, { id: out, shape: [1, u] });
        break;
      }
      default:
        throw new Error(`${l.name}: layer ${l.class_name}`);
    }
  }
  const last = get(topology.config.output_layers[0][0]);
  return tb.bytes([input], [last.id]);
}
