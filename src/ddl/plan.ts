import type {
  CatalogModel,
  Constraint,
  Extension,
  QualifiedName,
  Sequence,
  Table,
} from "../introspect/model.js";
import { qualify, quoteIdent, quoteLiteral } from "../sql/quote.js";
import { dependencyOrder } from "./order.js";
import { castRefusals, createCast } from "./render/casts.js";
import { collationRefusals, createCollation } from "./render/collations.js";
import { type RenderContext, renderContext, stagedKey } from "./render/context.js";
import { databaseSettings } from "./render/database-settings.js";
import { createForeignTable, createServer } from "./render/foreign-tables.js";
import { commentOnCarriedKind } from "./render/kind-comments.js";
import {
  carriedOperators,
  createOperator,
  createOperatorClass,
  createOperatorFamily,
} from "./render/operators.js";
import { renderPrivileges } from "./render/privileges.js";
import { commentOn, createPolicy, createTrigger, rowSecurity } from "./render/table-objects.js";
import { createRule, createStatistics } from "./render/table-rules.js";
import { createTable, sequenceClauses } from "./render/tables.js";
import { createTextSearchConfiguration, createTextSearchDictionary } from "./render/text-search.js";
import { createComposite, createDomain, createEnum, createRange } from "./render/types.js";
import { createView } from "./render/views.js";
import { selectTables, type TableSelection } from "./select.js";
import { findRefusals, type Refusal } from "./version-rules.js";

/** One DDL statement and the object it creates, for error messages and the plan output. */
export interface Statement {
  readonly object: string;
  readonly sql: string;
}

export type CopyFormat = "binary" | "text";

export interface TablePlan {
  readonly table: Table;
  readonly staging: QualifiedName;
  /** Columns that COPY carries, in order; generated columns are computed by the destination. */
  readonly columns: readonly string[];
  readonly format: CopyFormat;
  /** False for structure-only tables and partitioned tables (their rows live in the partitions). */
  readonly copyData: boolean;
  /** Primary key, unique, check and exclusion constraints, added after the table's load. */
  readonly keys: readonly Statement[];
  /** Indexes (not those of the keys), built after the keys. */
  readonly indexes: readonly Statement[];
  /**
   * False when a partition or inheritance child (at any depth) is a foreign table: ANALYZE of this
   * table would sample the remote rows through the wrapper, and fail when the server is out of reach.
   */
  readonly analyze: boolean;
  /**
   * Analyzed only after the post-data step: partitions or inheritance children load into it, or
   * statistics objects (created in post-data) are defined on it and ANALYZE must build them.
   */
  readonly analyzeLast: boolean;
}

/** A foreign key between two plain tables: added during the load, as soon as both tables are built. */
export interface ForeignKeyPlan extends Statement {
  readonly tableOid: number;
  readonly referencedTableOid: number;
}

export interface SchemaPlan {
  readonly name: string;
  readonly staging: string;
}

export interface SyncPlan {
  readonly targetMajor: number;
  readonly schemas: readonly SchemaPlan[];
  /** Extensions the destination must have, in the same schema, before staging. */
  readonly extensions: readonly Extension[];
  /** Staging schemas, then every object in dependency order, tables without keys: one transaction before the load. */
  readonly preData: readonly Statement[];
  readonly tables: readonly TablePlan[];
  /**
   * Foreign keys between plain (not partitioned) tables of the plan, added during the load on
   * whichever worker is free once both tables are loaded and keyed. The others (on or to a
   * partitioned table, whose keys come in post-data) stay in postData.
   */
  readonly foreignKeys: readonly ForeignKeyPlan[];
  /**
   * After every table is loaded: keys and indexes of partitioned tables, materialized view refreshes,
   * foreign keys (so cycles need no ordering), triggers, statistics objects, rules and row-level
   * security (so they never act on the rows being loaded), comments, and sequence values.
   */
  readonly postData: readonly Statement[];
  /**
   * Run inside the cut-over transaction, on the live schemas (comments on schemas) and the
   * destination database (its settings, ALTER DATABASE ... SET).
   */
  readonly cutover: readonly Statement[];
  readonly refusals: readonly Refusal[];
  /** What the plan leaves out on purpose, for the run to report (e.g. a setting the destination lacks). */
  readonly warnings: readonly string[];
}

