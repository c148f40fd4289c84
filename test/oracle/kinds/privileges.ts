import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows, userObject } from "../session.js";

const NOT_EXT = notExtensionMember;
const IN = "= ANY($1::oid[])";

/** Objects with an owner and (where the catalog has one) an ACL; `kind` is acldefault's letter. */
function ownedObjects(wholeDatabase: boolean): string {
  const perSchema = [
    `SELECT 'pg_catalog.pg_class'::regclass, c.oid, 0, c.relowner, c.relacl,
            CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END
       FROM pg_class c WHERE c.relnamespace ${IN} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND ${NOT_EXT("pg_class", "c.oid")}`,
    `SELECT 'pg_catalog.pg_class'::regclass, c.oid, a.attnum, NULL::oid, a.attacl, 'c'
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE a.attacl IS NOT NULL AND c.relnamespace ${IN} AND ${NOT_EXT("pg_class", "c.oid")}`,
    `SELECT 'pg_catalog.pg_proc'::regclass, p.oid, 0, p.proowner, p.proacl, 'f'
       FROM pg_proc p WHERE p.pronamespace ${IN} AND ${NOT_EXT("pg_proc", "p.oid")}`,
    `SELECT 'pg_catalog.pg_type'::regclass, t.oid, 0, t.typowner, t.typacl, 'T'
       FROM pg_type t WHERE t.typnamespace ${IN} AND ${NOT_EXT("pg_type", "t.oid")}
        AND NOT (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) <> 'c')
        AND NOT (t.typelem <> 0 AND EXISTS (SELECT FROM pg_type e WHERE e.oid = t.typelem AND e.typarray = t.oid))`,
    `SELECT 'pg_catalog.pg_namespace'::regclass, n.oid, 0, n.nspowner, n.nspacl, 'n' FROM pg_namespace n WHERE n.oid ${IN}`,
    ...(
      [
        ["pg_operator", "oprowner", "oprnamespace"],
        ["pg_opclass", "opcowner", "opcnamespace"],
        ["pg_opfamily", "opfowner", "opfnamespace"],
        ["pg_collation", "collowner", "collnamespace"],
        ["pg_conversion", "conowner", "connamespace"],
        ["pg_ts_dict", "dictowner", "dictnamespace"],
        ["pg_ts_config", "cfgowner", "cfgnamespace"],
        ["pg_statistic_ext", "stxowner", "stxnamespace"],
      ] as const
    ).map(
      ([catalog, owner, namespace]) =>
        `SELECT 'pg_catalog.${catalog}'::regclass, x.oid, 0, x.${owner}, NULL::aclitem[], NULL
           FROM ${catalog} x WHERE x.${namespace} ${IN} AND ${NOT_EXT(catalog, "x.oid")}`,
    ),
  ];
  const databaseWide = [
    `SELECT 'pg_catalog.pg_language'::regclass, x.oid, 0, x.lanowner, x.lanacl, 'l'
       FROM pg_language x WHERE ${userObject("pg_language", "x.oid")}`,
    `SELECT 'pg_catalog.pg_foreign_data_wrapper'::regclass, x.oid, 0, x.fdwowner, x.fdwacl, 'F'
       FROM pg_foreign_data_wrapper x WHERE ${userObject("pg_foreign_data_wrapper", "x.oid")}`,
    `SELECT 'pg_catalog.pg_foreign_server'::regclass, x.oid, 0, x.srvowner, x.srvacl, 'S'
       FROM pg_foreign_server x WHERE ${userObject("pg_foreign_server", "x.oid")}`,
    `SELECT 'pg_catalog.pg_largeobject'::regclass, x.oid, 0, x.lomowner, x.lomacl, 'L' FROM pg_largeobject_metadata x`,
    `SELECT 'pg_catalog.pg_event_trigger'::regclass, x.oid, 0, x.evtowner, NULL::aclitem[], NULL
       FROM pg_event_trigger x WHERE ${NOT_EXT("pg_event_trigger", "x.oid")}`,
    `SELECT 'pg_catalog.pg_publication'::regclass, x.oid, 0, x.pubowner, NULL::aclitem[], NULL FROM pg_publication x`,
    `SELECT 'pg_catalog.pg_extension'::regclass, x.oid, 0, x.extowner, NULL::aclitem[], NULL FROM pg_extension x`,
  ];
  return [...perSchema, ...(wholeDatabase ? databaseWide : [])].join("\n UNION ALL ");
}

type AclItem = [grantee: string, grantor: string, privileges: string];

/** [grantee, grantor, privileges] (sorted; * = WITH GRANT OPTION). */
const ACL_ITEMS = (acl: string) => `(SELECT json_agg(json_build_array(g.grantee, g.grantor, g.privs))
     FROM (SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END AS grantee,
                  pg_get_userbyid(a.grantor)::text AS grantor,
                  string_agg(a.privilege_type || CASE WHEN a.is_grantable THEN '*' ELSE '' END, ','
                             ORDER BY a.privilege_type) AS privs
             FROM aclexplode(${acl}) a GROUP BY 1, 2) g)`;

/**
 * Owners, grants (a NULL ACL made explicit with acldefault, so "never granted" and "granted the
 * defaults" compare equal) and default privileges. Only with `privileges`.
 */
export async function privilegeLines(ctx: OracleContext): Promise<string[]> {
  if (!ctx.privileges) return [];
  const result = await rows<{ object: string; owner: string | null; items: AclItem[] | null }>(
    ctx,
    `WITH objects(classid, objid, objsubid, owner, acl, kind) AS (${ownedObjects(ctx.wholeDatabase)})
     SELECT format('%s %s', o.type, o.identity) AS object,
            CASE WHEN x.owner IS NOT NULL THEN pg_get_userbyid(x.owner)::text END AS owner,
            CASE WHEN x.acl IS NOT NULL THEN ${ACL_ITEMS("x.acl")}
                 WHEN x.kind IS NOT NULL AND x.objsubid = 0 THEN ${ACL_ITEMS('acldefault(x.kind::"char", x.owner)')}
            END AS items
       FROM objects x, pg_identify_object(x.classid, x.objid, x.objsubid) o`,
    [ctx.schemaOids],
  );
  // MAINTAIN (17) has no counterpart before 17: against an older peer it is left out.
  const comparable = (privs: string) =>
    ctx.peerMajor >= 17
      ? privs
      : privs
          .split(",")
          .filter((p) => !p.startsWith("MAINTAIN"))
          .join(",");
  const lines: string[] = [];
  for (const r of result) {
    if (r.owner !== null) lines.push(formatLine("privilege.owner", r.object, "", r.owner));
    for (const [grantee, grantor, privs] of r.items ?? []) {
      lines.push(formatLine("privilege.acl", r.object, `${grantee} from ${grantor}`, comparable(privs)));
    }
  }
  const defaults = await rows<{ object: string; items: AclItem[] | null }>(
    ctx,
    `SELECT format('default privileges for %s%s on %s', pg_get_userbyid(d.defaclrole),
                   CASE WHEN d.defaclnamespace = 0 THEN '' ELSE format(' in schema %I', n.nspname) END,
                   d.defaclobjtype) AS object,
            ${ACL_ITEMS("d.defaclacl")} AS items
       FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
      WHERE d.defaclnamespace ${IN} OR (d.defaclnamespace = 0 AND $2)`,
    [ctx.schemaOids, ctx.wholeDatabase],
  );
  for (const d of defaults) {
    for (const [grantee, grantor, privs] of d.items ?? []) {
      lines.push(formatLine("privilege.default", d.object, `${grantee} from ${grantor}`, comparable(privs)));
    }
  }
  return lines;
}
