import { describe, expect, it } from "vitest";
import { createAccessMethod } from "../../src/ddl/render/access-methods.js";
import { createAggregate } from "../../src/ddl/render/aggregates.js";
import { constraintDefinition } from "../../src/ddl/render/constraints.js";
import type { Aggregate, AggregateRoutine, Constraint } from "../../src/introspect/model.js";
import { contextFor, MAJORS, STAGE } from "./render-fixture.js";

const aggregate = (name: string, a: Partial<Aggregate>): AggregateRoutine => ({
  oid: 1,
  schema: "app",
  name,
  identityArgs: a.arguments ?? "integer",
  language: "internal",
  kind: "aggregate",
  aggregate: {
    kind: "normal",
    arguments: "integer",
    transition: { function: "app.cmp", stateType: "integer", stateSpace: 0 },
    finalModify: "read-only",
    movingFinalModify: "read-only",
    parallel: "unsafe",
    ...a,
  },
});

const constraint = (definition: string, indexOptions?: string[]): Constraint => ({
  oid: 2,
  table: { schema: "app", name: "orders" },
  tableOid: 3,
  name: "c",
  kind: "unique",
  definition,
  ...(indexOptions ? { indexOptions } : {}),
});

// None of these renderers depends on the destination's version.
describe.each(MAJORS)("createAggregate, for PostgreSQL %i", (major) => {
  const ctx = contextFor(major);

  it("renders every part of a normal aggregate, a qualified sort operator as OPERATOR(schema.op)", () => {
    const sql = createAggregate(
      aggregate("my_min", {
        transition: { function: "app.cmp", stateType: "app.status", stateSpace: 64, initialValue: "new" },
        final: { function: "app.to_status", extra: true },
        finalModify: "shareable",
        combine: "app.cmp",
        serialize: "app.to_status",
        deserialize: "app.to_status",
        moving: {
          function: "app.cmp",
          inverse: "app.cmp",
          stateType: "integer",
          stateSpace: 0,
          initialValue: "0",
        },
        movingFinal: { function: "app.to_status", extra: false },
        movingFinalModify: "read-write",
        sortOperator: "other.<<<",
        parallel: "safe",
      }),
      ctx,
    );
    expect(sql).toBe(
      [
        `CREATE AGGREGATE ${STAGE}."my_min" (integer) (`,
        `  SFUNC = ${STAGE}.cmp,`,
        `  STYPE = ${STAGE}.status,`,
        "  SSPACE = 64,",
        `  FINALFUNC = ${STAGE}.to_status,`,
        "  FINALFUNC_EXTRA,",
        "  FINALFUNC_MODIFY = SHAREABLE,",
        `  COMBINEFUNC = ${STAGE}.cmp,`,
        `  SERIALFUNC = ${STAGE}.to_status,`,
        `  DESERIALFUNC = ${STAGE}.to_status,`,
        "  INITCOND = 'new',",
        `  MSFUNC = ${STAGE}.cmp,`,
        `  MINVFUNC = ${STAGE}.cmp,`,
        "  MSTYPE = integer,",
        "  MINITCOND = '0',",
        `  MFINALFUNC = ${STAGE}.to_status,`,
        "  MFINALFUNC_MODIFY = READ_WRITE,",
        "  SORTOP = OPERATOR(other.<<<),",
        "  PARALLEL = SAFE",
        ")",
      ].join("\n"),
    );
  });

  it("renders agg(*) and a built-in sort operator bare", () => {
    expect(
      createAggregate(aggregate("n", { arguments: "", sortOperator: ">", parallel: "restricted" }), ctx),
    ).toBe(
      `CREATE AGGREGATE ${STAGE}."n" (*) (\n  SFUNC = ${STAGE}.cmp,\n  STYPE = integer,\n  FINALFUNC_MODIFY = READ_ONLY,\n  MFINALFUNC_MODIFY = READ_ONLY,\n  SORTOP = >,\n  PARALLEL = RESTRICTED\n)`,
    );
    expect(createAggregate(aggregate("m", { sortOperator: "other.<<<" }), ctx)).toContain(
      "SORTOP = OPERATOR(other.<<<)",
    );
  });

  it("renders ordered-set and hypothetical-set aggregates with their ORDER BY arguments", () => {
    const args = "double precision ORDER BY double precision";
    expect(createAggregate(aggregate("pct", { kind: "ordered-set", arguments: args }), ctx)).toBe(
      `CREATE AGGREGATE ${STAGE}."pct" (${args}) (\n  SFUNC = ${STAGE}.cmp,\n  STYPE = integer,\n  FINALFUNC_MODIFY = READ_ONLY,\n  MFINALFUNC_MODIFY = READ_ONLY\n)`,
    );
    expect(
      createAggregate(
        aggregate("rnk", { kind: "hypothetical", arguments: 'VARIADIC "any" ORDER BY VARIADIC "any"' }),
        ctx,
      ),
    ).toContain(
      `(VARIADIC "any" ORDER BY VARIADIC "any") (\n  SFUNC = ${STAGE}.cmp,\n  STYPE = integer,\n  FINALFUNC_MODIFY = READ_ONLY,\n  MFINALFUNC_MODIFY = READ_ONLY,\n  HYPOTHETICAL\n)`,
    );
  });
});

describe.each(MAJORS)("constraintDefinition and createAccessMethod, for PostgreSQL %i", (major) => {
  const ctx = contextFor(major);

  it("writes the index's storage parameters back after the column list and its INCLUDE", () => {
    expect(constraintDefinition(constraint("PRIMARY KEY (id)", ["fillfactor=70"]), ctx)).toBe(
      "PRIMARY KEY (id) WITH (fillfactor=70)",
    );
    expect(
      constraintDefinition(
        constraint("UNIQUE (code, (1)) INCLUDE (note) DEFERRABLE", ["fillfactor=70"]),
        ctx,
      ),
    ).toBe("UNIQUE (code, (1)) INCLUDE (note) WITH (fillfactor=70) DEFERRABLE");
    expect(
      constraintDefinition(constraint("UNIQUE NULLS NOT DISTINCT (email)", ["fillfactor=90"]), ctx),
    ).toBe("UNIQUE NULLS NOT DISTINCT (email) WITH (fillfactor=90)");
    expect(
      constraintDefinition(
        constraint("EXCLUDE USING gist (during WITH &&) WHERE ((NOT cancelled))", ["buffering=on"]),
        ctx,
      ),
    ).toBe("EXCLUDE USING gist (during WITH &&) WITH (buffering=on) WHERE ((NOT cancelled))");
  });

  it("rewrites staged references and leaves a definition without index options as it is", () => {
    expect(constraintDefinition(constraint("FOREIGN KEY (customer) REFERENCES app.customers(id)"), ctx)).toBe(
      `FOREIGN KEY (customer) REFERENCES ${STAGE}.customers(id)`,
    );
    expect(constraintDefinition(constraint("CHECK ((qty > 0))", []), ctx)).toBe("CHECK ((qty > 0))");
  });

  it("creates an access method only where the destination has none of that name", () => {
    expect(
      createAccessMethod({ oid: 4, name: "heap2", type: "table", handler: "heap_tableam_handler" }, ctx),
    ).toBe(
      [
        "DO $pgsync$",
        "BEGIN",
        "  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_am WHERE amname = 'heap2') THEN",
        `    EXECUTE 'CREATE ACCESS METHOD "heap2" TYPE TABLE HANDLER heap_tableam_handler';`,
        "  END IF;",
        "END $pgsync$",
      ].join("\n"),
    );
  });
});
