import type { nsfwjsArtifacts } from "./nsfwjs-model.mjs";

/** nsfwjs's MobileNetV2 layers model as a float32 .tflite file's bytes. */
export function mobilenetV2Tflite(artifacts?: ReturnType<typeof nsfwjsArtifacts>): Promise<Uint8Array>;
