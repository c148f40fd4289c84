import { describe, expect, it } from "vitest";
import { renderPrivileges } from "../../src/ddl/render/privileges.js";
import type { ObjectPrivileges } from "../../src/introspect/model.js";
import { MAJORS } from "./render-fixture.js";

const ROLES = new Set(["alice", "bob", "Odd Role"]);
const TABLE = '"app"."orders"';

const privileges: NonNullable<ObjectPrivileges> = {
  objects: [
    {
      kind: "TABLE",
      name: TABLE,
      owner: "alice",
      hasAcl: true,
      grants: [
        { grantee: "alice", privilege: "SELECT", grantable: false },
        { grantee: "bob", privilege: "SELECT", grantable: true },
        { grantee: null, privilege: "SELECT", grantable: false },
        { grantee: "alice", privilege: "MAINTAIN", grantable: false },
        { grantee: "bob", privilege: "MAINTAIN", grantable: false },
        { grantee: "ghost", privilege: "INSERT", grantable: false },
      ],
    },
    {
      kind: "SCHEMA",
      name: '"app"',
      owner: "alice",
      hasAcl: true,
      grants: [{ grantee: "Odd Role", privilege: "USAGE", grantable: false }],
    },
    { kind: "AGGREGATE", name: '"app"."my_sum"(integer)', owner: "ghost", hasAcl: false, grants: [] },
    { kind: "FOREIGN TABLE", name: '"app"."ft"', owner: "bob", hasAcl: true, grants: [] },
  ],
  columns: [
    { name: TABLE, column: "note", grants: [{ grantee: "bob", privilege: "UPDATE", grantable: false }] },
  ],
  defaults: [
    {
      role: "alice",
      schema: "app",
      objects: "TABLES",
      grants: [
        { grantee: "bob", privilege: "SELECT", grantable: false },
        { grantee: "bob", privilege: "MAINTAIN", grantable: false },
      ],
    },
    {
      role: "ghost",
      schema: null,
      objects: "FUNCTIONS",
      grants: [{ grantee: null, privilege: "EXECUTE", grantable: false }],
    },
  ],
};

/** Every statement up to MAINTAIN, which depends on the destination's version. */
const BEFORE_MAINTAIN = [
  `ALTER TABLE ${TABLE} OWNER TO "alice"`,
  `REVOKE ALL ON TABLE ${TABLE} FROM PUBLIC`,
  `REVOKE ALL ON TABLE ${TABLE} FROM "alice"`,
  `GRANT SELECT ON TABLE ${TABLE} TO "alice"`,
  `GRANT SELECT ON TABLE ${TABLE} TO "bob" WITH GRANT OPTION`,
  `GRANT SELECT ON TABLE ${TABLE} TO PUBLIC`,
];
const MAINTAIN = [`GRANT MAINTAIN ON TABLE ${TABLE} TO "alice"`, `GRANT MAINTAIN ON TABLE ${TABLE} TO "bob"`];
const AFTER_MAINTAIN = [
  // A schema keeps its destination owner.
  `REVOKE ALL ON SCHEMA "app" FROM PUBLIC`,
  `REVOKE ALL ON SCHEMA "app" FROM "alice"`,
  `GRANT USAGE ON SCHEMA "app" TO "Odd Role"`,
  `ALTER FOREIGN TABLE "app"."ft" OWNER TO "bob"`,
  `REVOKE ALL ON TABLE "app"."ft" FROM PUBLIC`,
  `REVOKE ALL ON TABLE "app"."ft" FROM "bob"`,
  `GRANT UPDATE ("note") ON TABLE ${TABLE} TO "bob"`,
  `ALTER DEFAULT PRIVILEGES FOR ROLE "alice" IN SCHEMA "app" GRANT SELECT ON TABLES TO "bob"`,
];
const SKIPPED = [
  `INSERT on table ${TABLE} for role "ghost": the role does not exist on the destination`,
  `owner of aggregate "app"."my_sum"(integer): role "ghost" does not exist on the destination`,
];
const SKIPPED_LAST = `default privileges FOR ROLE "ghost" on functions: role "ghost" does not exist on the destination`;

describe("renderPrivileges, by destination major", () => {
  it.each(MAJORS.filter((m) => m < 17))(
    "PostgreSQL %i has no MAINTAIN: the grants to others are reported",
    (major) => {
      const { statements, skipped } = renderPrivileges(privileges, ROLES, major);
      expect(statements.map((s) => s.sql)).toEqual([...BEFORE_MAINTAIN, ...AFTER_MAINTAIN]);
      expect(skipped).toEqual([
        // The owner's own MAINTAIN is implicit and goes unreported.
        `MAINTAIN on table ${TABLE}: PostgreSQL ${major} has no such privilege`,
        ...SKIPPED,
        `MAINTAIN in default privileges FOR ROLE "alice" IN SCHEMA "app" on tables for role "bob": not available on the destination`,
        SKIPPED_LAST,
      ]);
    },
  );

  it.each(MAJORS.filter((m) => m >= 17))("PostgreSQL %i grants MAINTAIN", (major) => {
    const { statements, skipped } = renderPrivileges(privileges, ROLES, major);
    expect(statements.map((s) => s.sql)).toEqual([
      ...BEFORE_MAINTAIN,
      ...MAINTAIN,
      ...AFTER_MAINTAIN,
      `ALTER DEFAULT PRIVILEGES FOR ROLE "alice" IN SCHEMA "app" GRANT MAINTAIN ON TABLES TO "bob"`,
    ]);
    expect(skipped).toEqual([...SKIPPED, SKIPPED_LAST]);
  });

  it("names the object each statement is about", () => {
    const { statements } = renderPrivileges(privileges, ROLES, 17);
    expect(new Set(statements.map((s) => s.object))).toEqual(
      new Set([
        `table ${TABLE}`,
        'schema "app"',
        'foreign table "app"."ft"',
        `column ${TABLE}."note"`,
        'default privileges FOR ROLE "alice" IN SCHEMA "app" on tables',
      ]),
    );
  });
});
