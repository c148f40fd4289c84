import { AD_HOC_RETENTION_DAYS } from "../../config/builtins.js";
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
  if (ends.destinationInfo.isSuperuser) ctx.warn(superuserWarning(ends.destinationInfo.user));
  await checkMetaSchemaVersion(ends.destination.client, ctx.timeouts.statementSeconds);
  const result = await inTransaction(
    ends.destination.client,
    baseSettings(ctx.timeouts.statementSeconds),
    () =>
      guardDestination(ends.source.client, ends.destination.client, ends.sourceInfo, ends.destinationInfo, {
        ...(options.schemas ? { schemas: options.schemas } : {}),
        ...(options.excludeSchemas ? { excludeSchemas: options.excludeSchemas } : {}),
        allowProduction: options.allowProduction ?? false,
        force: options.force ?? false,
        replacesLargeObjects: selectedSchemas(options) === undefined,
      }),
  );
  // Said before anything moves: what the adopted destination holds that the source does not.
  const only = result.destinationOnly ?? [];
  if (only.length > 0)
    ctx.warn(
      `adopting a destination pgsync-ts did not create (--force): ${only.length} object(s) the source does not have move into this run's snapshot, out of the live schemas: ${only.slice(0, 10).join(", ")}${only.length > 10 ? `, and ${only.length - 10} more` : ""}. The snapshot is kept ${keptFor(options.retention)}; \`pgsync-ts rollback\` brings them back until then`,
    );
  return result;
}

/** How long a retention keeps the snapshot a run takes now: `3 day(s)`, `until 2 more runs`. */
export function keptFor(retention: RunContext["options"]["retention"]): string {
  if (!retention) return "until it is dropped by hand (no retention)";
  const byCount =
    retention.count === undefined
      ? undefined
      : retention.count === 1
        ? "until the next run"
        : `until ${retention.count} more runs`;
  const byAge = retention.days < AD_HOC_RETENTION_DAYS ? `${retention.days} day(s)` : undefined;
  return byAge && byCount ? `${byAge} at most, and only ${byCount}` : (byAge ?? byCount ?? "with no limit");
}

/**
 * Said at the start of every run (and in its report) whose destination role is a superuser: the
 * source's code runs as that role during the load, and a superuser's code can do anything.
 */
export function superuserWarning(role: string): string {
  return `the destination role "${role}" is a superuser: functions the source defines run as this role while rows load and indexes build (index expressions, generated columns, CHECK and domain constraints, materialized views; plan's trial too), and as a superuser they can do anything: write outside the synced schemas, read any file, run operating-system commands (COPY ... TO PROGRAM). Unless the source is trusted, connect as a role that owns the destination database and is not a superuser (docs/safety.md, "A source you do not trust")`;
}
