import type pg from "pg";
import { z } from "zod";
import { CATALOG_LOCKS_PER_SESSION, lockTableShortfall, readLockTable } from "../../db/capacity.js";
import { int, queryRows, text } from "../../db/rows.js";
import { baseSettings, inTransaction } from "../../db/session.js";
import type { DestinationCapabilities } from "../../ddl/plan/destination-refusals.js";
import { planSync, type SyncPlan } from "../../ddl/plan.js";
import { PgsyncError } from "../../errors.js";
import type { CatalogModel, RangeType } from "../../introspect/model.js";
import { destinationImplementations } from "../../introspect/queries/base-types.js";
import { missingFunctions } from "../../introspect/queries/builtin-functions.js";
import { destinationForeignServers } from "../../introspect/queries/foreign-servers.js";
import { destinationRanges } from "../../introspect/queries/live-ranges.js";
import type { RunContext } from "../context.js";
import { readDestinationCapabilities } from "../destination-capabilities.js";
import type { Endpoints } from "./connect.js";
import { stagingBatch } from "./create-staging.js";

/**
 * Step "plan": DDL rendered for the destination's version; whatever it cannot hold is refused here,
 * in one error naming every object, before anything is written.
 */
export async function planStep(
  ctx: RunContext,
  ends: Pick<Endpoints, "destination" | "destinationInfo">,
  model: CatalogModel,
): Promise<SyncPlan> {
  const plan = await renderPlan(ctx, ends, model);
  refuseUnportable(plan, model);
  for (const w of plan.warnings) ctx.warn(w);
  for (const n of model.notCarried) ctx.warn(`not carried: ${n.kind} ${n.identity} (${n.reason})`);
  return plan;
}

/** The plan step's rendering, refusals listed in the plan instead of thrown (`plan` reports them). */
export async function renderPlan(
  ctx: RunContext,
  ends: Pick<Endpoints, "destination" | "destinationInfo">,
  model: CatalogModel,
): Promise<SyncPlan> {
  const { options } = ctx;
  return planSync(model, {
    targetMajor: ends.destinationInfo.major,
    stagingPrefix: ctx.stagingPrefix,
    ...(await destinationFacts(ends.destination.client, model)),
    selection: {
      ...(options.includeTables ? { includeTables: options.includeTables } : {}),
      ...(options.includeTables && options.schemas ? { includeSchemas: options.schemas } : {}),
      ...(options.excludeTables ? { excludeTables: options.excludeTables } : {}),
    },
    ...(options.structureOnly ? { structureOnly: options.structureOnly } : {}),
    copyDatabaseSettings: options.copyDatabaseSettings === true,
  });
}

const Named = z.object({ name: text });

export interface DestinationFacts {
  destinationRoles: Set<string>;
  missingFunctions: Set<string>;
  destinationSettings: Set<string>;
  destination: DestinationCapabilities;
  destinationImplementations: { superuser: boolean; builtins: Set<string>; libraries: Set<string> };
  destinationForeignServers: { servers: Set<string>; wrappers: Set<string>; functions: Set<string> };
  destinationRanges: { superuser: boolean; live: RangeType[] };
}

/**
 * What the plan needs to know about the destination to refuse what it cannot hold. In a transaction
 * of its own, with the tool's pinned settings (search_path = pg_catalog).
 */
export function destinationFacts(client: pg.Client, model: CatalogModel): Promise<DestinationFacts> {
  return inTransaction(client, baseSettings(300), () => readDestinationFacts(client, model));
}

async function readDestinationFacts(client: pg.Client, model: CatalogModel): Promise<DestinationFacts> {
  const roles = await queryRows(
    client,
    "roles",
    "SELECT rolname AS name FROM pg_catalog.pg_roles",
    [],
    Named,
  );
  const signatures = [...new Set(model.builtinFunctionUses.map((u) => u.signature))];
  const settings = await queryRows(client, "settings", "SELECT name FROM pg_catalog.pg_settings", [], Named);
  return {
    destination: await readDestinationCapabilities(client, model),
    destinationSettings: new Set(settings.map((r) => r.name)),
    destinationRoles: new Set(roles.map((r) => r.name)),
    missingFunctions: await missingFunctions(client, signatures),
    destinationImplementations: await destinationImplementations(client, model.baseTypes ?? []),
    destinationForeignServers: await destinationForeignServers(
      client,
      (model.foreignDataWrappers ?? []).flatMap((w) =>
        [w.handler, w.validator].filter((f) => f !== undefined),
      ),
    ),
    destinationRanges: await destinationRanges(
      client,
      model.schemas.map((s) => s.name),
    ),
  };
}

/** The plan's refusals, and objects the model cannot carry whose rows would be lost: one error. */
export function unportableObjects(plan: SyncPlan, model: CatalogModel): string[] {
  return [
    ...plan.refusals.map((r) => `${r.object}: ${r.reason}`),
    ...model.notCarried.filter((n) => n.holdsRows).map((n) => `${n.kind} ${n.identity}: ${n.reason}`),
  ];
}

function refuseUnportable(plan: SyncPlan, model: CatalogModel): void {
  const lines = unportableObjects(plan, model);
  if (lines.length > 0) {
    throw new PgsyncError(
      "unportable",
      `the destination (PostgreSQL ${plan.targetMajor}) cannot receive ${lines.length} object(s); nothing was changed:\n  ${lines.join("\n  ")}`,
    );
  }
}

/**
 * Refuses, before anything is written, a run whose largest destination transaction would not fit
 * the destination's lock table: the cut-over locks every table, view and sequence it moves out of
 * the live schemas and into them, in one transaction. Failing there would come after the whole copy,
 * with "out of shared memory". Returns the staging batch that fits the same lock table.
 */
export async function refuseSmallDestinationLockTable(
  ends: Pick<Endpoints, "destination">,
  plan: SyncPlan,
  model: CatalogModel,
): Promise<{ readonly stagingBatch: number }> {
  const dst = ends.destination.client;
  const table = await readLockTable(dst, "destination");
  const [live] = await queryRows(
    dst,
    "relations of the live schemas",
    `SELECT count(*)::int AS n FROM pg_catalog.pg_class c
      WHERE c.relnamespace OPERATOR(pg_catalog.=) ANY (
              SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1::text[]))
        AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,v,m,S,f}'::"char"[])`,
    [plan.schemas.map((s) => s.name)],
    z.object({ n: int }),
  );
  const liveRelations = live?.n ?? 0;
  const staged =
    plan.tables.length + model.views.length + model.sequences.length + model.foreignTables.length;
  const problem = lockTableShortfall(table, {
    locks: liveRelations + staged + CATALOG_LOCKS_PER_SESSION,
    what: `its cut-over moves ${staged} staged and ${liveRelations} live tables, views and sequences in one transaction`,
  });
  if (problem) throw new PgsyncError("guard", `${problem}; nothing was written`, { side: "destination" });
  return { stagingBatch: stagingBatch(table.slots, CATALOG_LOCKS_PER_SESSION) };
}
