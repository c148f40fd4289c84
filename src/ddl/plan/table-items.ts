import type { CatalogModel, Constraint } from "../../introspect/model.js";
import { describeObject } from "../../sql/describe.js";
import { qualify, quoteIdent } from "../../sql/quote.js";
import { earlyChecks } from "../early-checks.js";
import type { RenderContext } from "../render/context.js";
import { inheritedForeignKeysObject, renameInheritedForeignKeys } from "../render/foreign-key-names.js";
import { attachIndex, markedIndexKeys, tableIndexMarks } from "../render/index-marks.js";
import { commentOnCarriedKind } from "../render/kind-comments.js";
import type { CarriedOperators } from "../render/operators.js";
import { commentOn, createPolicy, createTrigger, rowSecurity } from "../render/table-objects.js";
import { addNotNull } from "../render/table-parts.js";
import { createRule, createStatistics } from "../render/table-rules.js";
import { domainChecksAfterLoad } from "../render/types.js";
import type { PlanGraph } from "./graph.js";
import { type DdlItem, item } from "./item.js";
import { keyIndex } from "./key-index.js";
import type { ModelIndex } from "./model-index.js";
import { label } from "./object-items.js";
import { addConstraint, createIndex, setSequenceValue } from "./statements.js";
import type { Statement } from "./types.js";

/** After a foreign key's ADD CONSTRAINT: its partitions' constraints take the source's names. */
function inheritedNames(c: Constraint, ctx: RenderContext): Statement[] {
  const sql = renameInheritedForeignKeys(c, ctx);
  return sql ? [{ object: inheritedForeignKeysObject(c), sql }] : [];
}

/**
 * The items built after the rows are in. Keys and indexes of a plain table, and foreign keys
 * between two plain tables, are data-phase items: the load's task graph runs them per table as
 * soon as the table is loaded. Those of partitioned tables and materialized views, and every other
 * kind, are post-data items. The breakers postpone a data-phase item to post-data when it depends
 * on something the load does not order before it.
 */
