import type pg from "pg";
import { z } from "zod";
import { validRows } from "../db/rows.js";
import type { Closure } from "./subset-closure.js";
import { anyNullSql, columnTuple, leafSql, relationSql, type SubsetRelation } from "./subset-graph.js";
import { packedTidSql, tidArrayText } from "./tid-set.js";

/** A row's ctid packed into one number (packedTidSql). */
const PackedTid = z.object({ k: z.number() });

/**
 * The SQL condition that keeps a restricted relation's rows: for each foreign key into a
 * materialized, restricted or empty relation, the referencing columns are NULL (MATCH SIMPLE) or
 * reference a kept row. A materialized target's kept ids are read from a setting bound before the
 * statement (`pgsync.subset_<oid>`, a tid[] literal); a restricted target's rows are its own
 * condition, nested (restricted relations without cycles form a DAG, so the nesting ends).
 */
export class Conditions {
  private readonly texts = new Map<number, string>();
  private alias = 0;

  constructor(
    private readonly closure: Closure,
    private readonly restricted: ReadonlySet<SubsetRelation>,
    private readonly others: "whole" | "empty",
  ) {}

  /** The condition over `alias` for `rel`'s rows, leaving out its foreign keys into `skip`. */
  of(
    rel: SubsetRelation,
    alias: string,
    skip: ReadonlySet<SubsetRelation> = new Set(),
  ): { sql: string; lists: Set<number> } {
    const lists = new Set<number>();
    const parts: string[] = [];
    for (const e of this.closure.graph.edges) {
      if (e.from !== rel || skip.has(e.to)) continue;
      const nulls = anyNullSql(alias, e.fk.columns);
      const target = this.membership(e.to, e.fk.referencedColumns, lists);
      if (target === "all") continue;
      parts.push(
        target === "none" ? nulls : `(${nulls} OR ${columnTuple(alias, e.fk.columns)} IN (${target}))`,
      );
    }
    return { sql: parts.length > 0 ? parts.join(" AND ") : "true", lists };
  }

  /** The settings a condition reads: each listed leaf's kept ids. */
  settings(lists: ReadonlySet<number>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const oid of lists) out[settingName(oid)] = this.listText(oid);
    return out;
  }

  /**
   * One round of a cycle's materialization: removes the kept rows of `rel` whose foreign key into
   * a relation of the cycle references a row that is not kept. Returns how many were removed.
   */
  async removeUnreferenced(rel: SubsetRelation, cycle: ReadonlySet<SubsetRelation>): Promise<number> {
    const inside = this.closure.graph.edges.filter((e) => e.from === rel && cycle.has(e.to));
    let removed = 0;
    for (const e of inside) {
      const lists = new Set<number>();
      const target = this.membership(e.to, e.fk.referencedColumns, lists);
      if (target === "all") continue;
      const nulls = anyNullSql("t", e.fk.columns);
      const holds =
        target === "none" ? nulls : `(${nulls} OR ${columnTuple("t", e.fk.columns)} IN (${target}))`;
      // The lists of the cycle change as rows go: read afresh for each foreign key.
      for (const oid of lists) this.texts.delete(oid);
      const { client } = this.closure;
      const clear = await bind(client, this.settings(lists));
      try {
        for (const leaf of rel.leaves) {
          const set = this.closure.kept.get(leaf.oid);
          if (!set || set.size === 0) continue;
          const gone: number[] = [];
          for (const chunk of set.chunks(50_000)) {
            const sql = `SELECT ${packedTidSql("t")} AS k FROM ${leafSql(leaf)} AS t WHERE t.ctid = ANY($1::pg_catalog.tid[]) AND NOT ${holds}`;
            const result = await client.query(sql, [tidArrayText(chunk)]);
            const origin = { name: "subset: rows whose reference went", sql, side: "source" as const };
            for (const row of validRows(result, PackedTid, origin)) gone.push(row.k);
          }
          removed += set.delete(gone);
          if (gone.length > 0) this.texts.delete(leaf.oid);
        }
      } finally {
        await clear();
      }
    }
    return removed;
  }

  /**
   * What a reference into `rel` must match: a subquery of its kept key values, "all" (a table
   * copied whole: every reference holds) or "none" (a table left empty: only NULL holds).
   */
  private membership(
    rel: SubsetRelation,
    columns: readonly string[],
    lists: Set<number>,
  ): string | "all" | "none" {
    if (this.closure.materialized.has(rel)) {
      const selects = rel.leaves
        .filter((leaf) => (this.closure.kept.get(leaf.oid)?.size ?? 0) > 0)
        .map((leaf) => {
          lists.add(leaf.oid);
          const x = this.nextAlias();
          return `SELECT ${columnTuple(x, columns).slice(1, -1)} FROM ${leafSql(leaf)} AS ${x} WHERE ${x}.ctid = ANY(pg_catalog.current_setting('${settingName(leaf.oid)}')::pg_catalog.tid[])`;
        });
      return selects.length > 0 ? selects.join(" UNION ALL ") : "none";
    }
    if (this.restricted.has(rel)) {
      const x = this.nextAlias();
      const inner = this.of(rel, x);
      for (const oid of inner.lists) lists.add(oid);
      return `SELECT ${columnTuple(x, columns).slice(1, -1)} FROM ${relationSql(rel)} AS ${x} WHERE ${inner.sql}`;
    }
    return rel.leaves.length === 0 || this.others === "empty" ? "none" : "all";
  }

  private listText(oid: number): string {
    let t = this.texts.get(oid);
    if (t === undefined) {
      t = tidArrayText(this.closure.kept.get(oid)?.sorted() ?? new Float64Array(0));
      this.texts.set(oid, t);
    }
    return t;
  }

  private nextAlias(): string {
    return `s${++this.alias}`;
  }
}

export function settingName(oid: number): string {
  return `pgsync.subset_${oid}`;
}

/** Binds settings on a client inside its transaction; the returned function empties them again. */
export async function bind(
  client: pg.Client,
  settings: Readonly<Record<string, string>>,
): Promise<() => Promise<void>> {
  const names = Object.keys(settings);
  for (const name of names)
    await client.query("SELECT pg_catalog.set_config($1, $2, true)", [name, settings[name]]);
  return async () => {
    for (const name of names) await client.query("SELECT pg_catalog.set_config($1, '', true)", [name]);
  };
}
