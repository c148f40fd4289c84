import { describe, expect, it } from "vitest";
import { collationRefusals, createCollation } from "../../src/ddl/render/collations.js";
import {
  createComposite,
  createDomain,
  createEnum,
  createRange,
  domainChecksAfterLoad,
} from "../../src/ddl/render/types.js";
import type { CatalogModel, Collation } from "../../src/introspect/model.js";
import { contextFor, MAJORS, STAGE } from "./render-fixture.js";

describe.each(MAJORS)("types, for PostgreSQL %i", (major) => {
  const ctx = contextFor(major);

  it("renders an enum with its labels in order, quotes doubled", () => {
    expect(
      createEnum({ oid: 1, schema: "app", name: "status", labels: ["new", "it's paid", "Done"] }, ctx),
    ).toBe(`CREATE TYPE ${STAGE}."status" AS ENUM ('new', 'it''s paid', 'Done')`);
  });

  it("renders a domain: base type, collation, default, NOT NULL and named checks, in the grammar's order", () => {
    const sql = createDomain(
      {
        oid: 2,
        schema: "app",
        name: "code",
        baseType: "character varying(8)",
        notNull: true,
        defaultExpr: "'X'::character varying",
        collation: { schema: "pg_catalog", name: "C" },
        checks: [
          { name: "code_check", definition: "CHECK (((VALUE)::text ~ '^[A-Z]+$'::text))" },
          { name: "Valid", definition: "CHECK (app.valid_code(VALUE))" },
        ],
      },
      ctx,
    );
    expect(sql).toBe(
      `CREATE DOMAIN ${STAGE}."code" AS character varying(8) COLLATE "pg_catalog"."C" DEFAULT 'X'::character varying NOT NULL CONSTRAINT "code_check" CHECK (((VALUE)::text ~ '^[A-Z]+$'::text)) CONSTRAINT "Valid" CHECK (${STAGE}.valid_code(VALUE))`,
    );
  });

  it("adds a NOT VALID check after the load, not in CREATE DOMAIN (which refuses NOT VALID)", () => {
    const d = {
      oid: 8,
      schema: "app",
      name: "code",
      baseType: "integer",
      notNull: false,
      checks: [
        { name: "positive", definition: "CHECK ((VALUE > 0))" },
        { name: "small", definition: "CHECK ((VALUE < 100)) NOT VALID", notValid: true },
      ],
    };
    expect(createDomain(d, ctx)).toBe(
      `CREATE DOMAIN ${STAGE}."code" AS integer CONSTRAINT "positive" CHECK ((VALUE > 0))`,
    );
    expect(domainChecksAfterLoad(d, ctx)).toEqual([
      `ALTER DOMAIN ${STAGE}."code" ADD CONSTRAINT "small" CHECK ((VALUE < 100)) NOT VALID`,
    ]);
  });

  it("renders a domain over a staged type with nothing else", () => {
    expect(
      createDomain(
        { oid: 3, schema: "app", name: "d2", baseType: "app.status", notNull: false, checks: [] },
        ctx,
      ),
    ).toBe(`CREATE DOMAIN ${STAGE}."d2" AS ${STAGE}.status`);
  });

  it("renders a composite type with attribute types and collations", () => {
    const sql = createComposite(
      {
        oid: 4,
        schema: "app",
        name: "pair",
        attributes: [
          { name: "left side", type: "integer" },
          { name: "state", type: "app.status" },
          { name: "label", type: "text", collation: 'pg_catalog."C"' },
        ],
      },
      ctx,
    );
    expect(sql).toBe(
      `CREATE TYPE ${STAGE}."pair" AS ("left side" integer, "state" ${STAGE}.status, "label" text COLLATE pg_catalog."C")`,
    );
  });

  it("renders a range with the parts it has, and names its multirange in staging", () => {
    expect(
      createRange(
        {
          oid: 5,
          schema: "app",
          name: "floatrange",
          subtype: "double precision",
          subtypeDiff: "float8mi",
          multirange: { schema: "app", name: "floatmultirange" },
        },
        ctx,
      ),
    ).toBe(
      `CREATE TYPE ${STAGE}."floatrange" AS RANGE (SUBTYPE = double precision, SUBTYPE_DIFF = float8mi, MULTIRANGE_TYPE_NAME = ${STAGE}."floatmultirange")`,
    );
    expect(
      createRange(
        {
          oid: 6,
          schema: "app",
          name: "coderange",
          subtype: "text",
          subtypeOpclass: "pg_catalog.text_pattern_ops",
          collation: 'pg_catalog."C"',
          canonical: "app.cmp",
        },
        ctx,
      ),
    ).toBe(
      `CREATE TYPE ${STAGE}."coderange" AS RANGE (SUBTYPE = text, SUBTYPE_OPCLASS = pg_catalog.text_pattern_ops, COLLATION = pg_catalog."C", CANONICAL = ${STAGE}.cmp)`,
    );
  });
});

const collation = (more: Partial<Collation>): Collation => ({
  oid: 7,
  schema: "app",
  name: "c",
  provider: "libc",
  deterministic: true,
  ...more,
});

describe.each(MAJORS)("createCollation, for PostgreSQL %i", (major) => {
  const ctx = contextFor(major);

  it("renders libc with lc_collate and lc_ctype, ICU and builtin with a locale", () => {
    expect(createCollation(collation({ lcCollate: "C", lcCtype: "fr_FR.UTF-8" }), ctx)).toBe(
      `CREATE COLLATION ${STAGE}."c" (provider = libc, lc_collate = 'C', lc_ctype = 'fr_FR.UTF-8')`,
    );
    expect(
      createCollation(collation({ provider: "icu", locale: "und-u-ks-level2", deterministic: false }), ctx),
    ).toBe(
      `CREATE COLLATION ${STAGE}."c" (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`,
    );
    expect(
      createCollation(collation({ provider: "icu", locale: "und", icuRules: "&a < b < 'c'" }), ctx),
    ).toBe(`CREATE COLLATION ${STAGE}."c" (provider = icu, locale = 'und', rules = '&a < b < ''c''')`);
    expect(createCollation(collation({ provider: "builtin", locale: "C.UTF-8" }), ctx)).toBe(
      `CREATE COLLATION ${STAGE}."c" (provider = builtin, locale = 'C.UTF-8')`,
    );
  });
});

describe("collationRefusals, by destination major", () => {
  const model = {
    collations: [
      collation({ name: "plain", lcCollate: "C", lcCtype: "C" }),
      collation({ name: "tailored", provider: "icu", locale: "und", icuRules: "&a < b" }),
      collation({ name: "fast", provider: "builtin", locale: "C" }),
    ],
  } as unknown as CatalogModel;
  const RULES = {
    object: 'collation "app"."tailored"',
    reason: "ICU tailoring rules (CREATE COLLATION ... rules) needs PostgreSQL 16 or later",
  };
  const BUILTIN = {
    object: 'collation "app"."fast"',
    reason: "the builtin collation provider needs PostgreSQL 17 or later",
  };

  it.each([
    [14, [RULES, BUILTIN]],
    [15, [RULES, BUILTIN]],
    [16, [BUILTIN]],
    [17, []],
    [18, []],
  ])("PostgreSQL %i refuses what it lacks", (major, expected) => {
    expect(collationRefusals(model, major)).toEqual(expected);
  });
});
