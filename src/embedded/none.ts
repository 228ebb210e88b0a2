// The embedded builds of sepconv/slim: none. scripts/build.mjs bundles the slim entry with this
// module in place of wasm.generated.ts, so init() there needs options.wasm (see init.ts).
export const scalar: string = "";
export const simdAndRelaxedSimd: string = "";
export const simdLength: number = 0;
export const relaxedSimdLength: number = 0;
export const chunk: number = 0;
export const simdThreads: ThreadsDelta = { prefix: 0, middle: "", suffix: 0 };
export const relaxedSimdThreads: ThreadsDelta = { prefix: 0, middle: "", suffix: 0 };
export interface ThreadsDelta {
  prefix: number;
  middle: string;
  suffix: number;
}