export interface PlanOptions {
  readonly targetMajor: number;
  /** Prefix of the staging schema names; unique per run. */
  readonly stagingPrefix: string;
  /** Tables ("schema.table") whose structure is copied without data. */
  readonly structureOnly?: readonly string[];
  /** Roles that exist on the destination; policies naming other roles are refused. */
  readonly destinationRoles?: ReadonlySet<string>;
  /** Built-in function signatures the destination lacks; objects calling them are refused. */
  readonly missingFunctions?: ReadonlySet<string>;
  /** Which tables to carry; all of them by default. */
  readonly selection?: TableSelection;
  /**
   * Parameter names the destination knows (`SELECT name FROM pg_settings`): a database setting of
   * the source that the destination lacks is skipped with a warning. When absent, the cut-over
   * statement skips such a setting itself, and only the server log says so.
   */
  readonly destinationSettings?: ReadonlySet<string>;
}

type PreItem = { readonly key: string; readonly statements: readonly Statement[] };

export function planSync(source: CatalogModel, options: PlanOptions): SyncPlan {
  const { model, refusals: selectionRefusals } = selectTables(source, options.selection ?? {});
  const schemas = model.schemas.map((s, i) => ({
    name: s.name,
    staging: `${options.stagingPrefix}_${i + 1}`,
  }));
  const ctx = renderContext(
    options.targetMajor,
    new Map(schemas.map((s) => [s.name, s.staging])),
    stagedNames(model),
  );
  const label = (kind: string, o: QualifiedName) => `${kind} ${qualify(o.schema, o.name)}`;
  const carried = carriedOperators(model.operators);
  const families = new Map(model.operatorFamilies.map((f) => [familyKey(f, f.method), f]));

  const items: PreItem[] = [
    // Collations first: domains, columns and indexes use them.
    ...model.collations.map((c) =>
      pre("pg_collation", c.oid, label("collation", c), createCollation(c, ctx)),
    ),
    ...model.enums.map((e) => pre("pg_type", e.oid, label("type", e), createEnum(e, ctx))),
    ...model.domains.map((d) => pre("pg_type", d.oid, label("domain", d), createDomain(d, ctx))),
    ...model.composites.map((t) => pre("pg_type", t.oid, label("type", t), createComposite(t, ctx))),
    ...model.ranges.map((r) => pre("pg_type", r.oid, label("type", r), createRange(r, ctx))),
    ...model.routines.map((r) =>
      pre(
        "pg_proc",
        r.oid,
        `${r.kind} ${qualify(r.schema, r.name)}(${r.identityArgs})`,
        ctx.sql(r.definition),
      ),
    ),
    ...model.operators.map((o) =>
      pre(
        "pg_operator",
        o.oid,
        `operator ${o.schema}.${o.name}(${o.left ?? "NONE"}, ${o.right})`,
        createOperator(o, ctx, carried),
      ),
    ),
    // A family is created with its classes (the catalog dependencies of both are folded onto it).
    ...model.operatorFamilies.map((f) =>
      preMany(
        "pg_opfamily",
        f.oid,
        `operator family ${qualify(f.schema, f.name)} USING ${f.method}`,
        createOperatorFamily(
          f,
          model.operatorClasses.filter((c) => familyKey(c.family, c.method) === familyKey(f, f.method)),
          ctx,
          carried,
        ),
      ),
    ),
    ...model.operatorClasses
      .filter((c) => !families.has(familyKey(c.family, c.method)))
      .map((c) =>
        pre(
          "pg_opclass",
          c.oid,
          `operator class ${qualify(c.schema, c.name)} USING ${c.method}`,
          createOperatorClass(c, ctx, carried),
        ),
      ),
    // Casts right after their types and function: an expression may need one to parse.
    ...model.casts.map((c) => pre("pg_cast", c.oid, `cast (${c.source} AS ${c.target})`, createCast(c, ctx))),
    ...model.textSearchDictionaries.map((d) =>
      pre("pg_ts_dict", d.oid, label("text search dictionary", d), createTextSearchDictionary(d, ctx)),
    ),
    ...model.textSearchConfigurations.map((c) =>
      preMany(
        "pg_ts_config",
        c.oid,
        label("text search configuration", c),
        createTextSearchConfiguration(c, ctx),
      ),
    ),
    ...model.sequences
      .filter((s) => !s.isIdentity)
      .map((s) =>
        pre(
          "pg_class",
          s.oid,
          label("sequence", s),
          `CREATE SEQUENCE ${ctx.staged(s)} ${sequenceClauses(s.options, true)}`,
        ),
      ),
    ...model.tables.map((t) => pre("pg_class", t.oid, label("table", t), createTable(t, ctx))),
    ...model.foreignTables.map((f) =>
      preMany("pg_class", f.oid, label("foreign table", f), createForeignTable(f, model.constraints, ctx)),
    ),
    ...model.views.map((v) =>
      pre("pg_class", v.oid, label(v.materialized ? "materialized view" : "view", v), createView(v, ctx)),
    ),
  ];
  const ordered = dependencyOrder(items, (i) => i.key, dependencyMap(model));
  const preData: Statement[] = [
    ...schemas.map((s) => ({
      object: `schema ${quoteIdent(s.name)}`,
      sql: `CREATE SCHEMA ${quoteIdent(s.staging)}`,
    })),
    // Servers belong to the database: created when missing, before the foreign tables that use them.
    ...model.foreignServers.map((s) => ({ object: `server ${quoteIdent(s.name)}`, sql: createServer(s) })),
    ...ordered.flatMap((i) => i.statements),
    ...model.sequences
      .filter((s) => !s.isIdentity && s.ownedBy)
      .map((s) => {
        const owner = s.ownedBy as { table: QualifiedName; column: string };
        return {
          object: label("sequence", s),
          sql: `ALTER SEQUENCE ${ctx.staged(s)} OWNED BY ${ctx.staged(owner.table)}.${quoteIdent(owner.column)}`,
        };
      }),
  ];

  const structureOnly = new Set(options.structureOnly ?? []);
  const overForeign = tablesOverForeignTables(model);
  const tables = model.tables.map((t): TablePlan => {
    const copied = t.allColumns.filter((c) => !c.generated);
    return {
      table: t,
      staging: ctx.stage(t),
      columns: copied.map((c) => c.name),
      format: copied.every((c) => c.binarySafe) ? "binary" : "text",
      copyData: !t.partitionKey && !structureOnly.has(`${t.schema}.${t.name}`),
      keys: t.partitionKey ? [] : tableKeys(model, t.oid, ctx),
      indexes: t.partitionKey ? [] : tableIndexes(model, t.oid, ctx),
      analyze: !overForeign.has(stagedKey(t.schema, t.name)),
      analyzeLast:
        model.statistics.some((st) => st.tableOid === t.oid) ||
        model.tables.some((c) =>
          [...c.inherits, ...(c.partitionOf ? [c.partitionOf.parent] : [])].some(
            (p) => p.schema === t.schema && p.name === t.name,
          ),
        ),
    };
  });

  const plainTables = new Set(model.tables.filter((t) => !t.partitionKey).map((t) => t.oid));
  const between = (c: Constraint) =>
    plainTables.has(c.tableOid) &&
    c.referencedTableOid !== undefined &&
    plainTables.has(c.referencedTableOid);
  const allForeignKeys = model.constraints.filter((c) => c.kind === "foreign key");
  const lateForeignKeys = allForeignKeys.filter((c) => !between(c));
  const foreignKeys = allForeignKeys.filter(between).map(
    (c): ForeignKeyPlan => ({
      ...addConstraint(c, ctx),
      tableOid: c.tableOid,
      referencedTableOid: c.referencedTableOid as number,
    }),
  );

  const viewOrder = ordered.map((i) => i.key);
  const matviews = model.views
    .filter((v) => v.materialized && v.populated)
    .sort((a, b) => viewOrder.indexOf(`pg_class:${a.oid}`) - viewOrder.indexOf(`pg_class:${b.oid}`));
  const postData: Statement[] = [
    ...model.tables.filter((t) => t.partitionKey).flatMap((t) => keysAndIndexes(model, t.oid, ctx)),
    ...matviews.map((v) => ({
      object: label("materialized view", v),
      sql: `REFRESH MATERIALIZED VIEW ${ctx.staged(v)}`,
    })),
    ...model.views.filter((v) => v.materialized).flatMap((v) => keysAndIndexes(model, v.oid, ctx)),
    ...lateForeignKeys.map((c) => addConstraint(c, ctx)),
    ...model.triggers.flatMap((t) =>
      createTrigger(t, ctx).map((sql) => ({
        object: `trigger ${quoteIdent(t.name)} on ${qualify(t.table.schema, t.table.name)}`,
        sql,
      })),
    ),
    ...model.statistics.flatMap((st) =>
      createStatistics(st, ctx).map((sql) => ({ object: label("statistics", st), sql })),
    ),
    ...model.rules.flatMap((r) =>
      createRule(r, ctx).map((sql) => ({
        object: `rule ${quoteIdent(r.name)} on ${qualify(r.table.schema, r.table.name)}`,
        sql,
      })),
    ),
    ...model.policies.map((p) => ({
      object: `policy ${quoteIdent(p.name)} on ${qualify(p.table.schema, p.table.name)}`,
      sql: createPolicy(p, ctx),
    })),
    ...model.tables.flatMap((t) => rowSecurity(t, ctx).map((sql) => ({ object: label("table", t), sql }))),
    ...model.comments
      .filter((c) => c.kind !== "schema")
      .flatMap((c) => {
        const sql = commentOnCarriedKind(c, ctx, carried) ?? commentOn(c, ctx);
        return sql ? [{ object: `comment on ${c.kind} ${c.identity}`, sql }] : [];
      }),
    ...model.sequences.map((s) => ({ object: label("sequence", s), sql: setSequenceValue(s, ctx) })),
  ];
  const settings = databaseSettings(model.databaseSettings, options.targetMajor, options.destinationSettings);
  const privileges = model.privileges
    ? renderPrivileges(model.privileges, options.destinationRoles ?? new Set(), options.targetMajor)
    : { statements: [], skipped: [] };
  const cutover = [
    ...model.comments
      .filter((c) => c.kind === "schema")
      .map((c) => ({ object: `comment on schema ${c.identity}`, sql: schemaComment(c.identity, c.text) })),
    ...settings.statements,
    ...privileges.statements,
  ];

  return {
    targetMajor: options.targetMajor,
    schemas,
    extensions: model.extensions,
    preData,
    tables,
    foreignKeys,
    postData,
    cutover,
    refusals: [
      ...selectionRefusals,
      ...findRefusals(model, options.targetMajor, options.missingFunctions),
      ...missingRoles(model, options.destinationRoles),
      ...collationRefusals(model, options.targetMajor),
      ...castRefusals(model, options.targetMajor),
    ],
    warnings: [...settings.skipped, ...privileges.skipped.map((m) => `privilege not copied: ${m}`)],
  };
}

