// The embedded builds of sepconv/slim: none. scripts/build.mjs bundles the slim entry with this
// module in place of wasm.generated.ts, so init() there needs options.wasm (see init.ts).
export const scalar: string = "";
export const simd: string = "";
export const relaxedSimd: string = "";
