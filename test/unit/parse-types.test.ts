/** Types, collations, casts and operators: raw rows through the parsers into domain objects. */
import { describe, expect, it } from "vitest";
import {
  parseCast,
  parseCollation,
  parseDomain,
  parseOperator,
  parseOperatorClass,
  parseOperatorFamily,
  parseRange,
} from "../../src/introspect/parse.js";
import { CastRow } from "../../src/introspect/queries/casts.js";
import { CollationRow } from "../../src/introspect/queries/collations.js";
import { OperatorClassRow, OperatorFamilyRow, OperatorRow } from "../../src/introspect/queries/operators.js";
import { DomainRow, RangeRow } from "../../src/introspect/queries/types.js";

describe("types", () => {
  it("decodes a domain with its collation, default and checks", () => {
    const d = parseDomain(
      DomainRow.parse({
        oid: 1,
        schema: "app",
        name: "code",
        base_type: "character varying(8)",
        not_null: true,
        default_expr: "'X'::character varying",
        collation_schema: "pg_catalog",
        collation_name: "C",
        checks: [{ name: "code_check", definition: "CHECK (VALUE::text ~ '^[A-Z]+$'::text)" }],
      }),
    );
    expect(d).toStrictEqual({
      oid: 1,
      schema: "app",
      name: "code",
      baseType: "character varying(8)",
      notNull: true,
      checks: [{ name: "code_check", definition: "CHECK (VALUE::text ~ '^[A-Z]+$'::text)" }],
      defaultExpr: "'X'::character varying",
      collation: { schema: "pg_catalog", name: "C" },
    });
  });

  it("decodes a range with only the parts the catalog sets, and its multirange", () => {
    const r = parseRange(
      RangeRow.parse({
        oid: 2,
        schema: "app",
        name: "floatrange",
        subtype: "double precision",
        subtype_opclass: null,
        collation: null,
        subtype_diff: "float8mi",
        canonical: null,
        multirange_schema: "app",
        multirange_name: "floatmultirange",
      }),
    );
    expect(r).toStrictEqual({
      oid: 2,
      schema: "app",
      name: "floatrange",
      subtype: "double precision",
      subtypeDiff: "float8mi",
      multirange: { schema: "app", name: "floatmultirange" },
    });
  });
});

describe("parseCollation", () => {
  const row = (over: Record<string, unknown>) =>
    CollationRow.parse({
      oid: 3,
      schema: "app",
      name: "c",
      deterministic: true,
      lc_collate: null,
      lc_ctype: null,
      locale: null,
      icu_rules: null,
      ...over,
    });

  it("keeps LC_COLLATE and LC_CTYPE for libc, and the locale alone for ICU and builtin", () => {
    expect(parseCollation(row({ provider: "c", lc_collate: "C", lc_ctype: "C" }))).toStrictEqual({
      oid: 3,
      schema: "app",
      name: "c",
      provider: "libc",
      deterministic: true,
      lcCollate: "C",
      lcCtype: "C",
    });
    const icu = parseCollation(
      row({
        provider: "i",
        deterministic: false,
        locale: "und-u-ks-level2",
        lc_collate: "und",
        icu_rules: "&a < b",
      }),
    );
    expect(icu).toStrictEqual({
      oid: 3,
      schema: "app",
      name: "c",
      provider: "icu",
      deterministic: false,
      locale: "und-u-ks-level2",
      icuRules: "&a < b",
    });
    expect(parseCollation(row({ provider: "b", locale: "C.UTF-8" }))).toMatchObject({
      provider: "builtin",
      locale: "C.UTF-8",
    });
  });
});

describe("casts and operators", () => {
  it("decodes a cast's method and context", () => {
    const raw = { oid: 4, source: "text", target: "app.status", range_types: false };
    expect(
      parseCast(CastRow.parse({ ...raw, method: "f", context: "a", function: "app.to_status(text)" })),
    ).toStrictEqual({
      oid: 4,
      source: "text",
      target: "app.status",
      method: "function",
      context: "assignment",
      rangeTypes: false,
      function: "app.to_status(text)",
    });
    const inout = parseCast(CastRow.parse({ ...raw, method: "i", context: "i", function: null }));
    expect([inout.method, inout.context, "function" in inout]).toEqual(["inout", "implicit", false]);
    const binary = parseCast(CastRow.parse({ ...raw, method: "b", context: "e", function: null }));
    expect([binary.method, binary.context]).toEqual(["binary", "explicit"]);
  });

  it("decodes a prefix operator (no left type) and a binary one with commutator and negator", () => {
    const raw = {
      oid: 5,
      schema: "app",
      name: "===",
      right_type: "integer",
      result_type: "boolean",
      function: "app.int_eq",
      commutator_schema: null,
      commutator_name: null,
      negator_schema: null,
      negator_name: null,
      restrict_function: null,
      join_function: null,
      hashes: false,
      merges: false,
    };
    const prefix = parseOperator(OperatorRow.parse({ ...raw, name: "!!", left_type: null }));
    expect(prefix).not.toHaveProperty("left");
    const binary = parseOperator(
      OperatorRow.parse({
        ...raw,
        left_type: "integer",
        commutator_schema: "app",
        commutator_name: "===",
        negator_schema: "app",
        negator_name: "!==",
        restrict_function: "eqsel",
        join_function: "eqjoinsel",
        hashes: true,
      }),
    );
    expect(binary).toMatchObject({
      left: "integer",
      commutator: { schema: "app", name: "===" },
      negator: { schema: "app", name: "!==" },
      restrict: "eqsel",
      join: "eqjoinsel",
      hashes: true,
      merges: false,
    });
  });

  it("decodes an operator class's members, FOR ORDER BY only where the catalog names a family", () => {
    const members = {
      operators: [
        {
          strategy: 1,
          schema: "app",
          name: "<<<",
          left: "integer",
          right: "integer",
          order_by_schema: null,
          order_by_name: null,
        },
        {
          strategy: 15,
          schema: "app",
          name: "<->",
          left: "point",
          right: "point",
          order_by_schema: "pg_catalog",
          order_by_name: "float_ops",
        },
      ],
      functions: [{ number: 1, left: "integer", right: "integer", function: "app.cmp(integer,integer)" }],
    };
    const c = parseOperatorClass(
      OperatorClassRow.parse({
        oid: 6,
        schema: "app",
        name: "int_ops",
        method: "btree",
        type: "integer",
        is_default: false,
        family_schema: "app",
        family_name: "int_fam",
        storage: null,
        ...members,
      }),
    );
    expect(c.family).toEqual({ schema: "app", name: "int_fam" });
    expect(c).not.toHaveProperty("storage");
    expect(c.operators).toStrictEqual([
      { strategy: 1, operator: { schema: "app", name: "<<<" }, left: "integer", right: "integer" },
      {
        strategy: 15,
        operator: { schema: "app", name: "<->" },
        left: "point",
        right: "point",
        orderBy: { schema: "pg_catalog", name: "float_ops" },
      },
    ]);
    expect(c.functions).toStrictEqual([
      { number: 1, left: "integer", right: "integer", function: "app.cmp(integer,integer)" },
    ]);
    const f = parseOperatorFamily(
      OperatorFamilyRow.parse({ oid: 7, schema: "app", name: "int_fam", method: "btree", ...members }),
    );
    expect(f.operators).toStrictEqual(c.operators);
  });
});
