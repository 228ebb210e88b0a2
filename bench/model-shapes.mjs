// Parses one bench/models/*.txt text: a layer per line (name op H W Cin Cout k stride padding),
// # comments. No file system, so that the browser benchmark page (bench/web/) can use it.

/** The model files by the short keys the benchmarks take (--models v1,v2,v3,large). */
export const MODEL_KEYS = {
  v1: "mobilenet_v1_224",
  v2: "mobilenet_v2_224",
  v3: "mobilenet_v3_large_224",
  large: "large_kernels",
};

/** @returns {import("./models.mjs").LayerShape[]} */
export function parseModel(model, text) {
  return text
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter(Boolean)
    .map((line) => {
      const [name, op, h, w, cin, cout, k, stride, padding] = line.split(/\s+/);
      return { model, name, op, h: +h, w: +w, cin: +cin, cout: +cout, k: +k, stride: +stride, padding };
    });
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
