import type pg from "pg";
import QueryStream from "pg-query-stream";
import { z } from "zod";
import { PgsyncError, wrapError } from "../errors.js";
import type { Table } from "../introspect/model.js";
import { qualify } from "../sql/quote.js";
import {
  columnTuple,
  leafSql,
  relationSql,
  type SubsetEdge,
  type SubsetGraph,
  type SubsetRelation,
} from "./subset-graph.js";
import { packedTidSql, TidSet, tidArrayText } from "./tid-set.js";

/**
 * The closure of a subset, computed on the source inside the run's snapshot (on the connection
 * that exported it, which is read-only and may be a standby: no temporary table). The tool holds
 * only tuple ids (ctids, see tid-set.ts), never a column value: each step sends a batch of ids as a
 * bind parameter and gets back the ids of the rows they reach, with semi-joins evaluated by the
 * source (`WHERE (fk) IN (SELECT key FROM t WHERE ctid = ANY($1))`). Steps are semi-naive: only
 * the ids found by the previous round are expanded again, so cycles and self-references end.
 */

/** The tuple ids the tool may hold at once (8 bytes each, ~12 more as text while bound): ~80 MB. */
export const SUBSET_ID_BUDGET = 4_000_000;
/** Ids per bind parameter of a closure step. */
export const CLOSURE_BATCH = 50_000;

export class Closure {
  /** Kept tuple ids of each leaf of a materialized relation. */
  readonly kept = new Map<number, TidSet>();
  /** Relations whose rows are the kept ids of their leaves. */
  readonly materialized = new Set<SubsetRelation>();
  private held = 0;

  constructor(
    readonly client: pg.Client,
    readonly graph: SubsetGraph,
    private readonly budget: number = SUBSET_ID_BUDGET,
  ) {}

  get heldIds(): number {
    return this.held;
  }

  /** Marks a relation as materialized: each of its leaves gets a (possibly empty) set. */
  materialize(rel: SubsetRelation): void {
    this.materialized.add(rel);
    for (const leaf of rel.leaves) if (!this.kept.has(leaf.oid)) this.kept.set(leaf.oid, new TidSet());
  }

  /** The rows of a root relation that match its condition; returns the new ids per leaf. */
  async root(rel: SubsetRelation, condition: string): Promise<Map<number, Float64Array[]>> {
    this.materialize(rel);
    const sql = `SELECT t.tableoid::int8::float8 AS r, ${packedTidSql("t")} AS k FROM ${relationSql(rel)} AS t WHERE (${condition})`;
    return this.collect(sql, [], `the subset's root ${qualify(rel.table.schema, rel.table.name)}`);
  }

  /**
   * One round: from the new ids of each leaf, along `edges` (up: to what they reference; down: to
   * what references them), the ids not kept yet. Returns the new ids per leaf, for the next round.
   */
  async step(
    delta: Map<number, Float64Array[]>,
    direction: "up" | "down",
  ): Promise<Map<number, Float64Array[]>> {
    const next = new Map<number, Float64Array[]>();
    for (const [leafOid, parts] of delta) {
      const leaf = this.leaf(leafOid);
      if (!leaf) continue;
      const edges = this.graph.edgesAt(leafOid, direction === "up" ? "from" : "to");
      for (const edge of edges) {
        for (const part of parts) {
          for (let at = 0; at < part.length; at += CLOSURE_BATCH) {
            const batch = part.subarray(at, at + CLOSURE_BATCH);
            const found = await this.collect(
              direction === "up" ? upSql(edge, leaf) : downSql(edge, leaf),
              [tidArrayText(batch)],
              `the subset's ${direction === "up" ? "referenced" : "referencing"} rows along foreign key ${edge.fk.name}`,
              direction === "up" ? edge.to : edge.from,
            );
            for (const [oid, ids] of found) next.set(oid, [...(next.get(oid) ?? []), ...ids]);
          }
        }
      }
    }
    return next;
  }

  /** Runs rounds until no new id turns up. */
  async close(delta: Map<number, Float64Array[]>, direction: "up" | "down"): Promise<void> {
    let current = delta;
    while (current.size > 0) current = await this.step(current, direction);
  }

