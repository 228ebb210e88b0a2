// Property tests: random shapes and options for every op, one-shot and prepared, on every
// build (test/fuzz-config.ts): the wasm builds against the plain-JS reference, and the 'js'
// backend, which is that reference, against TensorFlow.js's CPU backend (test/tf-oracle.ts),
// so the reference is itself checked on the same configurations. Fixed seeds, so a run is
// reproducible; on failure fast-check shrinks the configuration and prints the minimal
// counterexample. Keep a shrunk failure as a named test in regressions.test.ts.

import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { init } from "../src/index.js";
import { OPS } from "./cases.js";
import { checkConfig, configArbitrary, type Oracle } from "./fuzz-config.js";
import { ALL_BACKENDS } from "./helpers.js";
import { tfOracle, useTfCpu } from "./tf-oracle.js";

/** Runs per op and build: 4 ops x 4 builds x RUNS configurations in all. */
const RUNS = 150;
const SEED = 20260501;

for (const build of ALL_BACKENDS) {
  const independent = build === "js";
  const oracle: Oracle | undefined = independent ? tfOracle : undefined;
  describe(`fuzz against ${independent ? "TensorFlow.js's CPU backend" : "the reference"} on ${build}`, () => {
    beforeAll(async () => {
      await init({ backend: build });
      if (independent) await useTfCpu();
    });

    for (const [i, op] of OPS.entries()) {
      it(op, () => {
        fc.assert(
          fc.property(configArbitrary(op), (c) => checkConfig(c, oracle)),
          { seed: SEED + i, numRuns: RUNS },
        );
      });
    }
  });
}
