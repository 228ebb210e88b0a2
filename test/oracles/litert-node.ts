// The oracle of the TFLite tests: LiteRT.js in Node (the loader and its shim are in
// bench/litert.mjs, shared with the benchmarks).
export { litertModel, type OracleOutput } from "../../bench/litert.mjs";
