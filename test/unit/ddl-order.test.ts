/**
 * The plan's order, without a server: the topological sort itself (src/ddl/order.ts), and planSync's
 * phases and loop breakers (src/ddl/plan/) on catalog models written by hand, with pg_depend's edges
 * as the dependency query folds them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dependencyOrder, type SortNode } from "../../src/ddl/order.js";
import { planSync, type Statement, type SyncPlan } from "../../src/ddl/plan.js";
import type {
  CatalogModel,
  Column,
  Constraint,
  Dependency,
  Routine,
  Table,
  View,
} from "../../src/introspect/model.js";
import { FIXTURE } from "./plan-fixture.js";

type Node = SortNode & { readonly needs: readonly string[] };

const node = (key: string, needs: string[] = [], rank = 0): Node => ({ key, rank, name: key, needs });
const keys = (nodes: readonly SortNode[]) => nodes.map((n) => n.key);
const sort = (nodes: readonly Node[]) => dependencyOrder(nodes, (n) => n.needs);

describe("dependencyOrder", () => {
  it("puts every node after what it needs, and breaks ties by rank, then name", () => {
    const nodes = [node("b", ["d"]), node("a", [], 1), node("c"), node("d")];
    expect(keys(sort(nodes).ordered)).toEqual(["c", "d", "b", "a"]);
  });

  it("ignores keys that are not nodes, and a node's own key", () => {
    expect(keys(sort([node("a", ["a", "elsewhere"]), node("b", ["a"])]).ordered)).toEqual(["a", "b"]);
  });

  it("gives the same order for any input order, each node after its dependencies (random graphs)", () => {
    const graph = fc
      .integer({ min: 1, max: 40 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }),
          fc.array(fc.nat(3), { minLength: n, maxLength: n }),
          fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
        ),
      );
    fc.assert(
      fc.property(graph, ([edges, ranks, permutation]) => {
        // Edges from a higher index to a lower one only: a DAG.
        const nodes = ranks.map((rank, i) =>
          node(
            `n${i}`,
            edges.filter(([a, b]) => a === i && b < a).map(([, b]) => `n${b}`),
            rank,
          ),
        );
        const { ordered, loops } = sort(nodes);
        expect(loops).toEqual([]);
        const at = new Map(ordered.map((n, i) => [n.key, i]));
        for (const n of nodes) for (const d of n.needs) expect(at.get(d)).toBeLessThan(at.get(n.key) ?? -1);
        const shuffled = permutation.map((i) => nodes[i] as Node);
        expect(keys(sort(shuffled).ordered)).toEqual(keys(ordered));
      }),
    );
  });

  it("reports each loop once, and not the nodes that only wait for one", () => {
    const nodes = [
      node("free"),
      node("a", ["b"]),
      node("b", ["c"]),
      node("c", ["a"]),
      node("waits", ["a"]),
      node("x", ["y"]),
      node("y", ["x"]),
    ];
    const { ordered, loops } = sort(nodes);
    expect(keys(ordered)).toEqual(["free"]);
    expect(loops.map(keys)).toEqual([
      ["a", "b", "c"],
      ["x", "y"],
    ]);
  });

  it("sorts a chain of 20,000 nodes, and finds a loop of 20,000, without recursion", () => {
    const n = 20_000;
    const chain = Array.from({ length: n }, (_, i) => node(`k${i}`, i > 0 ? [`k${i - 1}`] : []));
    expect(sort(chain).ordered).toHaveLength(n);
    const ring = Array.from({ length: n }, (_, i) => node(`k${i}`, [`k${(i + n - 1) % n}`]));
    const { ordered, loops } = sort(ring);
    expect(ordered).toEqual([]);
    expect(loops.map((l) => l.length)).toEqual([n]);
  });
});

// ---- planSync on hand-written models ----

const EMPTY = Object.fromEntries(
  Object.entries(FIXTURE).map(([k, v]) => [k, Array.isArray(v) ? [] : v]),
) as unknown as CatalogModel;
const BASE: CatalogModel = { ...EMPTY, privileges: undefined, schemas: [{ oid: 2200, name: "app" }] };

const col = (position: number, name: string, type: string, more: Partial<Column> = {}): Column => ({
  name,
  position,
  type,
  typeOid: 0,
  binarySafe: true,
  notNull: false,
  ...more,
});

const tbl = (oid: number, name: string, columns: Column[], more: Partial<Table> = {}): Table => ({
  oid,
  schema: "app",
  name,
  persistence: "permanent",
  columns,
  allColumns: columns,
  options: [],
  inherits: [],
  rowSecurity: false,
  forceRowSecurity: false,
  bytes: 8192,
  estimatedRows: 1,
  ...more,
});

const con = (
  oid: number,
  table: Table,
  name: string,
  kind: Constraint["kind"],
  definition: string,
  more: Partial<Constraint> = {},
): Constraint => ({
  oid,
  table: { schema: table.schema, name: table.name },
  tableOid: table.oid,
  name,
  kind,
  definition,
  ...more,
});

const fn = (oid: number, name: string, args: string, body: string): Routine => ({
  oid,
  schema: "app",
  name,
  kind: "function",
  identityArgs: args,
  language: "sql",
  definition: `CREATE OR REPLACE FUNCTION app.${name}(${args})\n RETURNS boolean\n LANGUAGE sql\n${body}\n`,
});

const vw = (
  oid: number,
  name: string,
  definition: string,
  columns: [string, string][],
  more: Partial<View> = {},
): View => ({
  oid,
  schema: "app",
  name,
  materialized: false,
  definition,
  columns: columns.map(([c]) => c),
  columnTypes: columns.map(([, type]) => ({ type })),
  options: [],
  populated: true,
  ...more,
});

const dep = (dependent: string, referenced: string): Dependency => ({ dependent, referenced });

const plan = (model: Partial<CatalogModel>, targetMajor = 17): SyncPlan =>
  planSync({ ...BASE, ...model }, { targetMajor, stagingPrefix: "_pgsync_stage_t" });

/** Position of the first statement whose SQL starts with `prefix`; fails the test when there is none. */
function at(statements: readonly Statement[], prefix: string): number {
  const i = statements.findIndex((s) => s.sql.startsWith(prefix));
  expect(i, `no statement starts with ${prefix}`).toBeGreaterThanOrEqual(0);
  return i;
}

