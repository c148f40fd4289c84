import { cleanLeftovers } from "../../restore/staging.js";
import type { RunContext } from "../context.js";
import type { Endpoints } from "./connect.js";

/** Step "clean-leftovers": drops staging schemas an interrupted run left; returns their names. */
export async function cleanLeftoversStep(
  ctx: RunContext,
  ends: Pick<Endpoints, "destination">,
): Promise<string[]> {
  const found = await cleanLeftovers(ends.destination.client, ctx.timeouts.statementSeconds);
  const dropped = [...found.dropped];
  if (dropped.length > 0)
    ctx.warn(`dropped ${dropped.length} staging schema(s) left by an interrupted run: ${dropped.join(", ")}`);
  if (found.orphanRecords.length > 0)
    ctx.warn(
      `removed the records of snapshot schema(s) that no longer exist: ${found.orphanRecords.join(", ")}`,
    );
  for (const problem of found.problems) ctx.warn(`leftover not cleaned: ${problem}`);
  return dropped;
}
