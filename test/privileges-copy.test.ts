import { beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { createRole, withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const fresh = databasesForThisFile();

const SOURCE = `
  CREATE SCHEMA app;
  CREATE TABLE app.accounts (id int PRIMARY KEY, email text, balance numeric);
  CREATE FUNCTION app.balance_of(a int) RETURNS numeric LANGUAGE sql STABLE AS $$ SELECT balance FROM app.accounts WHERE id = a $$;
  CREATE TYPE app.tier AS ENUM ('free', 'paid');
  ALTER TABLE app.accounts OWNER TO grants_app;
  GRANT USAGE ON SCHEMA app TO grants_reader;
  GRANT SELECT ON app.accounts TO grants_reader;
  GRANT UPDATE (balance) ON app.accounts TO grants_writer WITH GRANT OPTION;
  GRANT SELECT ON app.accounts TO grants_only_on_source;
  REVOKE EXECUTE ON FUNCTION app.balance_of(int) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION app.balance_of(int) TO grants_reader;
  ALTER DEFAULT PRIVILEGES FOR ROLE grants_app IN SCHEMA app GRANT SELECT ON TABLES TO grants_reader;
  INSERT INTO app.accounts VALUES (1, 'a@example.com', 10);`;

beforeAll(async () => {
  for (const m of [from, to]) {
    for (const role of ["grants_app", "grants_reader", "grants_writer"])
      await createRole(m, role, { password: "x", login: false });
  }
  await createRole(from, "grants_only_on_source", { password: "x", login: false });
});

const ACLS = `
  SELECT 'table' AS kind, c.relname AS name, pg_get_userbyid(c.relowner) AS owner, c.relacl::text AS acl FROM pg_class c WHERE c.relname = 'accounts'
  UNION ALL SELECT 'column', a.attname, NULL, a.attacl::text FROM pg_attribute a WHERE a.attrelid = 'app.accounts'::regclass AND a.attacl IS NOT NULL
  UNION ALL SELECT 'function', p.proname, pg_get_userbyid(p.proowner), p.proacl::text FROM pg_proc p WHERE p.proname = 'balance_of'
  UNION ALL SELECT 'schema', n.nspname, NULL, n.nspacl::text FROM pg_namespace n WHERE n.nspname = 'app'
  UNION ALL SELECT 'default', d.defaclobjtype::text, pg_get_userbyid(d.defaclrole), d.defaclacl::text FROM pg_default_acl d
  ORDER BY 1, 2`;

describe(`owners and grants (${from} -> ${to})`, () => {
  it("are left out by default", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) => c.query(SOURCE));
    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(report.error).toBeUndefined();
    const acls = await withClient(destination.url, async (c) => (await c.query(ACLS)).rows);
    expect(acls.find((a) => a.kind === "table")?.acl).toBeNull();
  });

  it("are copied with --with-privileges, to the roles that exist, and the others are reported", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) => c.query(SOURCE));
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      includePrivileges: true,
    });
    expect(report.error).toBeUndefined();
    expect(report.warnings).toContain(
      'privilege not copied: SELECT on table app.accounts for role "grants_only_on_source": the role does not exist on the destination',
    );
    const read = (url: string) => withClient(url, async (c) => (await c.query(ACLS)).rows);
    // The role missing on the destination is left out; MAINTAIN (m) exists from PostgreSQL 17 on.
    const expected = (await read(source.url)).map((r) => {
      if (r.kind !== "table") return r;
      const acl = String(r.acl).replace(/,?grants_only_on_source=r\/\w+/, "");
      return { ...r, acl: to < 17 ? acl.replace(/(=[a-zA-Z]*)m/g, "$1") : acl };
    });
    const actual = await read(destination.url);
    // Grantors differ (the destination's grants are made by the role that ran the sync); compare the rest.
    const withoutGrantor = (rows: Record<string, unknown>[]) =>
      rows.map((r) => ({ ...r, acl: r.acl === null ? null : String(r.acl).replace(/\/[^,}]+/g, "") }));
    expect(withoutGrantor(actual)).toEqual(withoutGrantor(expected));
    expect(actual.find((a) => a.kind === "table")?.owner).toBe("grants_app");
    expect(actual.find((a) => a.kind === "default")).toMatchObject({
      owner: "grants_app",
      acl: expect.stringContaining("grants_reader=r"),
    });
  });
});
