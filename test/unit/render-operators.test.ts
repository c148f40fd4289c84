import { describe, expect, it } from "vitest";
import { castRefusals, createCast } from "../../src/ddl/render/casts.js";
import {
  carriedOperators,
  createOperator,
  createOperatorClass,
  createOperatorFamily,
} from "../../src/ddl/render/operators.js";
import {
  createTextSearchConfiguration,
  createTextSearchDictionary,
} from "../../src/ddl/render/text-search.js";
import type { Cast, CatalogModel, Operator, OperatorClass } from "../../src/introspect/model.js";
import { contextFor, MAJORS, STAGE } from "./render-fixture.js";

const eq: Operator = {
  oid: 1,
  schema: "app",
  name: "===",
  left: "integer",
  right: "integer",
  result: "boolean",
  function: "app.int_eq",
  commutator: { schema: "app", name: "===" },
  negator: { schema: "app", name: "!==" },
  restrict: "eqsel",
  join: "eqjoinsel",
  hashes: true,
  merges: true,
};
const prefix: Operator = {
  oid: 2,
  schema: "app",
  name: "!!",
  right: "app.status",
  result: "integer",
  function: "app.cmp",
  hashes: false,
  merges: false,
};
const neq: Operator = { ...eq, oid: 3, name: "!==", hashes: false, merges: false };
const carried = carriedOperators([eq, prefix, neq]);

const intOps: OperatorClass = {
  oid: 4,
  schema: "app",
  name: "int_ops",
  method: "btree",
  type: "integer",
  isDefault: true,
  family: { schema: "app", name: "int_fam" },
  operators: [
    { strategy: 1, operator: { schema: "app", name: "<<<" }, left: "integer", right: "integer" },
    { strategy: 3, operator: { schema: "pg_catalog", name: "=" }, left: "integer", right: "integer" },
  ],
  functions: [{ number: 1, left: "integer", right: "integer", function: "app.cmp(integer,integer)" }],
};

// Operators, casts and text search render the same on every supported major.
describe.each(MAJORS)("operators, for PostgreSQL %i", (major) => {
  const ctx = contextFor(major);

  it("renders a binary operator with every option, its pair declared as OPERATOR(staging.op)", () => {
    expect(createOperator(eq, ctx, carried)).toBe(
      `CREATE OPERATOR ${STAGE}.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = ${STAGE}.int_eq, COMMUTATOR = OPERATOR(${STAGE}.===), NEGATOR = OPERATOR(${STAGE}.!==), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES)`,
    );
  });

  it("renders a prefix operator (no LEFTARG) over a staged type", () => {
    expect(createOperator(prefix, ctx, carried)).toBe(
      `CREATE OPERATOR ${STAGE}.!! (RIGHTARG = ${STAGE}.status, FUNCTION = ${STAGE}.cmp)`,
    );
  });

  it("leaves a commutator the plan does not create in its own schema", () => {
    const op: Operator = {
      ...prefix,
      left: "integer",
      right: "integer",
      commutator: { schema: "pg_catalog", name: "=" },
    };
    expect(createOperator(op, ctx, carried)).toBe(
      `CREATE OPERATOR ${STAGE}.!! (LEFTARG = integer, RIGHTARG = integer, FUNCTION = ${STAGE}.cmp, COMMUTATOR = OPERATOR("pg_catalog".=))`,
    );
  });

  it("renders an operator class with its family, operators and support functions", () => {
    expect(createOperatorClass(intOps, ctx, carried)).toBe(
      [
        `CREATE OPERATOR CLASS ${STAGE}."int_ops" DEFAULT FOR TYPE integer USING "btree" FAMILY ${STAGE}."int_fam" AS`,
        // <<< is not among the carried operators: it stays where the catalog has it.
        `  OPERATOR 1 "app".<<< (integer, integer),`,
        `  OPERATOR 3 "pg_catalog".= (integer, integer),`,
        `  FUNCTION 1 (integer, integer) ${STAGE}.cmp(integer,integer)`,
      ].join("\n"),
    );
  });

  it("gives an empty class the one item the grammar needs, and renders FOR ORDER BY", () => {
    const empty = { ...intOps, isDefault: false, operators: [], functions: [] };
    expect(createOperatorClass(empty, ctx, carried)).toBe(
      `CREATE OPERATOR CLASS ${STAGE}."int_ops" FOR TYPE integer USING "btree" FAMILY ${STAGE}."int_fam" AS\n  STORAGE integer`,
    );
    const gist = {
      ...empty,
      method: "gist",
      type: "point",
      storage: "box",
      operators: [
        {
          strategy: 15,
          operator: { schema: "app", name: "===" },
          left: "point",
          right: "point",
          orderBy: { schema: "pg_catalog", name: "float_ops" },
        },
      ],
    };
    expect(createOperatorClass(gist, ctx, carried)).toBe(
      `CREATE OPERATOR CLASS ${STAGE}."int_ops" FOR TYPE point USING "gist" FAMILY ${STAGE}."int_fam" AS\n  OPERATOR 15 ${STAGE}.=== (point, point) FOR ORDER BY "pg_catalog"."float_ops",\n  STORAGE box`,
    );
  });

  it("creates a family, then its classes, then its loose members", () => {
    const family = {
      oid: 5,
      schema: "app",
      name: "int_fam",
      method: "btree",
      operators: [
        { strategy: 1, operator: { schema: "app", name: "===" }, left: "integer", right: "bigint" },
      ],
      functions: [{ number: 1, left: "integer", right: "bigint", function: "app.cmp(integer,bigint)" }],
    };
    const statements = createOperatorFamily(family, [intOps], ctx, carried);
    expect(statements).toHaveLength(3);
    expect(statements[0]).toBe(`CREATE OPERATOR FAMILY ${STAGE}."int_fam" USING "btree"`);
    expect(statements[1]).toBe(createOperatorClass(intOps, ctx, carried));
    expect(statements[2]).toBe(
      `ALTER OPERATOR FAMILY ${STAGE}."int_fam" USING "btree" ADD\n  OPERATOR 1 ${STAGE}.=== (integer, bigint),\n  FUNCTION 1 (integer, bigint) ${STAGE}.cmp(integer,bigint)`,
    );
    expect(createOperatorFamily({ ...family, operators: [], functions: [] }, [], ctx, carried)).toEqual([
      `CREATE OPERATOR FAMILY ${STAGE}."int_fam" USING "btree"`,
    ]);
  });
});

