// Typed here rather than through @litertjs/core's declarations, which reference WebGPU and
// newer lib types that change the project's global typed-array types.
export interface OracleOutput {
  name: string;
  shape: number[];
  data: Float32Array;
}
export interface LiteRtModel {
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; shape: number[] }[];
  run(data: Float32Array[]): Promise<OracleOutput[]>;
  delete(): void;
}
export function liteRt(): Promise<unknown>;
export function litertModel(model: Uint8Array): Promise<LiteRtModel>;
