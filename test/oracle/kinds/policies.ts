import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows } from "../session.js";

interface PolicyRow {
  policy: string;
  polcmd: string;
  polpermissive: boolean;
  roles: string;
  qual: string | null;
  withcheck: string | null;
}

/** Row-level security policies; the roles they apply to are part of the definition. */
export async function policyLines(ctx: OracleContext): Promise<string[]> {
  const result = await rows<PolicyRow>(
    ctx,
    `SELECT format('%s %I', p.polrelid::regclass, p.polname) AS policy, p.polcmd::text AS polcmd,
            p.polpermissive,
            (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r)::text END, ', '
                               ORDER BY CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r)::text END)
               FROM unnest(p.polroles) r) AS roles,
            pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS withcheck
       FROM pg_policy p
       JOIN pg_class c ON c.oid = p.polrelid
      WHERE c.relnamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_class", "c.oid")}`,
    [ctx.schemaOids],
  );
  return result.flatMap((r) => [
    formatLine("policy.attributes", r.policy, "command", r.polcmd),
    formatLine("policy.attributes", r.policy, "permissive", r.polpermissive),
    formatLine("policy.attributes", r.policy, "roles", r.roles),
    formatLine("policy.attributes", r.policy, "using", r.qual),
    formatLine("policy.attributes", r.policy, "with check", r.withcheck),
  ]);
}
