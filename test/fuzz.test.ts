// Property tests: random shapes and options for every op, one-shot and prepared, on every
// build, against the plain-JS reference (test/fuzz-config.ts). Fixed seeds, so a run is
// reproducible; on failure fast-check shrinks the configuration and prints the minimal
// counterexample. Keep a shrunk failure as a named test in regressions.test.ts.

import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { init } from "../src/index.js";
import { OPS } from "./cases.js";
import { checkConfig, configArbitrary } from "./fuzz-config.js";
import { ALL_BACKENDS } from "./helpers.js";

/** Runs per op and build: 4 ops x 4 builds x RUNS configurations in all. */
const RUNS = 150;
const SEED = 20260501;

for (const build of ALL_BACKENDS) {
  describe(`fuzz against the reference on ${build}`, () => {
    beforeAll(() => init({ backend: build }));

    for (const [i, op] of OPS.entries()) {
      it(op, () => {
        fc.assert(
          fc.property(configArbitrary(op), (c) => checkConfig(c)),
          { seed: SEED + i, numRuns: RUNS },
        );
      });
    }
  });
}