/**
 * A schema's comment is set on the live schema, which the tool does not own everywhere (PostgreSQL
 * 14's public belongs to the bootstrap superuser). It is set only when it differs, and a role that
 * may not set it gets a warning from the server instead of a failed run.
 */
function schemaComment(identity: string, text: string): string {
  return `DO $pgsync$
BEGIN
  IF pg_catalog.obj_description(pg_catalog.to_regnamespace(${quoteLiteral(identity)})::oid, 'pg_namespace') IS DISTINCT FROM ${quoteLiteral(text)} THEN
    COMMENT ON SCHEMA ${identity} IS ${quoteLiteral(text)};
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'comment on schema % not copied: %', ${quoteLiteral(identity)}, SQLERRM;
END $pgsync$`;
}

function pre(catalog: string, oid: number, object: string, sql: string): PreItem {
  return { key: `${catalog}:${oid}`, statements: [{ object, sql }] };
}

function preMany(catalog: string, oid: number, object: string, sqls: readonly string[]): PreItem {
  return { key: `${catalog}:${oid}`, statements: sqls.map((sql) => ({ object, sql })) };
}

/** Tables that have a foreign table among their partitions or inheritance children, at any depth. */
function tablesOverForeignTables(model: CatalogModel): Set<string> {
  const parentsOf = (t: { inherits: readonly QualifiedName[]; partitionOf?: { parent: QualifiedName } }) => [
    ...t.inherits,
    ...(t.partitionOf ? [t.partitionOf.parent] : []),
  ];
  const tables = new Map(model.tables.map((t) => [stagedKey(t.schema, t.name), t]));
  const found = new Set<string>();
  const pending = model.foreignTables.flatMap(parentsOf);
  for (let next = pending.pop(); next; next = pending.pop()) {
    const key = stagedKey(next.schema, next.name);
    if (found.has(key)) continue;
    found.add(key);
    const table = tables.get(key);
    if (table) pending.push(...parentsOf(table));
  }
  return found;
}

