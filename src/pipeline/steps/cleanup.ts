import { z } from "zod";
import { connect } from "../../db/connect.js";
import { queryRows, text } from "../../db/rows.js";
import type { SyncPlan } from "../../ddl/plan.js";
import { dropToolSchemas } from "../../restore/drop-tool-schema.js";
import type { RunContext } from "../context.js";

/**
 * Step "cleanup", after a failure once staging may exist: drops this run's staging schemas, on a
 * fresh connection (the control connection may be the one that failed). The live schemas were never
 * touched. Its failure is reported in the step list; the next run drops the leftovers.
 */
export async function cleanupStep(ctx: RunContext, plan: SyncPlan | undefined): Promise<void> {
  const c = await connect({
    url: ctx.options.destinationUrl,
    side: "destination",
    connectSeconds: ctx.timeouts.connectSeconds,
  });
  try {
    const names = plan?.schemas.map((s) => s.staging) ?? [];
    const found = await queryRows(
      c.client,
      "staging schemas of this run",
      "SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE pg_catalog.starts_with(nspname, $1) OR nspname OPERATOR(pg_catalog.=) ANY($2::text[])",
      [ctx.stagingPrefix, names],
      z.object({ name: text }),
    );
    // One set: the staging schemas of a run reference each other (foreign keys across schemas).
    await dropToolSchemas(
      c.client,
      found.map((r) => r.name),
      ctx.timeouts.statementSeconds,
    );
  } finally {
    await c.close();
  }
}
