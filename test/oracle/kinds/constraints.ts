import { formatLine } from "../line.js";
import { type OracleContext, rows } from "../session.js";

interface ConstraintRow {
  owner: string;
  on_domain: boolean;
  contype: string;
  conname: string;
  def: string;
  convalidated: boolean;
  conislocal: boolean;
  coninhcount: number;
  connoinherit: boolean;
  condeferrable: boolean;
  condeferred: boolean;
  enforced: boolean;
}

/**
 * Table and domain constraints. NOT NULL constraints became catalog rows on 18 (tables) and 17
 * (domains); they are printed in a class of their own, and left out when the peer server predates
 * them (the property itself is compared through attnotnull and typnotnull).
 */
export async function constraintLines(ctx: OracleContext): Promise<string[]> {
  const enforced = ctx.major >= 18 ? "con.conenforced" : "true";
  const result = await rows<ConstraintRow>(
    ctx,
    `SELECT CASE WHEN con.conrelid <> 0 THEN con.conrelid::regclass::text
                 ELSE format_type(con.contypid, NULL) END AS owner,
            con.contypid <> 0 AS on_domain,
            con.contype::text AS contype, con.conname::text AS conname,
            pg_get_constraintdef(con.oid) AS def,
            con.convalidated, con.conislocal, con.coninhcount::int AS coninhcount, con.connoinherit,
            con.condeferrable, con.condeferred, ${enforced} AS enforced
       FROM pg_constraint con
      WHERE con.connamespace = ANY($1::oid[])
        AND (con.conrelid <> 0 OR con.contypid <> 0)
        AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.deptype = 'e' AND e.objid = con.conrelid
                          AND e.classid = 'pg_catalog.pg_class'::regclass)
        AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.deptype = 'e' AND e.objid = con.contypid
                          AND e.classid = 'pg_catalog.pg_type'::regclass)`,
    [ctx.schemaOids],
  );
  return result.flatMap((r) => {
    const object = `${r.owner} ${r.conname}`;
    if (r.contype === "n") {
      const since = r.on_domain ? 17 : 18;
      if (ctx.peerMajor < since) return [];
      const flags = `validated=${r.convalidated} local=${r.conislocal} inherited=${r.coninhcount} noinherit=${r.connoinherit}`;
      return [formatLine("constraint.not-null", object, "", `${r.def} ${flags}`)];
    }
    if (r.on_domain) {
      return [
        formatLine("domain.constraint", object, "definition", r.def),
        formatLine("domain.constraint", object, "validated", r.convalidated),
      ];
    }
    const lines = [
      formatLine("constraint.definition", object, "", r.def),
      formatLine("constraint.validated", object, "", r.convalidated),
      formatLine("constraint.inheritance", object, "", `local=${r.conislocal} inherited=${r.coninhcount}`),
      formatLine(
        "constraint.deferrable",
        object,
        "",
        `deferrable=${r.condeferrable} deferred=${r.condeferred}`,
      ),
    ];
    // NO INHERIT means something for CHECK constraints only; for keys the flag is an artifact of
    // how the constraint was added (ALTER TABLE ONLY on a partitioned table sets it).
    if (r.contype === "c") lines.push(formatLine("constraint.no-inherit", object, "", r.connoinherit));
    if (!r.enforced) lines.push(formatLine("constraint.enforced", object, "", "not enforced"));
    return lines;
  });
}
