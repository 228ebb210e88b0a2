import type { ModelArtifacts } from "../src/index.js";
export function mobileNetV2Artifacts(): ModelArtifacts & { weightData: ArrayBuffer; modelTopology: object };
