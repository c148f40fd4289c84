/**
 * The plan's order, without a server: the topological sort itself (src/ddl/order.ts), and planSync's
 * order being reproducible and linear in the model's size. Its phases and loop breakers:
 * test/unit/plan-breakers.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dependencyOrder, type SortNode } from "../../src/ddl/order.js";
import type { SyncPlan } from "../../src/ddl/plan.js";
import { col, con, dep, ID, NAME, plan, tbl, vw } from "./plan-builders.js";

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

describe("planSync's order at scale", () => {
  it("gives the same plan whatever the catalog's OIDs and row order", () => {
    const build = (shift: number, reverse: boolean): SyncPlan => {
      const o = (n: number) => n + shift;
      const ts = Array.from({ length: 30 }, (_, i) => tbl(o(1000 + i), `t${i}`, [ID, NAME]));
      const vs = ts.map((t, i) =>
        vw(o(3000 + i), `v${i}`, ` SELECT id FROM app.${t.name}`, [["id", "integer"]]),
      );
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