export function tableItems(
  model: CatalogModel,
  ctx: RenderContext,
  index: ModelIndex,
  graph: PlanGraph,
  carried: CarriedOperators,
): DdlItem[] {
  const plain = (oid: number | undefined) => {
    const table = oid === undefined ? undefined : index.tableByOid.get(oid);
    return table !== undefined && table.partitionKey === undefined;
  };
  const populated = new Set(model.views.filter((v) => v.materialized && v.populated).map((v) => v.oid));
  const tableKey = (oid: number) => `pg_class:${oid}`;
  const views = new Set(model.views.filter((v) => !v.materialized).map((v) => v.oid));
  const relationOf = (key: string) =>
    key.startsWith("pg_class:") ? Number(key.slice("pg_class:".length)) : -1;
  /**
   * The refreshes a refresh waits for: those of the populated materialized views it reads, directly
   * or through views (which hold no rows: reading one reads what it reads).
   */
  const refreshesRead = (key: string): string[] => {
    const out = new Set<string>();
    const seen = new Set<number>();
    const pending = [...graph.depsOf(key)];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const oid = relationOf(next);
      if (populated.has(oid)) out.add(`refresh:${oid}`);
      else if (views.has(oid) && !seen.has(oid)) {
        seen.add(oid);
        pending.push(...graph.depsOf(next));
      }
    }
    return [...out];
  };
  const items: DdlItem[] = [];

  const early = new Set([...earlyChecks(model).values()].flat().map((c) => c.oid));
  for (const c of model.constraints) {
    // A foreign table's constraints come with it (object-items.ts), and so do a child's checks
    // that a parent's NOT VALID one merges into (src/ddl/early-checks.ts).
    if (index.foreignTableByOid.has(c.tableOid) || early.has(c.oid)) continue;
    if (c.kind === "foreign key") {
      items.push(
        item({
          key: `pg_constraint:${c.oid}`,
          kind: "foreign key",
          phase: plain(c.tableOid) && plain(c.referencedTableOid) ? "data" : "post",
          statements: [addConstraint(c, ctx), ...inheritedNames(c, ctx)],
          tableOid: c.tableOid,
          ...(c.referencedTableOid !== undefined ? { referencedTableOid: c.referencedTableOid } : {}),
          implicit: [tableKey(c.tableOid), ...(c.referencedTableOid ? [tableKey(c.referencedTableOid)] : [])],
        }),
      );
    } else {
      // A plain table's primary key or unique constraint: its index is built beside the table's
      // other indexes, then attached (USING INDEX); a partitioned table's keys, and exclusion
      // constraints, keep ADD CONSTRAINT.
      const split = plain(c.tableOid) ? keyIndex(c, ctx) : undefined;
      items.push(
        item({
          key: `pg_constraint:${c.oid}`,
          kind: "key",
          phase: plain(c.tableOid) ? "data" : "post",
          statements: split ? [split.index, split.attach] : [addConstraint(c, ctx)],
          tableOid: c.tableOid,
          implicit: [tableKey(c.tableOid)],
          ...(split ? { buildsIndexFirst: true, inOneStatement: addConstraint(c, ctx) } : {}),
        }),
      );
    }
  }
  // A NOT NULL added NOT VALID on the source (18) does not hold for the rows: it is added after them.
  for (const t of model.tables)
    for (const c of t.allColumns) {
      const n = c.notNullConstraint;
      if (!n || n.valid) continue;
      items.push(
        item({
          key: `not-null:${t.oid}:${c.position}`,
          kind: "key",
          phase: plain(t.oid) ? "data" : "post",
          statements: [
            {
              object: describeObject("constraint", n.name, { on: t }),
              sql: `ALTER TABLE ${ctx.staged(t)} ${addNotNull(c, ctx)}`,
              build: { kind: "check" },
            },
          ],
          tableOid: t.oid,
          implicit: [tableKey(t.oid)],
        }),
      );
    }
  for (const i of model.indexes) {
    items.push(
      item({
        key: `pg_class:${i.oid}`,
        kind: "index",
        phase: plain(i.tableOid) ? "data" : "post",
        statements: [createIndex(i, ctx)],
        tableOid: i.tableOid,
        // An index of a materialized view is built on its rows, once it is refreshed.
        implicit: [tableKey(i.tableOid), ...(populated.has(i.tableOid) ? [`refresh:${i.tableOid}`] : [])],
      }),
    );
  }
  // A partition's index attached to its parent's (ON ONLY) index, once both exist: the parent's is
  // valid exactly when every partition has one attached, as on the source.
  const indexKey = new Map(
    model.indexes.map((i) => [`${i.table.schema}\u0000${i.name}`, `pg_class:${i.oid}`]),
  );
  const attachments = [
    ...model.indexes.map((i) => ({ child: i, key: `pg_class:${i.oid}`, to: i.attachedTo })),
    ...model.constraints.map((c) => ({
      child: { table: c.table, name: c.index ?? c.name },
      key: `pg_constraint:${c.oid}`,
      to: c.indexAttachedTo,
    })),
  ];
  for (const a of attachments) {
    const parentKey = a.to ? indexKey.get(`${a.to.schema}\u0000${a.to.name}`) : undefined;
    if (!a.to || !parentKey) continue;
    items.push(
      item({
        key: `index-attach:${a.key}`,
        kind: "index attach",
        phase: "post",
        statements: [attachIndex(a.child, a.to, ctx)],
        implicit: [a.key, parentKey],
      }),
    );
  }
  for (const v of model.views.filter((m) => populated.has(m.oid))) {
    // After what it reads: views replaced (graph.resolve), materialized views refreshed.
    const reads = [...graph.depsOf(tableKey(v.oid)), ...refreshesRead(tableKey(v.oid))];
    items.push(
      item({
        key: `refresh:${v.oid}`,
        kind: "refresh",
        phase: "post",
        statements: [
          { object: label("materialized view", v), sql: `REFRESH MATERIALIZED VIEW ${ctx.staged(v)}` },
        ],
        implicit: [tableKey(v.oid), ...reads],
      }),
    );
  }
  const post = (kind: DdlItem["kind"], key: string, object: string, sqls: readonly string[], on: number) =>
    item({
      key,
      kind,
      phase: "post",
      statements: sqls.map((sql) => ({ object, sql })),
      implicit: [tableKey(on)],
    });
  const on = (name: string, t: { readonly table: { schema: string; name: string } }) =>
    `${quoteIdent(name)} on ${qualify(t.table.schema, t.table.name)}`;
  for (const t of model.triggers)
    items.push(
      post("trigger", `pg_trigger:${t.oid}`, `trigger ${on(t.name, t)}`, createTrigger(t, ctx), t.tableOid),
    );
  for (const s of model.statistics)
    items.push(
      post(
        "statistics",
        `pg_statistic_ext:${s.oid}`,
        label("statistics", s),
        createStatistics(s, ctx),
        s.tableOid,
      ),
    );
  for (const r of model.rules)
    items.push(post("rule", `pg_rewrite:${r.oid}`, `rule ${on(r.name, r)}`, createRule(r, ctx), r.tableOid));
  for (const p of model.policies)
    items.push(
      post("policy", `pg_policy:${p.oid}`, `policy ${on(p.name, p)}`, [createPolicy(p, ctx)], p.tableOid),
    );
  for (const t of model.tables) {
    const sqls = rowSecurity(t, ctx);
    if (sqls.length > 0)
      items.push(post("row security", `row-security:${t.oid}`, label("table", t), sqls, t.oid));
    // REPLICA IDENTITY and CLUSTER ON name an index: after it is built.
    const marks = tableIndexMarks(t, ctx);
    if (marks.length > 0)
      items.push(
        item({
          key: `index-marks:${t.oid}`,
          kind: "index marks",
          phase: "post",
          statements: marks.map((sql) => ({ object: label("table", t), sql })),
          implicit: [tableKey(t.oid), ...markedIndexKeys(t, model)],
        }),
      );
  }
  // A domain's NOT VALID checks, after the rows that need not satisfy them.
  for (const d of model.domains) {
    const sqls = domainChecksAfterLoad(d, ctx);
    if (sqls.length > 0)
      items.push(
        item({
          key: `domain-checks:${d.oid}`,
          kind: "domain check",
          phase: "post",
          statements: sqls.map((sql) => ({ object: label("domain", d), sql })),
          implicit: [`pg_type:${d.oid}`],
        }),
      );
  }
  model.comments.forEach((c, n) => {
    if (c.kind === "schema") return;
    const sql = commentOnCarriedKind(c, ctx, carried) ?? commentOn(c, ctx);
    if (!sql) return;
    items.push(
      item({
        key: `comment:${n}`,
        kind: "comment",
        phase: "post",
        statements: [{ object: `comment on ${c.kind} ${c.identity}`, sql }],
        implicit: [c.target],
      }),
    );
  });
  for (const s of model.sequences) {
    items.push(
      item({
        key: `sequence-value:${s.oid}`,
        kind: "sequence value",
        phase: "post",
        statements: [{ object: label("sequence", s), sql: setSequenceValue(s, ctx) }],
        implicit: [`pg_class:${s.oid}`],
      }),
    );
  }
  return items;
}
