// Image input and class scores: imageToTensor and topK.
export { imageToTensor } from "./image-to-tensor.js";
export type { ImageSource, ImageToTensorOptions } from "./options.js";
export { type TopK, topK } from "./top-k.js";
