import type pg from "pg";
import { z } from "zod";
import { parseTableName } from "../config/qualified-name.js";
import { queryRows, text } from "../db/rows.js";
import { errorMessage, PgsyncError } from "../errors.js";
import type { Table } from "../introspect/model.js";
import type { ForeignKeyColumns } from "../mask/catalog.js";
import { qualify } from "../sql/quote.js";
import type { RowRead } from "./source-rows.js";
import { Closure, SUBSET_ID_BUDGET } from "./subset-closure.js";
import { bind, Conditions } from "./subset-conditions.js";
import { components, leafSql, relationSql, SubsetGraph, type SubsetRelation } from "./subset-graph.js";
import { packedTidSql, tidArrayText } from "./tid-set.js";

/**
 * A subset run's plan of rows (docs/masking.md, "Subsets"):
 *
 * 1. The roots' rows (their conditions, evaluated once, in the snapshot).
 * 2. With `follow: "both"`, downward: every row that references a kept row, transitively.
 * 3. Upward: every row a kept row references, transitively. The relations reached so far are
 *    materialized: their rows are exactly the kept tuple ids.
 * 4. Every other relation with a foreign key into a materialized or restricted one is restricted:
 *    it keeps the rows whose references are kept (or NULL). Without cycles that is a condition the
 *    COPY evaluates (`fk IN (SELECT key FROM target WHERE ...)`, nested along the graph); a cycle
 *    or a self-reference among them is materialized by removing, round after round, the rows whose
 *    references were removed.
 * 5. The rest is copied whole, or left empty with `others: "empty"`.
 */

export interface SubsetRules {
  readonly roots: Readonly<Record<string, string>>;
  readonly follow: "references" | "both";
  readonly others: "whole" | "empty";
}

export interface SubsetInput {
  /** Inside the run's snapshot (the exporting connection). */
  readonly client: pg.Client;
  readonly planned: readonly Table[];
  readonly copied: ReadonlySet<number>;
  readonly foreignKeys: readonly ForeignKeyColumns[];
  readonly rules: SubsetRules;
  readonly budget?: number;
}

export type SubsetMode = "closure" | "restricted" | "empty";

export interface SubsetPlan {
  /** The reads of each subsetted leaf (absent: copied whole). */
  readonly reads: ReadonlyMap<number, () => Iterable<RowRead>>;
  /** How each subsetted leaf was decided, and its row count on the source. */
  readonly tables: ReadonlyMap<number, { readonly mode: SubsetMode; readonly total: number }>;
  /** The tuple ids held in the tool. */
  readonly heldIds: number;
}

/** Kept ids per COPY statement: about 1.2 MB of bound text each. */
const READ_CHUNK = 100_000;
const ROWS_SETTING = "pgsync.subset_rows";

export async function planSubset(input: SubsetInput): Promise<SubsetPlan> {
  const { client, rules } = input;
  const graph = new SubsetGraph(input.planned, input.copied, input.foreignKeys);
  const closure = new Closure(client, graph, input.budget ?? SUBSET_ID_BUDGET);
  const roots = rootRelations(graph, input.planned, rules.roots);
  await checkRoots(client, roots);
  let delta = new Map<number, Float64Array[]>();
  for (const { rel, condition } of roots) {
    for (const [oid, ids] of await closure.root(rel, condition))
      delta.set(oid, [...(delta.get(oid) ?? []), ...ids]);
  }
  if (rules.follow === "both") {
    await closure.close(delta, "down");
    delta = closure.everything();
  }
  await closure.close(delta, "up");

  // Restricted: relations outside the closure with a foreign key into it or into another restricted one.
  const restricted = new Set<SubsetRelation>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of graph.edges) {
      if (closure.materialized.has(e.from) || restricted.has(e.from)) continue;
      if (closure.materialized.has(e.to) || restricted.has(e.to)) {
        restricted.add(e.from);
        grew = true;
      }
    }
  }
  const conditions = new Conditions(closure, restricted, rules.others);
  const order = components([...restricted], (r) =>
    graph.edges.filter((e) => e.from === r && restricted.has(e.to)).map((e) => e.to),
  );
  for (const component of order) {
    const cyclic =
      component.length > 1 || graph.edges.some((e) => e.from === component[0] && e.to === component[0]);
    if (cyclic) await materializeCycle(closure, conditions, new Set(component));
  }

  const reads = new Map<number, () => Iterable<RowRead>>();
  const modes = new Map<number, SubsetMode>();
  for (const rel of graph.relations.values()) {
    for (const leaf of rel.leaves) {
      if (modes.has(leaf.oid)) continue;
      const set = closure.kept.get(leaf.oid);
      const rels = graph.relationsOf(leaf.oid);
      if (set) {
        modes.set(leaf.oid, rels.some((r) => restricted.has(r)) ? "restricted" : "closure");
        reads.set(leaf.oid, function* () {
          for (const chunk of set.chunks(READ_CHUNK))
            yield {
              filter: `t.ctid = ANY(pg_catalog.current_setting('${ROWS_SETTING}')::pg_catalog.tid[])`,
              settings: { [ROWS_SETTING]: tidArrayText(chunk) },
            };
        });
      } else if (rels.some((r) => restricted.has(r))) {
        modes.set(leaf.oid, "restricted");
        const parts = rels.filter((r) => restricted.has(r)).map((r) => conditions.of(r, "t"));
        const filter = parts.map((p) => p.sql).join(" AND ");
        const lists = new Set(parts.flatMap((p) => [...p.lists]));
        reads.set(leaf.oid, () => [{ filter, settings: conditions.settings(lists) }]);
      } else if (rules.others === "empty") {
        modes.set(leaf.oid, "empty");
        reads.set(leaf.oid, () => []);
      }
    }
  }
  const tables = new Map<number, { mode: SubsetMode; total: number }>();
  for (const [oid, mode] of modes) {
    const leaf = closure.leaf(oid) as Table;
    const [row] = await queryRows(
      client,
      `rows of ${qualify(leaf.schema, leaf.name)}`,
      `SELECT count(*)::text AS n FROM ${leafSql(leaf)}`,
      [],
      z.object({ n: text }),
      "source",
    );
    tables.set(oid, { mode, total: Number(row?.n ?? 0) });
  }
  return { reads, tables, heldIds: closure.heldIds };
}

