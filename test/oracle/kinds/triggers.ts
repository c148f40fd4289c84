import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows } from "../session.js";

interface TriggerRow {
  trg: string;
  def: string;
  tgenabled: string;
}

/**
 * User triggers on every table, partitions included: a partition's clone of its parent's trigger
 * (tgparentid; internal up to 14) is listed on the partition. The foreign keys' internal triggers
 * are named by OID and belong to their constraint, which constraints.ts compares.
 */
export async function triggerLines(ctx: OracleContext): Promise<string[]> {
  const result = await rows<TriggerRow>(
    ctx,
    `SELECT format('%s %I', t.tgrelid::regclass, t.tgname) AS trg, pg_get_triggerdef(t.oid) AS def,
            t.tgenabled::text AS tgenabled
       FROM pg_trigger t
       JOIN pg_class c ON c.oid = t.tgrelid
      WHERE c.relnamespace = ANY($1::oid[])
        AND (NOT t.tgisinternal OR t.tgparentid <> 0)
        AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.oid = t.tgconstraint AND k.contype = 'f')
        AND ${notExtensionMember("pg_class", "c.oid")}`,
    [ctx.schemaOids],
  );
  return result.flatMap((r) => [
    formatLine("trigger.definition", r.trg, "", r.def),
    formatLine("trigger.enabled", r.trg, "", r.tgenabled),
  ]);
}
