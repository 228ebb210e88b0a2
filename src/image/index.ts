// Image input, resizes and class scores: imageToTensor, resizeTensor and topK.
export { imageToTensor } from "./image-to-tensor.js";
export type { ImageSource, ImageToTensorOptions } from "./options.js";
export { type ResizeFlags, type ResizeMode, resizeTensor } from "./resize.js";
export { type TopK, topK } from "./top-k.js";
