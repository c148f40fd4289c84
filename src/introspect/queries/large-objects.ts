import type pg from "pg";
import { z } from "zod";
import type { LargeObject, NotCarried } from "../model.js";
import { oid, queryRows, text, textOrNull } from "../rows.js";

/**
 * Large objects are read and written in chunks of this many bytes, so that a big one never sits
 * whole in memory (a multiple of the 2 kB page PostgreSQL stores them in). Content digests are
 * computed per chunk too, so both sides must use the same size.
 */
export const LARGE_OBJECT_CHUNK = 1_048_576;

/** INV_READ: lo_open for reading (it checks the SELECT privilege). */
const INV_READ = 262144;

/**
 * Every large object with its size, as a subquery (columns oid, lomowner, lomacl, size). There is no
 * size function: each object is opened, seeked to its end and closed again. OFFSET 0 keeps the
 * planner from merging the levels, so each object is opened exactly once, before it is seeked.
 * Reading a large object needs its SELECT privilege; pg_largeobject itself is for superusers only.
 */
export const LARGE_OBJECT_SIZES = `(
  SELECT o.oid, o.lomowner, o.lomacl, o.size FROM (
    SELECT d.oid, d.lomowner, d.lomacl, d.fd, pg_catalog.lo_lseek64(d.fd, 0, 2) AS size FROM (
      SELECT m.oid, m.lomowner, m.lomacl, pg_catalog.lo_open(m.oid, ${INV_READ}) AS fd
      FROM pg_catalog.pg_largeobject_metadata m OFFSET 0) d
    OFFSET 0) o
  WHERE pg_catalog.lo_close(o.fd) = 0)`;

/**
 * The grants of an ACL as JSON: null for the default ACL (NULL), an empty array when everything was
 * revoked. In the ACL's order, so that granting them again in turn rebuilds the same ACL; grants
 * made by someone other than the owner are folded into plain grants.
 */
export const GRANTS_JSON = (acl: string) => `CASE WHEN ${acl} IS NULL THEN NULL ELSE coalesce(
  (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
            'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
            'privilege', a.privilege_type, 'grantable', a.is_grantable) ORDER BY a.n)
   FROM pg_catalog.aclexplode(${acl}) WITH ORDINALITY a(grantor, grantee, privilege_type, is_grantable, n)),
  '[]'::json) END`;

const LIST = `
SELECT m.oid, pg_catalog.pg_get_userbyid(m.lomowner) AS owner, ${GRANTS_JSON("m.lomacl")} AS grants,
       pg_catalog.obj_description(m.oid, 'pg_largeobject') AS comment
FROM pg_catalog.pg_largeobject_metadata m ORDER BY m.oid`;

export const Grants = z
  .array(z.object({ grantee: z.string().nullable(), privilege: text, grantable: z.boolean() }))
  .nullable();

const Row = z.object({ oid, owner: text, grants: Grants, comment: textOrNull });

/** The database's large objects (metadata only: no content is read), with their comments. */
export async function readLargeObjects(client: pg.Client): Promise<LargeObject[]> {
  const rows = await queryRows(client, "large objects", LIST, [], Row);
  return rows.map((r) => ({
    oid: r.oid,
    owner: r.owner,
    grants: r.grants,
    ...(r.comment !== null ? { comment: r.comment } : {}),
  }));
}

/**
 * Whether the session's role passes a large object's ACL check for `privilege`, as lo_open does:
 * superusers and lo_compat_privileges skip it; otherwise the ACL (the default one when NULL) must
 * grant it to PUBLIC or to a role whose privileges this one has. (has_largeobject_privilege only
 * exists from PostgreSQL 18 on.)
 */
const HAS_PRIVILEGE = (m: string, privilege: "SELECT" | "UPDATE") => `(
  (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
  OR pg_catalog.current_setting('lo_compat_privileges') = 'on'
  OR EXISTS (SELECT 1 FROM pg_catalog.aclexplode(coalesce(${m}.lomacl, pg_catalog.acldefault('L', ${m}.lomowner))) a
             WHERE a.privilege_type = '${privilege}' AND (a.grantee = 0 OR pg_catalog.pg_has_role(a.grantee, 'USAGE'))))`;

/** Only its owner (or a member of the owner role) may unlink a large object, unless lo_compat_privileges is on. */
const MAY_UNLINK = (m: string) => `(
  (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
  OR pg_catalog.current_setting('lo_compat_privileges') = 'on'
  OR pg_catalog.pg_has_role(${m}.lomowner, 'USAGE'))`;

const UNREADABLE = `
SELECT m.oid, pg_catalog.pg_get_userbyid(m.lomowner) AS owner FROM pg_catalog.pg_largeobject_metadata m
WHERE NOT ${HAS_PRIVILEGE("m", "SELECT")} ORDER BY m.oid`;

const UNREMOVABLE = `
SELECT m.oid, pg_catalog.pg_get_userbyid(m.lomowner) AS owner FROM pg_catalog.pg_largeobject_metadata m
WHERE NOT ${MAY_UNLINK("m")} ORDER BY m.oid`;

const Denied = z.object({ oid, owner: text });
export type DeniedLargeObject = z.infer<typeof Denied>;

/** Large objects the session's role may not read (lo_get would fail with "permission denied"). */
export async function unreadableLargeObjects(client: pg.Client): Promise<DeniedLargeObject[]> {
  return queryRows(client, "unreadable large objects", UNREADABLE, [], Denied);
}

/** Large objects the session's role may not unlink (it neither owns them nor is a superuser). */
export async function unremovableLargeObjects(client: pg.Client): Promise<DeniedLargeObject[]> {
  return queryRows(client, "large objects not owned", UNREMOVABLE, [], Denied);
}

/**
 * What a run that reads selected schemas reports about the source's large objects: one entry (they
 * can be many), not refused, since the destination's large objects are left as they are.
 */
export function largeObjectsNotCarried(objects: readonly LargeObject[]): NotCarried[] {
  if (objects.length === 0) return [];
  const shown = objects.slice(0, 10).map((o) => o.oid);
  const more = objects.length > shown.length ? ` and ${objects.length - shown.length} more` : "";
  return [
    {
      kind: objects.length === 1 ? "large object" : `${objects.length} large objects`,
      identity: `${shown.join(", ")}${more}`,
      holdsRows: false,
      reason: "database-wide; this run syncs selected schemas",
    },
  ];
}
