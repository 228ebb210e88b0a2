// TensorFlow.js's best path for a Keras MobileNet: what a converted graph model runs. Batch
// norms are folded into the conv weights, ReLU6 and biases fused into tf.fused.conv2d /
// depthwiseConv2d / matMul, Dropout dropped, and a ZeroPadding2D before a 'valid' conv turned
// into 'same' when that is the same padding (true for MobileNetV2's even sizes). tfjs-layers
// instead runs every layer as its own op. Only the layer types of MobileNet v1/v2 are handled.
import * as tf from "@tensorflow/tfjs-core";

/** @returns {(x: tf.Tensor4D) => tf.Tensor} built from a tfjs-layers model on the active backend. */
export function fusedTfjs(model) {
  const layers = model.layers;
  const consumers = new Map();
  for (const layer of layers) {
    for (const node of layer.inboundNodes) {
      for (const input of node.inboundLayers) consumers.set(input.name, [...(consumers.get(input.name) ?? []), layer]);
    }
  }
  const only = (layer) => {
    const list = consumers.get(layer.name) ?? [];
    return list.length === 1 ? list[0] : undefined;
  };
  const inputsOf = (layer) => layer.inboundNodes[0]?.inboundLayers.map((l) => l.name) ?? [];
  const steps = [];
  const alias = new Map();
  const source = (name) => alias.get(name) ?? name;
  for (const layer of layers) {
    const cls = layer.getClassName();
    const [input] = inputsOf(layer).map(source);
    if (cls === "InputLayer") continue;
    if (alias.has(layer.name)) continue;
    if (cls === "ZeroPadding2D" || cls === "Dropout" || cls === "Flatten") {
      alias.set(layer.name, input);
      if (cls === "Flatten")
        steps.push({ name: layer.name, inputs: [input], run: ([x]) => tf.reshape(x, [x.shape[0], -1]) });
      if (cls === "Flatten") alias.delete(layer.name);
      continue;
    }
    if (cls === "Conv2D" || cls === "DepthwiseConv2D") {
      const [kernel, bias0] = layer.getWeights();
      let filter = kernel;
      let bias = bias0;
      let end = layer;
      const bn = only(layer);
      if (bn?.getClassName() === "BatchNormalization") {
        const [gamma, beta, mean, variance] = bn.getWeights();
        const scale = tf.div(gamma, tf.sqrt(tf.add(variance, bn.epsilon)));
        const shape = cls === "DepthwiseConv2D" ? [1, 1, scale.shape[0], 1] : [1, 1, 1, scale.shape[0]];
        filter = tf.mul(kernel, tf.reshape(scale, shape));
        bias = tf.sub(beta, tf.mul(mean, scale));
        if (bias0) bias = tf.add(bias, tf.mul(bias0, scale));
        alias.set(bn.name, layer.name);
        end = bn;
      }
      let activation = "linear";
      const relu = only(end);
      if (relu?.getClassName() === "ReLU") {
        activation = relu.maxValue === 6 ? "relu6" : "relu";
        alias.set(relu.name, layer.name);
      }
      const padded = layers.find((l) => l.name === inputsOf(layer)[0])?.getClassName() === "ZeroPadding2D";
      const pad = padded ? "same" : layer.padding;
      const strides = layer.strides;
      const op = cls === "Conv2D" ? tf.fused.conv2d : tf.fused.depthwiseConv2d;
      steps.push({
        name: layer.name,
        inputs: [input],
        run: ([x]) => op({ x, filter, bias, strides, pad, activation }),
      });
      continue;
    }
    if (cls === "Add") {
      steps.push({ name: layer.name, inputs: inputsOf(layer).map(source), run: (xs) => tf.addN(xs) });
      continue;
    }
    if (cls === "AveragePooling2D") {
      steps.push({
        name: layer.name,
        inputs: [input],
        run: ([x]) => tf.avgPool(x, layer.poolSize, layer.strides, layer.padding),
      });
      continue;
    }
    if (cls === "Dense") {
      const [kernel, bias] = layer.getWeights();
      const act = layer.activation.getClassName();
      const activation = act === "softmax" || act === "linear" ? "linear" : act;
      const run = ([x]) => {
        const y = tf.fused.matMul({ a: x, b: kernel, bias, activation });
        return act === "softmax" ? tf.softmax(y) : y;
      };
      steps.push({ name: layer.name, inputs: [input], run });
      continue;
    }
    throw new Error(`tfjs-fused: layer ${layer.name} (${cls}) is not handled`);
  }
  const inputName = model.inputLayers[0].name;
  const outputName = source(model.outputLayers[0].name);
  return (x) =>
    tf.tidy(() => {
      const values = new Map([[inputName, x]]);
      for (const step of steps) values.set(step.name, step.run(step.inputs.map((n) => values.get(n))));
      return values.get(outputName);
    });
}
