export interface LayerShape {
  model: string;
  name: string;
  op: "conv" | "dw" | "pw";
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  padding: "same" | "valid";
}
export function readModel(file: string): LayerShape[];
export function readModels(): { model: string; layers: LayerShape[] }[];
export function separableBlocks(layers: LayerShape[]): { depthwise: LayerShape; pointwise: LayerShape }[];
export function parseModel(model: string, text: string): LayerShape[];