const cast = (more: Partial<Cast>): Cast => ({
  oid: 6,
  source: "text",
  target: "app.status",
  method: "function",
  function: "app.to_status(text)",
  context: "assignment",
  rangeTypes: false,
  ...more,
});

describe.each(MAJORS)("casts and text search, for PostgreSQL %i", (major) => {
  const ctx = contextFor(major);

  it("renders each cast method and context", () => {
    expect(createCast(cast({}), ctx)).toBe(
      `CREATE CAST (text AS ${STAGE}.status) WITH FUNCTION ${STAGE}.to_status(text) AS ASSIGNMENT`,
    );
    expect(createCast(cast({ method: "inout", context: "implicit" }), ctx)).toBe(
      `CREATE CAST (text AS ${STAGE}.status) WITH INOUT AS IMPLICIT`,
    );
    expect(
      createCast(cast({ source: "app.code", target: "text", method: "binary", context: "explicit" }), ctx),
    ).toBe(`CREATE CAST (${STAGE}.code AS text) WITHOUT FUNCTION`);
  });

  it("renders a dictionary on its template with the catalog's options", () => {
    const d = { oid: 7, schema: "app", name: "d", template: { schema: "pg_catalog", name: "simple" } };
    expect(
      createTextSearchDictionary({ ...d, options: "stopwords = 'english', accept = 'false'" }, ctx),
    ).toBe(
      `CREATE TEXT SEARCH DICTIONARY ${STAGE}."d" (TEMPLATE = "pg_catalog"."simple", stopwords = 'english', accept = 'false')`,
    );
    expect(createTextSearchDictionary(d, ctx)).toBe(
      `CREATE TEXT SEARCH DICTIONARY ${STAGE}."d" (TEMPLATE = "pg_catalog"."simple")`,
    );
  });

  it("renders a configuration, one ADD MAPPING per list of dictionaries", () => {
    const simple = { schema: "pg_catalog", name: "simple" };
    const mine = { schema: "app", name: "d" };
    const statements = createTextSearchConfiguration(
      {
        oid: 8,
        schema: "app",
        name: "cfg",
        parser: { schema: "pg_catalog", name: "default" },
        mappings: [
          { tokenType: "asciiword", dictionaries: [mine, simple] },
          { tokenType: "word", dictionaries: [simple] },
          { tokenType: "asciihword", dictionaries: [mine, simple] },
        ],
      },
      ctx,
    );
    expect(statements).toEqual([
      `CREATE TEXT SEARCH CONFIGURATION ${STAGE}."cfg" (PARSER = "pg_catalog"."default")`,
      `ALTER TEXT SEARCH CONFIGURATION ${STAGE}."cfg" ADD MAPPING FOR "asciiword", "asciihword" WITH ${STAGE}."d", "pg_catalog"."simple"`,
      `ALTER TEXT SEARCH CONFIGURATION ${STAGE}."cfg" ADD MAPPING FOR "word" WITH "pg_catalog"."simple"`,
    ]);
  });
});

describe("castRefusals, by destination major", () => {
  const model = {
    casts: [
      cast({ source: "app.floatrange", target: "app.floatrange2", method: "binary", rangeTypes: true }),
      cast({ source: "app.floatrange", target: "text", method: "inout", rangeTypes: true }),
      cast({ source: "app.code", target: "text", method: "binary" }),
    ],
  } as unknown as CatalogModel;
  const refused = {
    object: "cast (app.floatrange AS app.floatrange2)",
    reason: "PostgreSQL 17 and later refuse binary-coercible casts of range types (WITHOUT FUNCTION)",
  };

  it.each([
    [14, []],
    [15, []],
    [16, []],
    [17, [refused]],
    [18, [refused]],
  ])("PostgreSQL %i refuses only a binary-coercible cast of a range type from 17 on", (major, expected) => {
    expect(castRefusals(model, major)).toEqual(expected);
  });
});
