import { genericLines } from "../generic.js";
import type { OracleContext } from "../session.js";
import { notExtensionMember } from "../session.js";

/** Event triggers (database-wide; reported, not carried, by the tool). */
export function eventTriggerLines(ctx: OracleContext): Promise<string[]> {
  if (!ctx.wholeDatabase) return Promise.resolve([]);
  return genericLines(
    ctx,
    "event-trigger.attributes",
    {
      catalog: "pg_event_trigger",
      identity: "x.evtname::text",
      where: notExtensionMember("pg_event_trigger", "x.oid"),
      refs: { oid: "skip", evtname: "skip", evtowner: "skip", evtfoid: "proc" },
    },
    [],
  );
}
