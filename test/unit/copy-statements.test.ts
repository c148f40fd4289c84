import { describe, expect, it } from "vitest";
import { buildCopySource, buildCopyTarget, copyFormatFor } from "../../src/sql/copy-statements.js";

const table = { schema: "app", name: "Order Lines" };
const id = { name: "id", binarySafe: true };
const total = { name: "total", binarySafe: true };
const tags = { name: "tags", binarySafe: false };

describe("the COPY-source builder", () => {
  it("reads a plain table with COPY itself, in binary when every column is portable", () => {
    expect(buildCopySource({ table, columns: [id, total] })).toEqual({
      format: "binary",
      setup: [],
      sql: 'COPY "app"."Order Lines" ("id", "total") TO STDOUT WITH (FORMAT binary)',
    });
  });

  it("falls back to text when one column's binary form is not portable, or when told to", () => {
    expect(buildCopySource({ table, columns: [id, tags] }).sql).toBe(
      'COPY "app"."Order Lines" ("id", "tags") TO STDOUT',
    );
    expect(buildCopySource({ table, columns: [id], forceText: true })).toMatchObject({
      format: "text",
      sql: 'COPY "app"."Order Lines" ("id") TO STDOUT',
    });
    expect(copyFormatFor([id, tags])).toBe("text");
    expect(copyFormatFor([])).toBe("binary");
  });

  it("reads a key range of a split table from ONLY the table, with open bounds", () => {
    const range = (from?: bigint, to?: bigint) =>
      buildCopySource({
        table,
        columns: [id],
        filters: [
          {
            kind: "key-range",
            column: "id",
            ...(from === undefined ? {} : { from }),
            ...(to === undefined ? {} : { to }),
          },
        ],
      }).sql;
    expect(range(1000n, 2000n)).toBe(
      'COPY (SELECT t."id" FROM ONLY "app"."Order Lines" AS t WHERE (t."id" >= 1000 AND t."id" < 2000)) TO STDOUT WITH (FORMAT binary)',
    );
    expect(range(undefined, -5n)).toBe(
      'COPY (SELECT t."id" FROM ONLY "app"."Order Lines" AS t WHERE (t."id" < (-5))) TO STDOUT WITH (FORMAT binary)',
    );
    expect(range(9223372036854775807n)).toContain('WHERE (t."id" >= 9223372036854775807)');
  });

  it("reads a block range by ctid, the last range open-ended", () => {
    expect(
      buildCopySource({
        table,
        columns: [id],
        filters: [{ kind: "block-range", fromBlock: 0, toBlock: 128 }],
      }).sql,
    ).toBe(
      'COPY (SELECT t."id" FROM ONLY "app"."Order Lines" AS t WHERE (t.ctid >= \'(0,0)\'::pg_catalog.tid AND t.ctid < \'(128,0)\'::pg_catalog.tid)) TO STDOUT WITH (FORMAT binary)',
    );
    expect(
      buildCopySource({ table, columns: [id], filters: [{ kind: "block-range", fromBlock: 128 }] }).sql,
    ).toContain("WHERE (t.ctid >= '(128,0)'::pg_catalog.tid)) TO STDOUT");
    expect(() =>
      buildCopySource({ table, columns: [id], filters: [{ kind: "block-range", fromBlock: -1 }] }),
    ).toThrow(RangeError);
  });

  it("combines a range with a subset's condition, and computes masked columns as their own type", () => {
    const source = buildCopySource({
      table,
      columns: [id, { name: "email", binarySafe: true, expression: { sql: "lower(t.email)", type: "text" } }],
      filters: [
        { kind: "key-range", column: "id", from: 1n },
        { kind: "condition", sql: "t.created_at > now() - interval '90 days'" },
      ],
    });
    expect(source.sql).toBe(
      `COPY (SELECT t."id", CAST((lower(t.email)) AS text) AS "email" FROM ONLY "app"."Order Lines" AS t WHERE (t."id" >= 1) AND (t.created_at > now() - interval '90 days')) TO STDOUT WITH (FORMAT binary)`,
    );
  });

  it("passes values such as a masking key as bind parameters, never in the statement text", () => {
    const key = "k3y'); DROP TABLE x; --";
    const source = buildCopySource({
      table,
      columns: [
        id,
        {
          name: "email",
          binarySafe: true,
          expression: { sql: "pg_catalog.current_setting('pgsync.mask_key')", type: "text" },
        },
      ],
      settings: { "pgsync.mask_key": key },
    });
    expect(source.setup).toEqual([
      { text: "SELECT pg_catalog.set_config($1, $2, true)", values: ["pgsync.mask_key", key] },
    ]);
    expect(source.sql).not.toContain(key);
    expect(() => buildCopySource({ table, columns: [id], settings: { "bad name": "x" } })).toThrow(
      /invalid setting name/,
    );
  });

  it("copies a table with no columns (every column dropped or generated) without a column list", () => {
    expect(buildCopySource({ table, columns: [] }).sql).toBe(
      'COPY "app"."Order Lines" TO STDOUT WITH (FORMAT binary)',
    );
    expect(buildCopySource({ table, columns: [], filters: [{ kind: "condition", sql: "true" }] }).sql).toBe(
      'COPY (SELECT FROM ONLY "app"."Order Lines" AS t WHERE (true)) TO STDOUT WITH (FORMAT binary)',
    );
  });
});

describe("the COPY target", () => {
  it("writes into the staging table in the source's format, with FREEZE when asked", () => {
    const staging = { schema: "_pgsync_stage_0a1b2c3d_1", name: 'we"ird' };
    expect(buildCopyTarget(staging, ["id", "total"], "binary", { freeze: true })).toBe(
      'COPY "_pgsync_stage_0a1b2c3d_1"."we""ird" ("id", "total") FROM STDIN WITH (FORMAT binary, FREEZE)',
    );
    expect(buildCopyTarget(staging, ["id"], "text")).toBe(
      'COPY "_pgsync_stage_0a1b2c3d_1"."we""ird" ("id") FROM STDIN',
    );
    expect(buildCopyTarget(staging, [], "text", { freeze: true })).toBe(
      'COPY "_pgsync_stage_0a1b2c3d_1"."we""ird" FROM STDIN WITH (FREEZE)',
    );
  });
});
