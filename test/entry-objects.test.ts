// The default entry's `reference` and `cost` are object literals (so a bundler can drop them when
// unused, see src/reference/namespace.ts): they must carry every function of their module, the
// same functions, as `export * as` did.

import { describe, expect, it } from "vitest";
import * as costModule from "../src/cost.js";
import { cost, reference } from "../src/index.js";
import * as referenceModule from "../src/reference/index.js";

const functionsOf = (module: object) =>
  Object.entries(module)
    .filter(([, value]) => typeof value === "function")
    .sort(([a], [b]) => a.localeCompare(b));

describe("the default entry's objects", () => {
  it("reference holds exactly sepconv/reference's functions", () => {
    expect(functionsOf(reference)).toEqual(functionsOf(referenceModule));
    expect(Object.keys(reference).length).toBe(functionsOf(referenceModule).length);
  });

  it("cost holds exactly the cost model's functions", () => {
    expect(functionsOf(cost)).toEqual(functionsOf(costModule));
    expect(Object.keys(cost).length).toBe(functionsOf(costModule).length);
  });
});
