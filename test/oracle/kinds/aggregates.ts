import { genericLines } from "../generic.js";
import { notExtensionMember, type OracleContext } from "../session.js";

/** Every column of pg_aggregate, OIDs printed as names. */
export function aggregateLines(ctx: OracleContext): Promise<string[]> {
  return genericLines(ctx, "aggregate.attributes", {
    catalog: "pg_aggregate",
    identity: "x.aggfnoid::regprocedure::text",
    from: "JOIN pg_catalog.pg_proc p ON p.oid = x.aggfnoid",
    where: `p.pronamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_proc", "p.oid")}`,
    refs: { aggfnoid: "skip", aggsortop: "oper", aggtranstype: "type", aggmtranstype: "type" },
  });
}
