// Reads bench/models/*.txt: one layer per line, and separable blocks (a dw line then a pw line).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseModel, separableBlocks } from "./model-shapes.mjs";

export { parseModel, separableBlocks };

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
