import type { ObjectPrivileges } from "../../introspect/model.js";
import { hasFeature } from "../../sql/features.js";
import { quoteIdent } from "../../sql/quote.js";

/**
 * Owners and grants, applied to the live objects inside the cut-over (after the moves, so the run
 * still owns what it moves). A role that does not exist on the destination is skipped and reported.
 */
export function renderPrivileges(
  privileges: NonNullable<ObjectPrivileges>,
  roles: ReadonlySet<string>,
  targetMajor: number,
): { statements: { object: string; sql: string }[]; skipped: string[] } {
  const statements: { object: string; sql: string }[] = [];
  const skipped: string[] = [];
  const exists = (role: string | null) => role === null || roles.has(role);
  const who = (role: string | null) => (role === null ? "PUBLIC" : quoteIdent(role));
  /** `GRANT <what> TO grantee`, or a report when the grantee does not exist on the destination. */
  const grant = (
    object: string,
    g: { grantee: string | null; privilege: string; grantable: boolean },
    what: string,
  ) => {
    if (!exists(g.grantee)) {
      skipped.push(
        `${g.privilege} on ${object} for role "${g.grantee}": the role does not exist on the destination`,
      );
      return;
    }
    statements.push({
      object,
      sql: `GRANT ${what} TO ${who(g.grantee)}${g.grantable ? " WITH GRANT OPTION" : ""}`,
    });
  };
  for (const o of privileges.objects) {
    const object = `${o.kind.toLowerCase()} ${o.name}`;
    const grantKind = o.kind === "AGGREGATE" ? "FUNCTION" : o.kind === "FOREIGN TABLE" ? "TABLE" : o.kind;
    // A schema keeps its destination owner (PostgreSQL 14's public belongs to the bootstrap superuser).
    if (o.kind !== "SCHEMA") {
      if (exists(o.owner))
        statements.push({ object, sql: `ALTER ${o.kind} ${o.name} OWNER TO ${who(o.owner)}` });
      else skipped.push(`owner of ${object}: role "${o.owner}" does not exist on the destination`);
    }
    if (!o.hasAcl) continue;
    statements.push({ object, sql: `REVOKE ALL ON ${grantKind} ${o.name} FROM PUBLIC` });
    if (exists(o.owner))
      statements.push({ object, sql: `REVOKE ALL ON ${grantKind} ${o.name} FROM ${who(o.owner)}` });
    for (const g of o.grants) {
      if (!hasPrivilegeOn(g.privilege, targetMajor)) {
        // The owner holds every privilege implicitly; anyone else's grant is reported.
        if (g.grantee !== o.owner)
          skipped.push(`${g.privilege} on ${object}: PostgreSQL ${targetMajor} has no such privilege`);
        continue;
      }
      grant(object, g, `${g.privilege} ON ${grantKind} ${o.name}`);
    }
  }
  for (const c of privileges.columns) {
    for (const g of c.grants) {
      grant(
        `column ${c.name}.${quoteIdent(c.column)}`,
        g,
        `${g.privilege} (${quoteIdent(c.column)}) ON TABLE ${c.name}`,
      );
    }
  }
  for (const d of privileges.defaults) {
    const scope = `FOR ROLE ${quoteIdent(d.role)}${d.schema === null ? "" : ` IN SCHEMA ${quoteIdent(d.schema)}`}`;
    const object = `default privileges ${scope} on ${d.objects.toLowerCase()}`;
    if (!roles.has(d.role)) {
      skipped.push(`${object}: role "${d.role}" does not exist on the destination`);
      continue;
    }
    // A global entry replaces the built-in defaults (PUBLIC's and the role's own): cleared first, so
    // that what the source revoked (USAGE on types from the role itself) stays revoked. An entry
    // for a schema only adds to the global one: its grants are all it holds.
    if (d.schema === null)
      for (const from of ["PUBLIC", quoteIdent(d.role)])
        statements.push({
          object,
          sql: `ALTER DEFAULT PRIVILEGES ${scope} REVOKE ALL ON ${d.objects} FROM ${from}`,
        });
    for (const g of d.grants) {
      if (!exists(g.grantee) || !hasPrivilegeOn(g.privilege, targetMajor)) {
        skipped.push(`${g.privilege} in ${object} for role "${g.grantee}": not available on the destination`);
        continue;
      }

      statements.push({
        object,
        sql: `ALTER DEFAULT PRIVILEGES ${scope} GRANT ${g.privilege} ON ${d.objects} TO ${who(g.grantee)}${g.grantable ? " WITH GRANT OPTION" : ""}`,
      });
    }
  }
  return { statements, skipped };
}

/** Whether a destination of this major version knows a privilege (GRANT MAINTAIN fails before 17). */
function hasPrivilegeOn(privilege: string, major: number): boolean {
  return privilege !== "MAINTAIN" || hasFeature(major, "the MAINTAIN privilege");
}
