/**
 * Pre-data cut into blocks (src/ddl/plan/staging-blocks.ts), without a server: which tables may be
 * created on several connections at once, and which must wait for their turn. The round trip on
 * real servers: test/concurrent-staging.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { StagingBlock, SyncPlan } from "../../src/ddl/plan.js";
import type { Table } from "../../src/introspect/model.js";
import { dep, ID, NAME, plan, tbl } from "./plan-builders.js";

const tables = (count: number, first = 1): Table[] =>
  Array.from({ length: count }, (_, i) => tbl(1000 + first + i, `t${first + i}`, [ID, NAME]));

/** The tables each block creates, by name, and whether it is concurrent. */
function shape(p: SyncPlan): { concurrent: boolean; tables: string[] }[] {
  return p.stagingBlocks.map((b: StagingBlock) => ({
    concurrent: b.concurrent,
    tables: b.items.flatMap((i) => {
      const m = /^CREATE (?:UNLOGGED )?TABLE \S+\.(\S+)/.exec(i[0]?.sql ?? "");
      return m?.[1] ? [m[1].replace(/"/g, "")] : [];
    }),
  }));
}

describe("staging blocks", () => {
  it("puts a run of independent plain tables in one concurrent block, after the schemas, in sort order", () => {
    const p = plan({ tables: tables(120) });
    const blocks = shape(p);
    expect(blocks.map((b) => [b.concurrent, b.tables.length])).toEqual([
      [false, 0],
      [true, 120],
    ]);
    // The blocks are pre-data, statement for statement.
    expect(p.stagingBlocks.flatMap((b) => b.items.flat())).toEqual(p.preData);
  });

  it("runs a short run of tables in order", () => {
    expect(shape(plan({ tables: tables(49) })).every((b) => !b.concurrent)).toBe(true);
  });

  it("ends a block before a table that depends on one of its tables", () => {
    const blocks = shape(
      plan({ tables: tables(120), dependencies: [dep("pg_class:1090", "pg_class:1010")] }),
    );
    const holding = (name: string) => blocks.findIndex((b) => b.tables.includes(name));
    expect(blocks[holding("t10")]?.concurrent).toBe(true);
    expect(holding("t10")).toBeLessThan(holding("t90"));
    // Without the dependency they share a block.
    const free = shape(plan({ tables: tables(120) }));
    expect(free.findIndex((b) => b.tables.includes("t10"))).toBe(
      free.findIndex((b) => b.tables.includes("t90")),
    );
  });

  it("keeps children, partitions and names whose array type could collide out of concurrent blocks", () => {
    const parent = { schema: "app", name: "t1" };
    const odd = [
      tbl(2001, "child", [ID], { inherits: [parent] }),
      tbl(2002, "part", [ID], { partitionOf: { parent, bound: "DEFAULT" } }),
      tbl(2003, "_t2", [ID]),
      tbl(2004, "x".repeat(63), [ID]),
      tbl(2005, "é".repeat(32), [ID]),
    ];
    const blocks = shape(plan({ tables: [...tables(100), ...odd] }));
    const concurrent = blocks.filter((b) => b.concurrent).flatMap((b) => b.tables);
    expect(concurrent.length).toBeGreaterThanOrEqual(50);
    for (const t of odd) expect(concurrent).not.toContain(t.name);
    // Each is still created, in a block of its own turn.
    const inOrder = blocks.filter((b) => !b.concurrent).flatMap((b) => b.tables);
    for (const t of odd) expect(inOrder.some((n) => n === t.name || n.endsWith(t.name))).toBe(true);
  });
});
