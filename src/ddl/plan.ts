import type { CatalogModel } from "../introspect/model.js";
import { describeObject } from "../sql/describe.js";
import { quoteIdent } from "../sql/quote.js";
import { flattenStrings } from "../util/flatten-strings.js";
import { baseTypeRefusals } from "./plan/base-type-refusals.js";
import { destinationRefusals } from "./plan/destination-refusals.js";
import { familyMemberItems, familyMemberRefusals } from "./plan/family-members.js";
import {
  type BodyWaits,
  bodyDependencies,
  bodyWaits,
  type StagedBody,
  stagedBody,
} from "./plan/function-bodies.js";
import { PlanGraph } from "./plan/graph.js";
import { indexModel } from "./plan/model-index.js";
import { objectItems } from "./plan/object-items.js";
import { keptRangeTypes } from "./plan/range-types.js";
import { foreignServerRefusals } from "./plan/server-refusals.js";
import { orderItems } from "./plan/sort.js";
import { stagingBlocks } from "./plan/staging-blocks.js";
import { schemaComment } from "./plan/statements.js";
import { tableItems } from "./plan/table-items.js";
import { loadForeignKeys, tablePlans } from "./plan/tables.js";
import type { PlanOptions, Statement, SyncPlan, TablePlan } from "./plan/types.js";
import { castRefusals } from "./render/casts.js";
import { collationRefusals } from "./render/collations.js";
import { type RenderContext, renderContext, stagedKey } from "./render/context.js";
import { databaseSettings } from "./render/database-settings.js";
import { carriedOperators } from "./render/operators.js";
import { renderPrivileges } from "./render/privileges.js";
import { tableLookup } from "./render/table-forms.js";
import { createShellTypeLive } from "./render/types.js";
import { selectTables } from "./select.js";
import { tableWarnings } from "./table-warnings.js";
import { findRefusals, type Refusal } from "./version-rules.js";

export type {
  CopyFormat,
  ForeignKeyPlan,
  PlanOptions,
  SchemaPlan,
  StagingBlock,
  Statement,
  SyncPlan,
  TablePlan,
} from "./plan/types.js";

/**
 * The DDL of a run for the destination's major version. Every object becomes an item of one graph
 * whose edges are pg_depend's (plus the few it lacks), sorted topologically within the three
 * phases (src/ddl/plan/sort.ts); loops and dependencies on a later phase are broken explicitly
 * (src/ddl/plan/breakers.ts), and what cannot be broken is refused here, before anything is written.
 */
export function planSync(source: CatalogModel, options: PlanOptions): SyncPlan {
  const { model: selected, refusals: selectionRefusals } = selectTables(source, options.selection ?? {});
  // Range types kept in place on the destination are neither created nor staged: the copy uses them.
  const ranges = keptRangeTypes(selected, options.destinationRanges);
  const model =
    ranges.kept.size === 0
      ? selected
      : { ...selected, ranges: selected.ranges.filter((r) => !ranges.kept.has(stagedKey(r.schema, r.name))) };
  const schemas = model.schemas.map((s, i) => ({
    name: s.name,
    staging: `${options.stagingPrefix}_${i + 1}`,
  }));
  const ctx = renderContext(
    options.targetMajor,
    new Map(schemas.map((s) => [s.name, s.staging])),
    stagedNames(model),
  );
  const carried = carriedOperators([...model.operators, ...(model.shellOperators ?? [])]);
  const index = indexModel(model);
  // Bodies written as strings name objects that pg_depend does not record (function-bodies.ts).
  const bodies = stagedBodies(model, ctx);
  const graph = new PlanGraph([...model.dependencies, ...bodyDependencies(model, bodies)]);
  for (const i of objectItems(model, ctx, index, carried)) graph.add(i);
  for (const i of tableItems(model, ctx, index, graph, carried)) graph.add(i);
  for (const i of familyMemberItems(model, ctx, carried)) graph.add(i);
  const ordered = orderItems({ graph, ctx, index, splitDefaults: new Map(), lookup: tableLookup(model) });
  const waits = bodyWaits(model, bodies, index);

  const blocks = stagingBlocks(
    schemas.map((s) => ({
      object: describeObject("schema", s.name),
      sql: `CREATE SCHEMA ${quoteIdent(s.staging)}`,
    })),
    ordered.pre,
    graph,
    index,
  );
  const preData = blocks.flatMap((b) => b.items.flat());
  const settings = databaseSettings(
    model.databaseSettings,
    options.targetMajor,
    options.destinationSettings,
    options.copyDatabaseSettings === true,
  );
  const privileges = model.privileges
    ? renderPrivileges(model.privileges, options.destinationRoles ?? new Set(), options.targetMajor)
    : { statements: [], skipped: [] };
  const cutover = [
    ...restoredBodies(model, bodies),
    ...(model.shellTypes ?? []).map((t) => ({
      object: describeObject("type", t),
      sql: createShellTypeLive(t),
    })),
    ...model.comments
      .filter((c) => c.kind === "schema")
      .map((c) => ({ object: `comment on schema ${c.identity}`, sql: schemaComment(c.identity, c.text) })),
    ...settings.statements,
    ...privileges.statements,
  ];

  // Kept for the whole run: its statements are flattened (src/util/flatten-strings.ts).
  return flattenStrings({
    targetMajor: options.targetMajor,
    schemas,
    extensions: model.extensions,
    preData,
    stagingBlocks: blocks,
    tables: tablePlans(model, ctx, index, ordered.data, new Set(options.structureOnly ?? [])).map((t) =>
      withValueNames(withWaits(t, waits.waits.get(t.table.oid)), ctx),
    ),
    foreignKeys: loadForeignKeys(ordered.data),
    postData: ordered.post.flatMap((i) => i.statements),
    cutover,
    refusals: [
      ...selectionRefusals,
      ...findRefusals(model, options.targetMajor, options.missingFunctions),
      ...destinationRefusals(model, options.destination),
      ...missingRoles(model, options.destinationRoles),
      ...nestedNameValues(model),
      ...collationRefusals(model, options.targetMajor),
      ...castRefusals(model, options.targetMajor),
      ...baseTypeRefusals(model, options.destinationImplementations ?? {}, options.targetMajor),
      ...familyMemberRefusals(model, options.destinationImplementations?.superuser),
      ...foreignServerRefusals(model, options.destinationForeignServers, (f) => ctx.sql(f) !== f),
      ...ranges.refusals,
      ...ordered.refusals,
    ],
    warnings: [
      ...waits.warnings,
      ...settings.skipped,
      ...privileges.skipped.map((m) => `privilege not copied: ${m}`),
      ...tableWarnings(model, options.targetMajor),
    ],
  });
}

