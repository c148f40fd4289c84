/**
 * planSync's phases and loop breakers (src/ddl/plan/), without a server, on catalog models written
 * by hand (plan-builders.ts): the placeholder view, postponement to post-data, the split column
 * default, the shell type, and the refusal of what no breaker places.
 */
import { describe, expect, it } from "vitest";
import type { Routine } from "../../src/introspect/model.js";
import { at, col, con, dep, fn, ID, NAME, plan, S, tbl, vw } from "./plan-builders.js";

describe("planSync's order and loop breakers", () => {
  it("creates a view that groups by a primary key as a placeholder, replaced after the key", () => {
    const t = tbl(200, "t", [ID, NAME]);
    const p = tbl(
      210,
      "p",
      [ID, col(2, "label", "text", { collation: { schema: "pg_catalog", name: "C" } })],
      {
        partitionKey: "RANGE (id)",
      },
    );
    const v = vw(
      600,
      "v",
      " SELECT id, name FROM app.t GROUP BY id",
      [
        ["id", "integer"],
        ["name", "text"],
      ],
      {
        options: ["check_option=local"],
      },
    );
    const pv = {
      ...vw(601, "pv", " SELECT id, label FROM app.p GROUP BY id", [
        ["id", "integer"],
        ["label", "text"],
      ]),
      columnTypes: [{ type: "integer" }, { type: "text", collation: 'pg_catalog."C"' }],
    };
    const over = vw(602, "over", " SELECT id FROM app.v", [["id", "integer"]]);
    const mOver = vw(603, "m_over", " SELECT id FROM app.v", [["id", "integer"]], { materialized: true });
    const mGrouped = vw(
      604,
      "m_grouped",
      " SELECT id, name FROM app.t GROUP BY id",
      [
        ["id", "integer"],
        ["name", "text"],
      ],
      {
        materialized: true,
      },
    );
    const result = plan({
      tables: [t, p],
      constraints: [
        con(300, t, "t_pkey", "primary key", "PRIMARY KEY (id)"),
        con(310, p, "p_pkey", "primary key", "PRIMARY KEY (id)"),
      ],
      views: [v, pv, over, mOver, mGrouped],
      indexes: [
        {
          oid: 700,
          table: { schema: "app", name: "m_grouped" },
          tableOid: 604,
          name: "mg_name",
          definition: "CREATE INDEX mg_name ON app.m_grouped USING btree (name)",
        },
      ],
      dependencies: [
        dep("pg_class:600", "pg_class:200"),
        dep("pg_class:600", "pg_constraint:300"),
        dep("pg_class:601", "pg_class:210"),
        dep("pg_class:601", "pg_constraint:310"),
        dep("view-columns:601", "pg_collation:100"),
        dep("pg_class:602", "pg_class:600"),
        dep("pg_class:603", "pg_class:600"),
        dep("pg_class:604", "pg_class:200"),
        dep("pg_class:604", "pg_constraint:300"),
        dep("pg_constraint:300", "pg_class:200"),
        dep("pg_constraint:310", "pg_class:210"),
      ],
    });
    expect(result.refusals).toEqual([]);
    const pre = result.preData;
    expect(pre.find((s) => s.object === 'view "app"."v"')?.sql).toBe(
      `CREATE VIEW ${S}."v" ("id", "name") AS SELECT NULL::integer, NULL::text`,
    );
    expect(pre.find((s) => s.object === 'view "app"."pv"')?.sql).toBe(
      `CREATE VIEW ${S}."pv" ("id", "label") AS SELECT NULL::integer, NULL::text COLLATE pg_catalog."C"`,
    );
    expect(at(pre, `CREATE VIEW ${S}."over"`)).toBeGreaterThan(at(pre, `CREATE VIEW ${S}."v"`));
    expect(at(pre, `CREATE MATERIALIZED VIEW ${S}."m_over"`)).toBeGreaterThan(
      at(pre, `CREATE VIEW ${S}."v"`),
    );
    // The materialized view that needs the key waits for post-data: it cannot be replaced.
    expect(pre.some((s) => s.sql.includes('"m_grouped"'))).toBe(false);
    expect(result.tables.find((x) => x.table.name === "t")?.keys.map((k) => k.sql)).toEqual([
      `ALTER TABLE ${S}."t" ADD CONSTRAINT "t_pkey" PRIMARY KEY USING INDEX "t_pkey"`,
    ]);
    const post = result.postData;
    expect(post.find((s) => s.object === 'view "app"."v"')?.sql).toBe(
      `CREATE OR REPLACE VIEW ${S}."v" ("id", "name") WITH (check_option=local) AS\n SELECT id, name FROM ${S}.t GROUP BY id`,
    );
    expect(at(post, `CREATE OR REPLACE VIEW ${S}."pv"`)).toBeGreaterThan(
      at(post, `ALTER TABLE ${S}."p" ADD CONSTRAINT "p_pkey"`),
    );
    expect(at(post, `REFRESH MATERIALIZED VIEW ${S}."m_over"`)).toBeGreaterThan(
      at(post, `CREATE OR REPLACE VIEW ${S}."v"`),
    );
    const created = at(post, `CREATE MATERIALIZED VIEW ${S}."m_grouped"`);
    expect(at(post, `REFRESH MATERIALIZED VIEW ${S}."m_grouped"`)).toBeGreaterThan(created);
    expect(at(post, "CREATE INDEX mg_name")).toBeGreaterThan(
      at(post, `REFRESH MATERIALIZED VIEW ${S}."m_grouped"`),
    );
  });

  it("creates a function that takes a table's row type after the table, and the CHECK with the keys", () => {
    const accounts = tbl(200, "accounts", [ID, col(2, "balance", "numeric")]);
    const within = fn(500, "within", "a app.accounts", "RETURN ((a).balance > (0)::numeric)");
    const check = con(300, accounts, "within", "check", "CHECK (app.within(accounts.*))");
    const result = plan({
      tables: [accounts],
      routines: [within],
      constraints: [check],
      dependencies: [
        dep("pg_proc:500", "pg_class:200"),
        dep("pg_constraint:300", "pg_proc:500"),
        dep("pg_constraint:300", "pg_class:200"),
      ],
    });
    expect(result.refusals).toEqual([]);
    expect(at(result.preData, `CREATE OR REPLACE FUNCTION ${S}.within`)).toBeGreaterThan(
      at(result.preData, `CREATE TABLE ${S}."accounts"`),
    );
    expect(result.tables[0]?.keys.map((k) => k.sql)).toEqual([
      `ALTER TABLE ${S}."accounts" ADD CONSTRAINT "within" CHECK (${S}.within(accounts.*))`,
    ]);
  });

  it("creates partitions after their parent whatever their names, the self-referencing key after both", () => {
    const cols = [ID, col(2, "parent", "integer")];
    const parent = tbl(200, "zz_tree", cols, { partitionKey: "RANGE (id)" });
    const low = tbl(201, "a_low", [], {
      allColumns: cols,
      partitionOf: { parent: { schema: "app", name: "zz_tree" }, bound: "FOR VALUES FROM (0) TO (100)" },
    });
    const fk = con(
      301,
      parent,
      "zz_tree_parent_fkey",
      "foreign key",
      "FOREIGN KEY (parent) REFERENCES app.zz_tree(id)",
      { referencedTableOid: 200 },
    );
    const result = plan({
      tables: [low, parent],
      constraints: [con(300, parent, "zz_tree_pkey", "primary key", "PRIMARY KEY (id)"), fk],
      // What the partitions' cloned constraints fold onto: the parent's constraints need the partitions.
      dependencies: [
        dep("pg_class:201", "pg_class:200"),
        dep("pg_constraint:300", "pg_class:201"),
        dep("pg_constraint:301", "pg_class:201"),
        dep("pg_constraint:301", "pg_constraint:300"),
      ],
    });
    expect(result.refusals).toEqual([]);
    expect(at(result.preData, `CREATE TABLE ${S}."a_low" PARTITION OF`)).toBeGreaterThan(
      at(result.preData, `CREATE TABLE ${S}."zz_tree"`),
    );
    expect(result.foreignKeys).toEqual([]);
    expect(
      at(result.postData, `ALTER TABLE ${S}."zz_tree" ADD CONSTRAINT "zz_tree_parent_fkey"`),
    ).toBeGreaterThan(at(result.postData, `ALTER TABLE ${S}."zz_tree" ADD CONSTRAINT "zz_tree_pkey"`));
  });

  it("splits a default off its table when it calls a function that reads the table", () => {
    const nextId = fn(500, "next_id", "", "BEGIN ATOMIC\n SELECT (max(t.id) + 1) FROM app.t;\nEND");
    const t = tbl(200, "t", [col(1, "id", "integer", { defaultExpr: "app.next_id()" }), NAME]);
    const result = plan({
      tables: [t],
      routines: [nextId],
      dependencies: [dep("pg_attrdef:200.1", "pg_proc:500"), dep("pg_proc:500", "pg_class:200")],
    });
    expect(result.refusals).toEqual([]);
    const pre = result.preData;
    expect(pre.find((s) => s.sql.startsWith(`CREATE TABLE ${S}."t"`))?.sql).toBe(
      `CREATE TABLE ${S}."t" (\n  "id" integer,\n  "name" text\n)`,
    );
    const setDefault = at(pre, `ALTER TABLE ${S}."t" ALTER COLUMN "id" SET DEFAULT ${S}.next_id()`);
    expect(setDefault).toBeGreaterThan(at(pre, `CREATE OR REPLACE FUNCTION ${S}.next_id`));
    expect(at(pre, `CREATE OR REPLACE FUNCTION ${S}.next_id`)).toBeGreaterThan(
      at(pre, `CREATE TABLE ${S}."t"`),
    );
  });

  it("postpones a function that needs a key, and a CHECK that calls it, to post-data", () => {
    const t = tbl(200, "t", [ID, NAME]);
    const names = fn(500, "names_ok", "", "BEGIN ATOMIC\n SELECT true FROM app.t GROUP BY t.id;\nEND");
    const result = plan({
      tables: [t],
      routines: [names],
      constraints: [
        con(300, t, "t_pkey", "primary key", "PRIMARY KEY (id)"),
        con(301, t, "ok", "check", "CHECK (app.names_ok())"),
      ],
      dependencies: [
        dep("pg_proc:500", "pg_class:200"),
        dep("pg_proc:500", "pg_constraint:300"),
        dep("pg_constraint:301", "pg_proc:500"),
      ],
    });
    expect(result.refusals).toEqual([]);
    expect(result.preData.some((s) => s.sql.includes("names_ok"))).toBe(false);
    expect(result.tables[0]?.keys.map((k) => k.object)).toEqual(['constraint "t_pkey" on "app"."t"']);
    const post = result.postData.map((s) => s.sql);
    expect(post.slice(0, 3)).toEqual([
      "SET LOCAL check_function_bodies = off",
      expect.stringContaining(`FUNCTION ${S}.names_ok()`),
      `ALTER TABLE ${S}."t" ADD CONSTRAINT "ok" CHECK (${S}.names_ok())`,
    ]);
  });

  it("sets a default that needs a key after the key, in post-data", () => {
    const t = tbl(200, "t", [ID, col(2, "n", "integer", { defaultExpr: "app.first_id()" })]);
    const firstId = fn(501, "first_id", "", "BEGIN ATOMIC\n SELECT min(t.id) FROM app.t GROUP BY t.id;\nEND");
    const result = plan({
      tables: [t],
      routines: [firstId],
      constraints: [con(300, t, "t_pkey", "primary key", "PRIMARY KEY (id)")],
      dependencies: [dep("pg_attrdef:200.2", "pg_proc:501"), dep("pg_proc:501", "pg_constraint:300")],
    });
    expect(result.refusals).toEqual([]);
    expect(result.preData.some((s) => s.sql.includes("first_id"))).toBe(false);
    expect(result.postData.map((s) => s.sql).slice(-1)).toEqual([
      `ALTER TABLE ${S}."t" ALTER COLUMN "n" SET DEFAULT ${S}.first_id()`,
    ]);
  });

  it("refuses, by name, what no breaker places: a loop of domain and function, a domain default that needs a key", () => {
    const pos = fn(500, "positive", "v app.pos", "RETURN (v > 0)");
    const t = tbl(200, "t", [ID]);
    const firstId = fn(501, "first_id", "", "BEGIN ATOMIC\n SELECT min(t.id) FROM app.t GROUP BY t.id;\nEND");
    const domain = (oid: number, name: string, more: object) => ({
      oid,
      schema: "app",
      name,
      baseType: "integer",
      notNull: false,
      checks: [],
      ...more,
    });
    const result = plan({
      domains: [
        domain(100, "pos", { checks: [{ name: "c", definition: "CHECK (app.positive(VALUE))" }] }),
        domain(101, "first", { defaultExpr: "app.first_id()" }),
      ],
      tables: [t],
      routines: [pos, firstId],
      constraints: [con(300, t, "t_pkey", "primary key", "PRIMARY KEY (id)")],
      dependencies: [
        dep("pg_type:100", "pg_proc:500"),
        dep("pg_proc:500", "pg_type:100"),
        dep("pg_type:101", "pg_proc:501"),
        dep("pg_proc:501", "pg_constraint:300"),
      ],
    });
    const loop = 'domain "app"."pos", function "app"."positive"(v app.pos)';
    expect(result.refusals).toEqual([
      {
        object: 'domain "app"."first"',
        reason:
          'it needs function "app"."first_id"(), which is built only after the load, and a domain cannot wait for it',
      },
      {
        object: 'domain "app"."pos"',
        reason: `it is part of a dependency loop that no breaker resolves: ${loop}`,
      },
      {
        object: 'function "app"."positive"(v app.pos)',
        reason: `it is part of a dependency loop that no breaker resolves: ${loop}`,
      },
    ]);
  });

  it("breaks a base type's loop with its support functions by a shell type", () => {
    const io = (oid: number, name: string, args: string, symbol: string): Routine => ({
      oid,
      schema: "app",
      name,
      kind: "function",
      identityArgs: args,
      language: "internal",
      definition: `CREATE OR REPLACE FUNCTION app.${name}(${args})\n LANGUAGE internal\nAS $function$${symbol}$function$\n`,
    });
    const result = plan({
      baseTypes: [
        {
          oid: 100,
          schema: "app",
          name: "int4x",
          input: "app.int4x_in",
          output: "app.int4x_out",
          internalLength: 4,
          passedByValue: true,
          alignment: "int4",
          storage: "plain",
          category: "N",
          preferred: false,
          delimiter: ",",
          collatable: false,
          implementations: [],
        },
      ],
      routines: [io(500, "int4x_in", "cstring", "int4in"), io(501, "int4x_out", "app.int4x", "int4out")],
      tables: [tbl(200, "t", [col(1, "v", "app.int4x", { typeOid: 100 })])],
      dependencies: [
        dep("pg_type:100", "pg_proc:500"),
        dep("pg_type:100", "pg_proc:501"),
        dep("pg_proc:500", "pg_type:100"),
        dep("pg_proc:501", "pg_type:100"),
        dep("pg_class:200", "pg_type:100"),
      ],
    });
    expect(result.refusals).toEqual([]);
    expect(result.preData.slice(1).map((s) => s.sql.split("\n")[0])).toEqual([
      `CREATE TYPE ${S}."int4x"`,
      `CREATE OR REPLACE FUNCTION ${S}.int4x_in(cstring)`,
      `CREATE OR REPLACE FUNCTION ${S}.int4x_out(${S}.int4x)`,
      `CREATE TYPE ${S}."int4x" (INPUT = ${S}.int4x_in, OUTPUT = ${S}.int4x_out, INTERNALLENGTH = 4, PASSEDBYVALUE, ALIGNMENT = int4, STORAGE = plain, CATEGORY = 'N', PREFERRED = false, DELIMITER = ',', COLLATABLE = false)`,
      `CREATE TABLE ${S}."t" (`,
    ]);
  });
});
