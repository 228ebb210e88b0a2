import type { ModelArtifacts } from "../src/index.js";

type Artifacts = ModelArtifacts & { weightData: ArrayBuffer; modelTopology: object; format?: string };
export function nsfwjsArtifacts(name: "mobilenet_v2" | "mobilenet_v2_mid" | "inception_v3"): Artifacts;
export function mobileNetV2Artifacts(): Artifacts;
