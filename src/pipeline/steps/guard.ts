import { baseSettings, inTransaction } from "../../db/session.js";
import { type GuardResult, guardDestination } from "../../restore/guards.js";
import { checkMetaSchemaVersion } from "../../restore/migrations.js";
import type { RunContext } from "../context.js";
import { selectedSchemas } from "../selection.js";
import type { Endpoints } from "./connect.js";

/**
 * Step "guard": refuses a destination that is the source, a standby, production, not the tool's, or
 * whose metadata schema a newer release wrote (read only: nothing is written before the guards pass).
 */
export async function guardStep(ctx: RunContext, ends: Endpoints): Promise<GuardResult> {
  const { options } = ctx;
  await checkMetaSchemaVersion(ends.destination.client, ctx.timeouts.statementSeconds);
  return inTransaction(ends.destination.client, baseSettings(ctx.timeouts.statementSeconds), () =>
    guardDestination(ends.source.client, ends.destination.client, ends.sourceInfo, ends.destinationInfo, {
      ...(options.schemas ? { schemas: options.schemas } : {}),
      ...(options.excludeSchemas ? { excludeSchemas: options.excludeSchemas } : {}),
      allowProduction: options.allowProduction ?? false,
      force: options.force ?? false,
      replacesLargeObjects: selectedSchemas(options) === undefined,
    }),
  );
}
