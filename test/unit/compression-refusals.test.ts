import { describe, expect, it } from "vitest";
import { destinationRefusals } from "../../src/ddl/plan/destination-refusals.js";
import { planSync } from "../../src/ddl/plan.js";
import { col, ID, tbl } from "./plan-builders.js";
import { FIXTURE } from "./plan-fixture.js";

const docs = tbl(900, "docs", [ID, col(2, "body", "text", { compression: "lz4" }), col(3, "note", "text")]);
const model = { ...FIXTURE, tables: [...FIXTURE.tables, docs] };
/** A destination with every extension and language of the fixture, and these compression methods. */
const destinationWith = (compressionMethods: ReadonlySet<string>) => ({
  extensions: {
    installed: new Map(model.extensions.map((e) => [e.name, { schema: e.schema }])),
    available: new Set<string>(),
  },
  languages: new Set(model.routines.map((r) => r.language)),
  compressionMethods,
});

describe("columns compressed with a method the destination's server lacks", () => {
  it("are refused in the plan, naming the column and the methods the destination has", () => {
    const plan = planSync(model, {
      targetMajor: 17,
      stagingPrefix: "_pgsync_stage_t",
      destination: destinationWith(new Set(["pglz"])),
    });
    expect(plan.refusals).toContainEqual({
      object: `column "${docs.schema}"."docs"."body"`,
      reason: expect.stringMatching(
        /^it is compressed with lz4, which the destination's server was built without \(it has pglz\)/,
      ),
    });
  });

  it("are not refused where the server has the method, or where nothing is known of it", () => {
    expect(destinationRefusals(model, destinationWith(new Set(["pglz", "lz4"])))).toEqual([]);
    expect(destinationRefusals(model, undefined)).toEqual([]);
  });
});
