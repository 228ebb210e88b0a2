// Reads bench/models/*.txt: one layer per line, and separable blocks (a dw line then a pw line).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseModel } from "./model-shapes.mjs";

export { parseModel };

const DIR = fileURLToPath(new URL("./models/", import.meta.url));

/** @typedef {{ model: string, name: string, op: "conv" | "dw" | "pw", h: number, w: number, cin: number, cout: number, k: number, stride: number, padding: "same" | "valid" }} LayerShape */

/** @returns {LayerShape[]} */
export function readModel(file) {
  return parseModel(file.replace(/\.txt$/, ""), readFileSync(DIR + file, "utf8"));
}

/** Every model file, in name order. */
export function readModels() {
  return readdirSync(DIR)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((file) => ({ model: file.replace(/\.txt$/, ""), layers: readModel(file) }));
}

/** Separable blocks: each dw layer with the pw layer right after it. */
export function separableBlocks(layers) {
  const blocks = [];
  for (let i = 0; i + 1 < layers.length; i++) {
    if (layers[i].op === "dw" && layers[i + 1].op === "pw")
      blocks.push({ depthwise: layers[i], pointwise: layers[i + 1] });
  }
  return blocks;
}
