// The plain-JS reference as one object for the default entry (`import { reference } from "sepconv"`).
// An object literal rather than `export * as reference`: a bundler drops an unused literal, where
// the namespace esbuild writes for `export * as` is a call it must keep, with every function it
// names (an app of the kernels alone would carry the reference imageToTensor and its checks).

import { conv2d, depthwiseConv2d, imageToTensor, pointwiseConv2d, separableConv2d } from "./index.js";

export const reference = { depthwiseConv2d, pointwiseConv2d, conv2d, separableConv2d, imageToTensor };