function familyKey(f: QualifiedName, method: string): string {
  return `${f.schema}\u0000${f.name}\u0000${method}`;
}

/** Every object the plan creates under a staging schema, by (schema, name). */
function stagedNames(model: CatalogModel): Set<string> {
  const names = new Set<string>();
  const add = (o: QualifiedName) => names.add(stagedKey(o.schema, o.name));
  for (const o of [...model.enums, ...model.domains, ...model.composites, ...model.ranges]) add(o);
  for (const r of model.ranges) if (r.multirange) add(r.multirange);
  for (const o of [...model.routines, ...model.tables, ...model.sequences, ...model.views]) add(o);
  for (const i of model.indexes) add({ schema: i.table.schema, name: i.name });
  for (const o of [...model.collations, ...model.statistics, ...model.foreignTables]) add(o);
  for (const o of [...model.textSearchDictionaries, ...model.textSearchConfigurations]) add(o);
  // Operator names are never identifiers; RenderContext.sql finds them only in OPERATOR(schema.op).
  for (const o of [...model.operators, ...model.operatorClasses, ...model.operatorFamilies]) add(o);
  return names;
}

/** Catalog dependencies, plus partition and inheritance parents (auto dependencies in the catalog). */
function dependencyMap(model: CatalogModel): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  const add = (from: string, to: string) => {
    const set = map.get(from) ?? new Set<string>();
    set.add(to);
    map.set(from, set);
  };
  for (const d of model.dependencies) add(d.dependent, d.referenced);
  const tableKey = new Map(model.tables.map((t) => [`${t.schema}\u0000${t.name}`, `pg_class:${t.oid}`]));
  for (const t of [...model.tables, ...model.foreignTables]) {
    for (const parent of [...t.inherits, ...(t.partitionOf ? [t.partitionOf.parent] : [])]) {
      const key = tableKey.get(`${parent.schema}\u0000${parent.name}`);
      if (key) add(`pg_class:${t.oid}`, key);
    }
  }
  return map;
}

