import { describe, expect, it } from "vitest";
import { planSync } from "../../src/ddl/plan.js";
import { compressionRefusals } from "../../src/ddl/version-rules.js";
import { col, ID, tbl } from "./plan-builders.js";
import { FIXTURE } from "./plan-fixture.js";

const docs = tbl(900, "docs", [ID, col(2, "body", "text", { compression: "lz4" }), col(3, "note", "text")]);
const model = { ...FIXTURE, tables: [...FIXTURE.tables, docs] };

describe("columns compressed with a method the destination's server lacks", () => {
  it("are refused in the plan, naming the column and the methods the destination has", () => {
    const plan = planSync(model, {
      targetMajor: 17,
      stagingPrefix: "_pgsync_stage_t",
      compressionMethods: new Set(["pglz"]),
    });
    expect(plan.refusals).toContainEqual({
      object: `column "${docs.schema}"."docs"."body"`,
      reason: expect.stringMatching(
        /^it is compressed with lz4, which the destination's server was built without \(it has pglz\)/,
      ),
    });
  });

  it("are not refused where the server has the method, or where nothing is known of it", () => {
    expect(compressionRefusals(model, new Set(["pglz", "lz4"]))).toEqual([]);
    expect(compressionRefusals(model, undefined)).toEqual([]);
  });
});