function rootRelations(
  graph: SubsetGraph,
  planned: readonly Table[],
  roots: Readonly<Record<string, string>>,
) {
  const problems: string[] = [];
  const out: { rel: SubsetRelation; condition: string; name: string }[] = [];
  for (const [name, condition] of Object.entries(roots)) {
    const parsed = parseTableName(name);
    const table = parsed && planned.find((t) => t.schema === parsed.schema && t.name === parsed.name);
    const rel = table && graph.relations.get(table.oid);
    if (!rel) problems.push(`subset root ${name}: the run copies no such table`);
    else out.push({ rel, condition, name });
  }
  if (problems.length > 0) throw new PgsyncError("config", problems.join("; "));
  return out;
}

/** Each root condition is planned on the source first (EXPLAIN), so a mistake names its root. */
async function checkRoots(
  client: pg.Client,
  roots: readonly { rel: SubsetRelation; condition: string; name: string }[],
): Promise<void> {
  const problems: string[] = [];
  for (const { rel, condition, name } of roots) {
    await client.query("SAVEPOINT pgsync_subset_check");
    try {
      // The extended protocol: one statement only, whatever the condition holds.
      await client.query({
        text: `EXPLAIN SELECT 1 FROM ${relationSql(rel)} AS t WHERE (${condition})`,
        queryMode: "extended",
      } as pg.QueryConfig);
      await client.query("RELEASE SAVEPOINT pgsync_subset_check");
    } catch (error) {
      await client.query("ROLLBACK TO SAVEPOINT pgsync_subset_check");
      problems.push(`subset root ${name}: the condition does not plan on the source: ${errorMessage(error)}`);
    }
  }
  if (problems.length > 0) throw new PgsyncError("config", problems.join("; "), { side: "source" });
}

/**
 * A cycle of restricted relations (or one that references itself): start from the rows whose
 * references out of the cycle are kept, then remove, round after round, each row whose reference
 * inside the cycle is no longer kept, until a round removes nothing. Memory: the cycle's kept ids.
 */
async function materializeCycle(
  closure: Closure,
  conditions: Conditions,
  cycle: ReadonlySet<SubsetRelation>,
): Promise<void> {
  for (const rel of cycle) {
    const outside = conditions.of(rel, "t", cycle);
    const clear = await bind(closure.client, conditions.settings(outside.lists));
    try {
      closure.materialize(rel);
      await closure.collect(
        `SELECT t.tableoid::int8::float8 AS r, ${packedTidSql("t")} AS k FROM ${relationSql(rel)} AS t WHERE ${outside.sql}`,
        [],
        `the restricted rows of ${qualify(rel.table.schema, rel.table.name)}`,
        rel,
      );
    } finally {
      await clear();
    }
  }
  for (let removed = 1; removed > 0; ) {
    removed = 0;
    for (const rel of cycle) removed += await conditions.removeUnreferenced(rel, cycle);
  }
}
