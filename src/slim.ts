// sepconv/slim: the API of "sepconv" without the three embedded builds (139 KB of base64), for apps
// that host the one .wasm file they use: init({ wasm }) or initSync({ wasm }) is required (the
// 'js' backend aside). scripts/build.mjs bundles it with src/embedded/none.ts as the embedded builds.
export * from "./index.js";
