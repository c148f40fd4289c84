import { z } from "zod";
import { queryRows, text } from "../../db/rows.js";
import { baseSettings, execute, inTransaction } from "../../db/session.js";
import type { SyncPlan } from "../../ddl/plan.js";
import type { EffectiveGrant } from "../../introspect/queries/privileges.js";
import { swapSchemas } from "../../restore/cutover.js";
import { saveDatabaseSettings } from "../../restore/database-settings.js";
import type { GuardResult } from "../../restore/guards.js";
import { cutoverHazards } from "../../restore/hazards.js";
import { recordManagedSql, snapshotIdFor } from "../../restore/meta.js";
import type { RunContext } from "../context.js";
import type { LargeObjectSync } from "../large-objects.js";
import type { SnapshotResult } from "../options.js";
import { WidenedGrants } from "../widened-grants.js";
import type { Endpoints } from "./connect.js";

/**
 * Step "cutover": the atomic swap in one short destination transaction. Every object of each live
 * schema moves into a new snapshot schema, then every staged object moves in; the database's
 * settings, the managed record and the large objects change inside the same transaction.
 */
export async function cutoverStep(
  ctx: RunContext,
  ends: Pick<Endpoints, "destination" | "sourceInfo"> & { readonly source?: Endpoints["source"] },
  input: {
    readonly plan: SyncPlan;
    readonly guard: GuardResult;
    readonly largeObjects?: LargeObjectSync;
    /** The source's grants, read at the snapshot (a run) or recorded in an archive (a restore). */
    readonly sourceGrants: readonly EffectiveGrant[];
  },
): Promise<SnapshotResult> {
  const dst = ends.destination.client;
  const { plan, guard, largeObjects } = input;
  const snapshotId = snapshotIdFor(ctx.runId);
  const schemas = plan.schemas.map((s) => ({ live: s.name, incoming: s.staging }));
  // Destination objects outside the sync that depend on what the swap moves out: named before it runs.
  const hazards = await inTransaction(dst, baseSettings(ctx.timeouts.statementSeconds), () =>
    cutoverHazards(dst, schemas),
  );
  for (const h of hazards) ctx.warn(h);
  // No role may get more on the new objects than a role of its name had on the source's (the
  // destination's defaults grant PUBLIC EXECUTE on functions, and ALTER DEFAULT PRIVILEGES more).
  const grants = WidenedGrants.fromGrants(input.sourceGrants, plan);
  await grants.tightenStaged(dst, plan);
  const existing = new Set(
    (
      await queryRows(
        dst,
        "live schemas",
        "SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) ANY($1::text[])",
        [schemas.map((s) => s.live)],
        z.object({ name: text }),
      )
    ).map((r) => r.name),
  );
  const result = await swapSchemas(dst, {
    schemas,
    runId: ctx.runId,
    snapshotId,
    reason: "run",
    lockSeconds: ctx.timeouts.lockSeconds,
    statementSeconds: ctx.timeouts.statementSeconds,
    ownApplicationName: ctx.applicationName,
    onWait: ctx.warn,
    fault: (point) => ctx.fault(point),
    beforeCommit: async () => {
      // Kept with the snapshot before the source's settings are applied, for a rollback.
      await saveDatabaseSettings(dst, snapshotId);
      for (const s of plan.cutover) await execute(dst, s.sql, s.object, "cutover");
      if (guard.adopt)
        await execute(
          dst,
          recordManagedSql(ctx.runId, ends.sourceInfo.identity, guard.adopt),
          "managed record",
          "cutover",
        );
      for (const w of (await largeObjects?.cutover(dst, { snapshotId, runId: ctx.runId })) ?? []) ctx.warn(w);
      await grants.tightenNewSchemas(
        dst,
        schemas.map((s) => s.live).filter((s) => !existing.has(s)),
      );
      if (largeObjects) await grants.tightenLargeObjects(dst, largeObjects.sourceObjects);
    },
  });
  const revoked = grants.describe();
  if (revoked)
    ctx.warn(
      `revoked what the destination's defaults granted beyond the source's privileges (grants per object kind: ${revoked}); see docs/safety.md, "A source you do not trust"`,
    );
  ctx.markStagingCreated(false);
  return { id: snapshotId, schemas: result.snapshotSchemas };
}
