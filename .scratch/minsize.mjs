import { gzipSync } from "node:zlib";
import { build } from "esbuild";

for (const [label, opts] of [
  ["none", {}],
  ["ws+syntax", { minifyWhitespace: true, minifySyntax: true }],
  ["full+keepNames", { minify: true, keepNames: true }],
  ["full", { minify: true }],
]) {
  for (const entry of ["index", "slim"]) {
    const r = await build({
      bundle: true,
      platform: "neutral",
      target: "es2022",
      entryPoints: [`src/${entry}.ts`],
      format: "esm",
      write: false,
      ...opts,
    });
    const b = r.outputFiles[0].contents;
    console.log(label, entry, b.length, gzipSync(b, { level: 9 }).length);
  }
}