/** The functions whose bodies name staged objects: created rewritten in staging (function-bodies.ts). */
function stagedBodies(model: CatalogModel, ctx: RenderContext): Map<number, StagedBody> {
  const bodies = new Map<number, StagedBody>();
  for (const r of model.routines) {
    const body = r.kind === "aggregate" ? undefined : stagedBody(r, ctx);
    if (body) bodies.set(r.oid, body);
  }
  return bodies;
}

/**
 * The source's definitions of those functions, run inside the cut-over after the moves (before the
 * owners change): the body each ends with is the source's. Bodies are not checked (as in staging).
 */
function restoredBodies(model: CatalogModel, bodies: ReadonlyMap<number, StagedBody>): Statement[] {
  const restored = model.routines.flatMap((r) => {
    const body = bodies.get(r.oid);
    return body ? [{ object: describeObject(r.kind, r, { args: r.identityArgs }), sql: body.restore }] : [];
  });
  if (restored.length === 0) return [];
  return [{ object: "function bodies", sql: "SET LOCAL check_function_bodies = off" }, ...restored];
}

function withWaits(t: TablePlan, waits: BodyWaits | undefined): TablePlan {
  return waits ? { ...t, waitsFor: waits } : t;
}

/** A table's reg* columns: their values' names are pointed at the staged objects during the COPY. */
function withValueNames(t: TablePlan, ctx: RenderContext): TablePlan {
  const columns = new Set(t.columns);
  const named = t.table.allColumns.filter(
    (c) => columns.has(c.name) && (c.regNames === "object" || c.regNames === "operator"),
  );
  if (named.length === 0) return t;
  return {
    ...t,
    nameValues: {
      columns: new Map(named.map((c) => [c.name, c.regNames === "operator"])),
      stage: (text, operator) => ctx.stageNames(text, operator),
    },
  };
}

/** Every object the plan creates under a staging schema, by (schema, name). */
function stagedNames(model: CatalogModel): Set<string> {
  const names = new Set<string>();
  const add = (o: { schema: string; name: string }) => names.add(stagedKey(o.schema, o.name));
  for (const o of [...model.enums, ...model.domains, ...model.composites, ...model.ranges]) add(o);
  for (const o of model.baseTypes ?? []) add(o);
  for (const r of model.ranges) if (r.multirange) add(r.multirange);
  for (const o of [...model.routines, ...model.tables, ...model.sequences, ...model.views]) add(o);
  for (const i of model.indexes) add({ schema: i.table.schema, name: i.name });
  for (const c of model.constraints) if (c.index) add({ schema: c.table.schema, name: c.index });
  for (const o of [...model.collations, ...model.statistics, ...model.foreignTables]) add(o);
  for (const o of [...model.textSearchDictionaries, ...model.textSearchConfigurations]) add(o);
  // Operator names are never identifiers; RenderContext.sql finds them only in OPERATOR(schema.op).
  for (const o of [...model.operators, ...model.operatorClasses, ...model.operatorFamilies]) add(o);
  for (const o of model.shellOperators ?? []) add(o);
  return names;
}

/**
 * reg* values inside a composite or range value: the copy points the names of a reg* column's values
 * at the staged objects, but does not take composite and range values apart.
 */
function nestedNameValues(model: CatalogModel): Refusal[] {
  return model.tables.flatMap((t) =>
    t.allColumns
      .filter((c) => c.regNames === "nested" && !c.generated)
      .map((c) => ({
        object: describeObject("column", [t.schema, t.name, c.name]),
        reason: `its type (${c.type}) holds reg* values inside a composite or range value, whose object names the copy cannot point at the new objects`,
      })),
  );
}

function missingRoles(model: CatalogModel, roles: ReadonlySet<string> | undefined): Refusal[] {
  if (!roles) return [];
  return model.policies.flatMap((p) =>
    p.roleNames
      .filter((r) => !roles.has(r))
      .map((r) => ({
        object: describeObject("policy", p.name, { on: p.table }),
        reason: `it names role "${r}", which does not exist on the destination`,
      })),
  );
}
