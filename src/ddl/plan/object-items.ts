import type { CatalogModel, QualifiedName, Routine } from "../../introspect/model.js";
import { qualify, quoteIdent } from "../../sql/quote.js";
import { createAccessMethod } from "../render/access-methods.js";
import { createAggregate } from "../render/aggregates.js";
import { createBaseType } from "../render/base-types.js";
import { createCast } from "../render/casts.js";
import { createCollation } from "../render/collations.js";
import type { RenderContext } from "../render/context.js";
import { createForeignDataWrapper, createForeignTable, createServer } from "../render/foreign-tables.js";
import {
  type CarriedOperators,
  createOperator,
  createOperatorClass,
  createOperatorFamily,
  createShellOperator,
} from "../render/operators.js";
import { createSequence } from "../render/tables.js";
import { createTextSearchConfiguration, createTextSearchDictionary } from "../render/text-search.js";
import { createTransform } from "../render/transforms.js";
import { createComposite, createDomain, createEnum, createRange } from "../render/types.js";
import { createView } from "../render/views.js";
import { tableBuilds } from "../table-build.js";
import { stagedBody } from "./function-bodies.js";
import { type DdlItem, type ItemKind, item } from "./item.js";
import { type ModelIndex, parentsOf } from "./model-index.js";
import { ownSequence } from "./statements.js";

export const label = (kind: string, o: QualifiedName) => `${kind} ${qualify(o.schema, o.name)}`;

/** Key of a column's default (or generation expression) in the folded dependencies. */
export const defaultKey = (relationOid: number, position: number) => `pg_attrdef:${relationOid}.${position}`;

function routineSql(r: Routine, ctx: RenderContext): string {
  if (r.kind === "aggregate") return createAggregate(r, ctx);
  // A body that names staged objects reads them while the staging is loaded (function-bodies.ts).
  return stagedBody(r, ctx)?.staged ?? ctx.sql(r.definition);
}

function pre(kind: ItemKind, key: string, object: string, sqls: string | readonly string[]): DdlItem {
  const statements = (typeof sqls === "string" ? [sqls] : sqls).map((sql) => ({ object, sql }));
  return item({ key, kind, phase: "pre", statements });
}

/**
 * The pre-data items: every object created in the staging transaction before the load, tables
 * without their keys and indexes. Each answers for its catalog key, and claims the keys of what its
 * statement creates along with it.
 */