  /** Every kept id so far, per leaf, as one delta (the start of the upward closure after the downward one). */
  everything(): Map<number, Float64Array[]> {
    return new Map([...this.kept].filter(([, s]) => s.size > 0).map(([oid, s]) => [oid, [s.sorted()]]));
  }

  /**
   * Runs `sql` (rows `r`: the leaf's oid, `k`: a packed ctid), adding what it finds to the kept sets;
   * returns the ids that were new. `into`, when given, is materialized as soon as it gains a row.
   */
  async collect(
    sql: string,
    params: readonly unknown[],
    what: string,
    into?: SubsetRelation,
  ): Promise<Map<number, Float64Array[]>> {
    const fresh = new Map<number, Float64Array[]>();
    const pending = new Map<number, number[]>();
    const flush = (oid: number) => {
      const ids = pending.get(oid);
      if (!ids || ids.length === 0) return;
      pending.set(oid, []);
      let set = this.kept.get(oid);
      if (!set) {
        if (into) this.materialize(into);
        set = this.kept.get(oid);
        // A leaf outside the run (a partition it does not copy): its rows are not carried.
        if (!set) return;
      }
      const added = set.add(ids);
      if (added.length === 0) return;
      this.held += added.length;
      if (this.held > this.budget) throw this.overBudget();
      fresh.set(oid, [...(fresh.get(oid) ?? []), added]);
    };
    try {
      const stream = this.client.query(new QueryStream(sql, [...params], { batchSize: 10_000 }));
      for await (const raw of stream) {
        const row = Row.parse(raw);
        let ids = pending.get(row.r);
        if (!ids) {
          ids = [];
          pending.set(row.r, ids);
        }
        ids.push(row.k);
        if (ids.length >= 65_536) flush(row.r);
      }
    } catch (error) {
      if (error instanceof PgsyncError) throw error;
      throw wrapError("copy", `computing ${what}`, error, { side: "source", sql });
    }
    for (const oid of pending.keys()) flush(oid);
    return fresh;
  }

  leaf(oid: number): Table | undefined {
    return this.graph.relations.get(oid)?.table;
  }

  private overBudget(): PgsyncError {
    const sizes = [...this.kept]
      .filter(([, s]) => s.size > 0)
      .sort((a, b) => b[1].size - a[1].size)
      .slice(0, 8)
      .map(([oid, s]) => {
        const t = this.leaf(oid);
        return `${t ? qualify(t.schema, t.name) : oid}: ${s.size.toLocaleString("en-US")}`;
      });
    return new PgsyncError(
      "config",
      `the subset keeps more than ${this.budget.toLocaleString("en-US")} rows in the tables its closure reaches (the ids the tool may hold within its memory bound); narrow the roots. Largest so far: ${sizes.join(", ")}`,
    );
  }
}

const Row = z.object({ r: z.number(), k: z.number() });

/** The rows of `edge.to` that the given rows of `leaf` (a leaf of `edge.from`) reference. */
function upSql(edge: SubsetEdge, leaf: Table): string {
  return `SELECT x.tableoid::int8::float8 AS r, ${packedTidSql("x")} AS k FROM ${relationSql(edge.to)} AS x
WHERE ${columnTuple("x", edge.fk.referencedColumns)} IN (
  SELECT ${columnTuple("r", edge.fk.columns).slice(1, -1)} FROM ${leafSql(leaf)} AS r WHERE r.ctid = ANY($1::pg_catalog.tid[]))`;
}

/** The rows of `edge.from` that reference the given rows of `leaf` (a leaf of `edge.to`). */
function downSql(edge: SubsetEdge, leaf: Table): string {
  return `SELECT r.tableoid::int8::float8 AS r, ${packedTidSql("r")} AS k FROM ${relationSql(edge.from)} AS r
WHERE ${columnTuple("r", edge.fk.columns)} IN (
  SELECT ${columnTuple("x", edge.fk.referencedColumns).slice(1, -1)} FROM ${leafSql(leaf)} AS x WHERE x.ctid = ANY($1::pg_catalog.tid[]))`;
}
