import { baseSettings, execute, inTransaction, type LocalSettings, pinned } from "../../db/session.js";
import type { SyncPlan } from "../../ddl/plan.js";
import { ensureMetaSchema } from "../../restore/meta.js";
import type { RunContext } from "../context.js";
import { ensureExtensions } from "../extensions.js";
import type { Endpoints } from "./connect.js";

/**
 * Step "create-staging", the run's first write (every guard and privilege check has passed): the
 * tool's metadata schema, the extensions, then the staging schemas with their types, sequences and
 * tables, in one transaction.
 */
export async function createStagingStep(ctx: RunContext, ends: Endpoints, plan: SyncPlan): Promise<void> {
  const dst = ends.destination.client;
  await ensureMetaSchema(dst, ctx.timeouts.statementSeconds);
  // In one pinned transaction: the lookups and CREATE EXTENSION never run under the database's search_path.
  await pinned(dst, () => ensureExtensions(dst, plan.extensions, ctx.warn));
  ctx.markStagingCreated(true);
  await inTransaction(dst, stagingSettings(ctx), async () => {
    for (const s of plan.preData) await execute(dst, s.sql, s.object);
  });
}

/** The staging transaction's settings (the plan's trial uses them too). */
export function stagingSettings(ctx: RunContext): LocalSettings {
  // Function bodies refer to live names, which may not exist until the cut-over: do not check them now.
  return { ...baseSettings(ctx.timeouts.statementSeconds), check_function_bodies: "off" };
}