export function objectItems(
  model: CatalogModel,
  ctx: RenderContext,
  index: ModelIndex,
  carried: CarriedOperators,
): DdlItem[] {
  const items: DdlItem[] = [
    ...model.collations.map((c) =>
      pre("collation", `pg_collation:${c.oid}`, label("collation", c), createCollation(c, ctx)),
    ),
    ...model.enums.map((e) => pre("enum", `pg_type:${e.oid}`, label("type", e), createEnum(e, ctx))),
    ...model.domains.map((d) => pre("domain", `pg_type:${d.oid}`, label("domain", d), createDomain(d, ctx))),
    ...model.composites.map((t) =>
      pre("composite type", `pg_type:${t.oid}`, label("type", t), createComposite(t, ctx)),
    ),
    ...model.ranges.map((r) => pre("range type", `pg_type:${r.oid}`, label("type", r), createRange(r, ctx))),
    ...(model.baseTypes ?? []).map((t) =>
      pre("base type", `pg_type:${t.oid}`, label("type", t), createBaseType(t, ctx)),
    ),
    ...model.routines.map((r) =>
      pre(
        "routine",
        `pg_proc:${r.oid}`,
        `${r.kind} ${qualify(r.schema, r.name)}(${r.identityArgs})`,
        routineSql(r, ctx),
      ),
    ),
    ...model.operators.map((o) =>
      pre(
        "operator",
        `pg_operator:${o.oid}`,
        `operator ${o.schema}.${o.name}(${o.left ?? "NONE"}, ${o.right})`,
        createOperator(o, ctx, carried),
      ),
    ),
    // Wrappers, servers and access methods belong to the database: created when missing, after the
    // functions they name (which the sync may create too), before what uses them.
    ...(model.foreignDataWrappers ?? []).map((w) =>
      pre(
        "foreign-data wrapper",
        `pg_foreign_data_wrapper:${w.oid}`,
        `foreign-data wrapper ${quoteIdent(w.name)}`,
        createForeignDataWrapper({
          ...w,
          ...(w.handler !== undefined ? { handler: ctx.sql(w.handler) } : {}),
          ...(w.validator !== undefined ? { validator: ctx.sql(w.validator) } : {}),
        }),
      ),
    ),
    ...model.foreignServers.map((s) =>
      pre("server", `pg_foreign_server:${s.oid}`, `server ${quoteIdent(s.name)}`, createServer(s)),
    ),
    ...model.accessMethods.map((a) =>
      pre(
        "access method",
        `pg_am:${a.oid}`,
        `access method ${quoteIdent(a.name)}`,
        createAccessMethod(a, ctx),
      ),
    ),
    ...operatorFamilyItems(model, ctx, carried),
    ...model.casts.map((c) =>
      pre("cast", `pg_cast:${c.oid}`, `cast (${c.source} AS ${c.target})`, createCast(c, ctx)),
    ),
    ...(model.transforms ?? []).map((t) =>
      pre(
        "transform",
        `pg_transform:${t.oid}`,
        `transform for ${t.type} language ${t.language}`,
        createTransform(t, ctx),
      ),
    ),
    ...(model.shellOperators ?? []).map((o) =>
      pre(
        "operator",
        `pg_operator:${o.oid}`,
        `operator ${o.schema}.${o.name}(${o.left ?? "NONE"}, ${o.right})`,
        createShellOperator(o, ctx, carried),
      ),
    ),
    ...model.textSearchDictionaries.map((d) =>
      pre(
        "text search dictionary",
        `pg_ts_dict:${d.oid}`,
        label("text search dictionary", d),
        createTextSearchDictionary(d, ctx),
      ),
    ),
    ...model.textSearchConfigurations.map((c) =>
      pre(
        "text search configuration",
        `pg_ts_config:${c.oid}`,
        label("text search configuration", c),
        createTextSearchConfiguration(c, ctx),
      ),
    ),
    ...model.sequences
      .filter((s) => !s.isIdentity)
      .map((s) => pre("sequence", `pg_class:${s.oid}`, label("sequence", s), createSequence(s, ctx))),
    // OWNED BY once both exist: the table's default may call nextval() on the sequence.
    ...model.sequences.flatMap((s) => {
      const owner = s.ownedBy;
      const tableOid = owner ? index.relationOid(owner.table) : undefined;
      if (s.isIdentity || !owner || tableOid === undefined) return [];
      return [
        item({
          key: `owned-by:${s.oid}`,
          kind: "sequence owner",
          phase: "pre",
          statements: [{ object: label("sequence", s), sql: ownSequence(s, owner, ctx) }],
          implicit: [`pg_class:${s.oid}`, `pg_class:${tableOid}`],
        }),
      ];
    }),
    ...model.views.map((v) =>
      pre(
        v.materialized ? "materialized view" : "view",
        `pg_class:${v.oid}`,
        label(v.materialized ? "materialized view" : "view", v),
        createView(v, ctx),
      ),
    ),
  ];
  const identityOf = new Map<number, string[]>();
  for (const s of model.sequences) {
    const tableOid = s.isIdentity && s.ownedBy ? index.relationOid(s.ownedBy.table) : undefined;
    if (tableOid === undefined) continue;
    const list = identityOf.get(tableOid) ?? [];
    list.push(`pg_class:${s.oid}`);
    identityOf.set(tableOid, list);
  }
  const parentKeys = (t: Parameters<typeof parentsOf>[0]) =>
    parentsOf(t).flatMap((p) => {
      const oid = index.relationOid(p);
      return oid === undefined ? [] : [`pg_class:${oid}`];
    });
  // Tables, in the form that keeps the source's columns; a replayed inheritance tree is one item
  // (src/ddl/table-build.ts).
  for (const build of tableBuilds(model, ctx)) {
    const t = build.table;
    const members = new Set(build.members.map((m) => `pg_class:${m.oid}`));
    items.push(
      item({
        key: `pg_class:${t.oid}`,
        kind: "table",
        phase: "pre",
        statements: build.statements.map((sql) => ({ object: label("table", t), sql })),
        // The table's statement creates its columns' defaults and its identity sequences.
        claims: [
          ...build.members.filter((m) => m !== t).map((m) => `pg_class:${m.oid}`),
          ...build.members.flatMap((m) =>
            m.allColumns
              .filter((c) => c.defaultExpr !== undefined || c.generated)
              .map((c) => defaultKey(m.oid, c.position)),
          ),
          ...build.members.flatMap((m) => identityOf.get(m.oid) ?? []),
          ...build.checks.map((c) => `pg_constraint:${c.oid}`),
        ],
        implicit: build.members
          .flatMap((m) => [...parentKeys(m), ...m.columns.map((c) => `pg_type:${c.typeOid}`)])
          .filter((k) => !members.has(k)),
      }),
    );
  }
  for (const f of model.foreignTables) {
    const constraints = index.constraintsOf(f.oid);
    items.push(
      item({
        key: `pg_class:${f.oid}`,
        kind: "foreign table",
        phase: "pre",
        statements: createForeignTable(f, constraints, ctx).map((sql) => ({
          object: label("foreign table", f),
          sql,
        })),
        // A foreign table's CHECK constraints come with it (they are never validated).
        claims: [
          ...constraints.map((c) => `pg_constraint:${c.oid}`),
          ...f.columns
            .filter((c) => c.defaultExpr !== undefined || c.generated)
            .map((c) => defaultKey(f.oid, c.position)),
        ],
        implicit: [...parentKeys(f), ...f.columns.map((c) => `pg_type:${c.typeOid}`)],
      }),
    );
  }
  return items;
}

/** A family is created with its classes (pg_depend's entries of both are folded onto the family). */
function operatorFamilyItems(model: CatalogModel, ctx: RenderContext, carried: CarriedOperators): DdlItem[] {
  const familyKey = (f: QualifiedName, method: string) => `${f.schema}\u0000${f.name}\u0000${method}`;
  const classesOf = new Map<string, (typeof model.operatorClasses)[number][]>();
  for (const c of model.operatorClasses) {
    const k = familyKey(c.family, c.method);
    const list = classesOf.get(k) ?? [];
    list.push(c);
    classesOf.set(k, list);
  }
  const families = new Set(model.operatorFamilies.map((f) => familyKey(f, f.method)));
  return [
    ...model.operatorFamilies.map((f) => {
      const classes = classesOf.get(familyKey(f, f.method)) ?? [];
      const family = pre(
        "operator family",
        `pg_opfamily:${f.oid}`,
        `operator family ${qualify(f.schema, f.name)} USING ${f.method}`,
        createOperatorFamily(f, classes, ctx, carried),
      );
      family.claims.push(...classes.map((c) => `pg_opclass:${c.oid}`));
      return family;
    }),
    ...model.operatorClasses
      .filter((c) => !families.has(familyKey(c.family, c.method)))
      .map((c) =>
        pre(
          "operator class",
          `pg_opclass:${c.oid}`,
          `operator class ${qualify(c.schema, c.name)} USING ${c.method}`,
          createOperatorClass(c, ctx, carried),
        ),
      ),
  ];
}