function addConstraint(c: Constraint, ctx: RenderContext): Statement {
  return {
    object: `constraint ${quoteIdent(c.name)} on ${qualify(c.table.schema, c.table.name)}`,
    sql: `ALTER TABLE ${ctx.staged(c.table)} ADD CONSTRAINT ${quoteIdent(c.name)} ${ctx.sql(c.definition)}`,
  };
}

function keysAndIndexes(model: CatalogModel, relationOid: number, ctx: RenderContext): Statement[] {
  return [...tableKeys(model, relationOid, ctx), ...tableIndexes(model, relationOid, ctx)];
}

function tableKeys(model: CatalogModel, relationOid: number, ctx: RenderContext): Statement[] {
  return model.constraints
    .filter((c) => c.tableOid === relationOid && c.kind !== "foreign key")
    .map((c) => addConstraint(c, ctx));
}

function tableIndexes(model: CatalogModel, relationOid: number, ctx: RenderContext): Statement[] {
  return (
    model.indexes
      .filter((i) => i.tableOid === relationOid)
      // pg_get_indexdef prints ON ONLY for a partitioned table; without ONLY the index is created on
      // every partition too, which is what the source has.
      .map((i) => ({
        object: `index ${qualify(i.table.schema, i.name)}`,
        sql: ctx.sql(i.definition.replace(/ ON ONLY /, " ON ")),
      }))
  );
}

function setSequenceValue(s: Sequence, ctx: RenderContext): string {
  const regclass = `${quoteLiteral(ctx.staged(s))}::pg_catalog.regclass`;
  return s.lastValue === null
    ? `SELECT pg_catalog.setval(${regclass}, ${s.options.start}, false)`
    : `SELECT pg_catalog.setval(${regclass}, ${s.lastValue}, true)`;
}

function missingRoles(model: CatalogModel, roles: ReadonlySet<string> | undefined): Refusal[] {
  if (!roles) return [];
  return model.policies.flatMap((p) =>
    p.roleNames
      .filter((r) => !roles.has(r))
      .map((r) => ({
        object: `policy ${quoteIdent(p.name)} on ${qualify(p.table.schema, p.table.name)}`,
        reason: `it names role "${r}", which does not exist on the destination`,
      })),
  );
}
