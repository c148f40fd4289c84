/**
 * What EXPLAIN (ANALYZE, FORMAT JSON) says about a catalog query that must stay linear in the number
 * of objects: the scans of a catalog that grows with them, repeated in a loop, that read more rows
 * than they keep (a sequential scan, or an index scan on the wrong index that filters the rest).
 */
import type pg from "pg";

/** The catalogs that grow with a database's objects (pg_namespace, a row per schema, does not). */
const GROWING = new Set(["pg_class", "pg_type", "pg_depend", "pg_proc", "pg_attribute", "pg_constraint"]);

/** Rows a scan in a loop may read and drop, each time, before it counts as a scan of the catalog. */
const DISCARDED_PER_LOOP = 50;

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

/** EXPLAIN ANALYZE of `sql` with `params`: each scan that repeats over a growing catalog, described. */
export async function repeatedCatalogScans(
  client: pg.Client,
  sql: string,
  params: unknown[] = [],
): Promise<string[]> {
  const { rows } = await client.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
    params,
  );
  const found: string[] = [];
  const walk = (node: PlanNode) => {
    const relation = String(node["Relation Name"] ?? "");
    const loops = Number(node["Actual Loops"] ?? 0);
    const discarded = Number(node["Rows Removed by Filter"] ?? 0);
    if (GROWING.has(relation) && loops > 1) {
      if (node["Node Type"] === "Seq Scan") found.push(`${relation}: sequential scan x ${loops}`);
      else if (discarded > DISCARDED_PER_LOOP)
        found.push(`${relation}: ${String(node["Index Name"])} drops ${discarded} rows a loop x ${loops}`);
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  const plan = rows[0]?.["QUERY PLAN"][0]?.Plan;
  if (plan) walk(plan);
  return found;
}
