import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../../db/rows.js";
import { baseSettings, inTransaction } from "../../db/session.js";
import { planSync, type SyncPlan } from "../../ddl/plan.js";
import { PgsyncError } from "../../errors.js";
import type { CatalogModel, RangeType } from "../../introspect/model.js";
import { destinationImplementations } from "../../introspect/queries/base-types.js";
import { missingFunctions } from "../../introspect/queries/builtin-functions.js";
import { destinationForeignServers } from "../../introspect/queries/foreign-servers.js";
import { destinationRanges } from "../../introspect/queries/live-ranges.js";
import type { RunContext } from "../context.js";
import type { Endpoints } from "./connect.js";

/**
 * Step "plan": DDL rendered for the destination's version; whatever it cannot hold is refused here,
 * in one error naming every object, before anything is written.
 */
export async function planStep(ctx: RunContext, ends: Endpoints, model: CatalogModel): Promise<SyncPlan> {
  const plan = await renderPlan(ctx, ends, model);
  refuseUnportable(plan, model);
  for (const w of plan.warnings) ctx.warn(w);
  for (const n of model.notCarried) ctx.warn(`not carried: ${n.kind} ${n.identity} (${n.reason})`);
  return plan;
}

/** The plan step's rendering, refusals listed in the plan instead of thrown (`plan` reports them). */
export async function renderPlan(ctx: RunContext, ends: Endpoints, model: CatalogModel): Promise<SyncPlan> {
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
