import { describe, expect, it } from "vitest";
import { baseTypeRefusals } from "../../src/ddl/plan/base-type-refusals.js";
import type { AggregateRoutine, CatalogModel, Routine } from "../../src/introspect/model.js";
import { fn } from "./plan-builders.js";
import { FIXTURE } from "./plan-fixture.js";

/** pg_proc lists an aggregate as language internal whatever its support functions are. */
const product: AggregateRoutine = {
  oid: 41,
  schema: "app",
  name: "product",
  identityArgs: "numeric",
  language: "internal",
  kind: "aggregate",
  aggregate: {
    kind: "normal",
    arguments: "numeric",
    transition: { function: "numeric_mul", stateType: "numeric", stateSpace: 0, initialValue: "1" },
    finalModify: "read-only",
    movingFinalModify: "read-only",
    parallel: "unsafe",
  },
};
const inC: Routine = { ...fn(42, "fast_hash", "text", "AS 'hashlib', 'fast_hash'"), language: "c" };

const model = (routines: Routine[]): CatalogModel => ({ ...FIXTURE, baseTypes: [], routines });

describe("baseTypeRefusals: routines a destination role that is no superuser cannot create", () => {
  it("refuses a function in C, naming it", () => {
    expect(baseTypeRefusals(model([inC]), { superuser: false }, 17)).toEqual([
      {
        object: 'function "app"."fast_hash"(text)',
        reason:
          "it is written in C code, which only a superuser can create: run the sync as a superuser of the destination",
      },
    ]);
  });

  it("lets an aggregate through: CREATE AGGREGATE needs no superuser", () => {
    expect(baseTypeRefusals(model([product]), { superuser: false }, 17)).toEqual([]);
  });

  it("refuses nothing for a superuser", () => {
    expect(baseTypeRefusals(model([inC, product]), { superuser: true }, 17)).toEqual([]);
  });
});