const S = '"_pgsync_stage_t_1"';
const ID = col(1, "id", "integer", { notNull: true });
const NAME = col(2, "name", "text");

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
      `ALTER TABLE ${S}."t" ADD CONSTRAINT "t_pkey" PRIMARY KEY (id)`,
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

  it("gives the same plan whatever the catalog's OIDs and row order", () => {
    const build = (shift: number, reverse: boolean): SyncPlan => {
      const o = (n: number) => n + shift;
      const ts = Array.from({ length: 30 }, (_, i) => tbl(o(1000 + i), `t${i}`, [ID, NAME]));
      const vs = ts.map((t, i) => vw(o(3000 + i), `v${i}`, ` SELECT id FROM app.t${i}`, [["id", "integer"]]));
      const deps = [
        ...vs.map((v, i) => dep(`pg_class:${v.oid}`, `pg_class:${ts[i]?.oid}`)),
        ...vs.slice(1).map((v, i) => dep(`pg_class:${v.oid}`, `pg_class:${vs[i]?.oid}`)),
      ];
      const order = <T>(xs: T[]) => (reverse ? [...xs].reverse() : xs);
      return plan({ tables: order(ts), views: order(vs), dependencies: order(deps) });
    };
    const a = build(0, false);
    const b = build(50_000, true);
    expect(b.preData).toEqual(a.preData);
    expect(b.postData).toEqual(a.postData);
  });

  it("plans 10,000 tables with keys, indexes, foreign keys and views (no quadratic step)", () => {
    const n = 10_000;
    const tables = Array.from({ length: n }, (_, i) =>
      tbl(100_000 + i, `t${i}`, [ID, col(2, "ref", "integer")]),
    );
    const constraints = tables.flatMap((t, i) => [
      con(200_000 + i, t, `t${i}_pkey`, "primary key", "PRIMARY KEY (id)"),
      ...(i > 0
        ? [
            con(
              300_000 + i,
              t,
              `t${i}_ref_fkey`,
              "foreign key",
              `FOREIGN KEY (ref) REFERENCES app.t${i - 1}(id)`,
              { referencedTableOid: 100_000 + i - 1 },
            ),
          ]
        : []),
    ]);
    const indexes = tables.map((t, i) => ({
      oid: 400_000 + i,
      table: { schema: "app", name: t.name },
      tableOid: t.oid,
      name: `t${i}_ref`,
      definition: `CREATE INDEX t${i}_ref ON app.t${i} USING btree (ref)`,
    }));
    const views = tables
      .filter((_, i) => i % 10 === 0)
      .map((t, i) =>
        vw(500_000 + i, `v${i}`, ` SELECT id FROM app.${t.name} GROUP BY id`, [["id", "integer"]]),
      );
    const dependencies = views.flatMap((v, i) => [
      dep(`pg_class:${v.oid}`, `pg_class:${100_000 + i * 10}`),
      dep(`pg_class:${v.oid}`, `pg_constraint:${200_000 + i * 10}`),
    ]);
    const result = plan({ tables, constraints, indexes, views, dependencies });
    expect(result.refusals).toEqual([]);
    expect(result.tables.every((t) => t.keys.length === 1 && t.indexes.length === 1)).toBe(true);
    expect(result.foreignKeys).toHaveLength(n - 1);
    expect(result.postData.filter((s) => s.sql.startsWith("CREATE OR REPLACE VIEW"))).toHaveLength(n / 10);
  });
});
