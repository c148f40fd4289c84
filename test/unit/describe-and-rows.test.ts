import type pg from "pg";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { int, text, validRow, validRows } from "../../src/db/rows.js";
import { PgsyncError } from "../../src/errors.js";
import { describeAddress, describeObject } from "../../src/sql/describe.js";

/** A result as node-postgres hands it over: only its rows are read. */
const result = (rows: Record<string, unknown>[]) => ({ rows }) as unknown as pg.QueryResult;

describe("rows read at the boundary", () => {
  const Row = z.object({ name: text, n: int });
  const origin = { name: "counts", sql: "SELECT name, n FROM t", side: "destination" as const };

  it("come out decoded (int8 arrives as a string)", () => {
    expect(validRows(result([{ name: "a", n: "12" }]), Row, origin)).toEqual([{ name: "a", n: 12 }]);
    expect(validRow(result([{ name: "a", n: 3 }]), Row, origin)).toEqual({ name: "a", n: 3 });
  });

  it("keep every value when rows share their repeated strings", () => {
    const long = "x".repeat(200);
    const rows = Array.from({ length: 50 }, (_, i) => ({
      name: i % 3 === 0 ? "public" : `t_${i % 7}`,
      n: i,
    }));
    rows.push({ name: long, n: 50 }, { name: long, n: 51 });
    expect(validRows(result(rows), Row, origin)).toEqual(rows);
    const Tags = z.object({ tags: z.array(text), label: text.nullable() });
    const tagged = [
      { tags: ["a", "b"], label: null },
      { tags: ["a"], label: "a" },
    ];
    expect(validRows(result(tagged), Tags, origin)).toEqual(tagged);
    const Frozen = z.object({ v: text }).transform((r) => Object.freeze({ ...r }));
    expect(validRows(result([{ v: "a" }, { v: "a" }]), Frozen, origin)).toEqual([{ v: "a" }, { v: "a" }]);
    expect(
      validRows(
        result([{ v: "a" }, { v: "a" }]),
        z.object({ v: text }).transform((r) => r.v),
        origin,
      ),
    ).toEqual(["a", "a"]);
  });

  it("fail naming the query, the side and the row when one is not as expected", () => {
    const bad = () =>
      validRows(
        result([
          { name: "a", n: 1 },
          { name: null, n: 1 },
        ]),
        Row,
        { ...origin, kind: "cutover" },
      );
    expect(bad).toThrow(PgsyncError);
    expect(bad).toThrow(/^query "counts" on the destination returned an unexpected row 1: /);
    try {
      bad();
    } catch (error) {
      expect((error as PgsyncError).kind).toBe("cutover");
      expect((error as PgsyncError).context).toMatchObject({ side: "destination", sql: origin.sql });
    }
  });

  it("refuse anything but exactly one row where one is expected", () => {
    expect(() => validRow(result([]), Row, origin)).toThrow(
      'query "counts" on the destination returned 0 rows, expected one',
    );
    const two = result([
      { name: "a", n: 1 },
      { name: "b", n: 2 },
    ]);
    expect(() => validRow(two, Row, origin)).toThrow("returned 2 rows, expected one");
  });
});

describe("object labels", () => {
  it("quote every part of a name, so that any name reads back unambiguously", () => {
    expect(describeObject("table", { schema: "public", name: "users" })).toBe('table "public"."users"');
    expect(describeObject("column", ["We.ird", 'T "q', "c"])).toBe('column "We.ird"."T ""q"."c"');
    expect(describeObject("constraint", "users_pkey", { on: { schema: "s", name: "t" } })).toBe(
      'constraint "users_pkey" on "s"."t"',
    );
    expect(describeObject("function", ["s", "f"], { args: "integer, text" })).toBe(
      'function "s"."f"(integer, text)',
    );
    expect(describeObject("extension", "citext")).toBe('extension "citext"');
  });

  it("word a catalog address the way the plan names the same object", () => {
    const address = (type: string, names: string[], args: string[] = []) =>
      describeAddress({ type, names, args });
    expect(address("table constraint", ["s", "t", "c"])).toBe(
      describeObject("constraint", "c", { on: ["s", "t"] }),
    );
    expect(address("table column", ["s", "t", "c"])).toBe('column "s"."t"."c"');
    expect(address("function", ["s", "f"], ["pg_catalog.text", "s.mood"])).toBe(
      'function "s"."f"(text, s.mood)',
    );
    expect(address("trigger", ["s", "t", "tr"])).toBe('trigger "tr" on "s"."t"');
    expect(address("cast", ["s.comp"], ["pg_catalog.text"])).toBe("cast (s.comp AS text)");
    expect(address("operator class", ["gin", "s", "ops"])).toBe('operator class "s"."ops" using gin');
    // A staging schema shown as the live schema it becomes.
    const live = (schema: string) => (schema === "_pgsync_stage_x_1" ? "app" : schema);
    expect(describeAddress({ type: "view", names: ["_pgsync_stage_x_1", "v"], args: [] }, live)).toBe(
      'view "app"."v"',
    );
  });
});
