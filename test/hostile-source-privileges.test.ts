/**
 * Issue point 5: no role may get more on the destination's copy than a role of that name had on the
 * source. Without --with-privileges the objects arrive with the destination's defaults: PUBLIC may
 * run every new function (a SECURITY DEFINER one as its owner) and use every new type, and the
 * destination's default privileges grant more to other roles; the run revokes whatever the source's
 * ACL lacks, on every object kind, and reports the count per kind. With --with-privileges: roles
 * that exist on one side only, grants to PUBLIC, and default privileges that would give a
 * destination role more than it had.
 *
 * The oldest version onto the newest of the run (PostgreSQL 18 has default privileges for large
 * objects too). Both databases are owned by roles that are not superusers.
 */
import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { createRole, type PgMajor, testMajors, withClient } from "./helpers/pg-servers.js";

const majors = testMajors();
const from = majors[0] as PgMajor;
const to = majors[majors.length - 1] as PgMajor;
const database = databasesForThisFile();
const largeObjectDefaults = to >= 18;

const SOURCE = `
CREATE TABLE public.items (id serial PRIMARY KEY, label text);
INSERT INTO public.items (label) VALUES ('a'), ('b');
CREATE VIEW public.labels AS SELECT label FROM public.items;
CREATE TYPE public.secret_kind AS ENUM ('x', 'y');
REVOKE USAGE ON TYPE public.secret_kind FROM PUBLIC;
CREATE FUNCTION public.admin_only() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*)::int FROM public.items';
REVOKE EXECUTE ON FUNCTION public.admin_only() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.admin_only() TO hs_priv_app;
CREATE FUNCTION public.open_to_all() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE SCHEMA extra;
CREATE TABLE extra.notes (id int PRIMARY KEY);
GRANT USAGE ON SCHEMA extra TO hs_priv_app;
GRANT SELECT ON extra.notes TO hs_priv_app;
GRANT SELECT ON public.items TO hs_priv_source_only;
SELECT pg_catalog.lo_from_bytea(424242, 'large');`;

/** The destination's default privileges: every object its role creates is granted to hs_priv_reader. */
const DESTINATION_DEFAULTS = `
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO hs_priv_reader;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO hs_priv_reader;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO hs_priv_reader;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON TYPES TO hs_priv_reader;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO hs_priv_reader;
${largeObjectDefaults ? "ALTER DEFAULT PRIVILEGES GRANT SELECT ON LARGE OBJECTS TO hs_priv_reader;" : ""}`;

async function pair(label: string) {
  // One owner name on both sides: with --with-privileges the objects keep it (a run may not give
  // them to a role it is not a member of).
  const sourceOwner = await createRole(from, `hs_priv_owner_${label}`, { password: "hs-priv-owner-Pw1" });
  await createRole(from, "hs_priv_app", { password: "hs-priv-app-Pw1" });
  await createRole(from, "hs_priv_source_only", { password: "hs-priv-so-Pw1" });
  const destinationOwner = await createRole(to, `hs_priv_owner_${label}`, { password: "hs-priv-owner-Pw1" });
  const reader = await createRole(to, "hs_priv_reader", { password: "hs-priv-reader-Pw1" });
  await createRole(to, "hs_priv_app", { password: "hs-priv-app-Pw1" });
  const source = await database(from, { owner: sourceOwner.name });
  const destination = await database(to, { owner: destinationOwner.name });
  await withClient(sourceOwner.url(source.name), (c) => c.query(SOURCE));
  await withClient(destinationOwner.url(destination.name), (c) => c.query(DESTINATION_DEFAULTS));
  return {
    sourceUrl: sourceOwner.url(source.name),
    destinationUrl: destinationOwner.url(destination.name),
    readerUrl: reader.url(destination.name),
    superuserUrl: destination.url,
  };
}

/** What a role may do on the destination, as the server says. */
async function rights(url: string, role: string): Promise<Record<string, boolean>> {
  return withClient(url, async (c) => {
    await c.query("SET search_path = pg_catalog");
    const r = await c.query(
      `SELECT has_function_privilege($1, 'public.admin_only()', 'EXECUTE') AS admin_only,
              has_function_privilege($1, 'public.open_to_all()', 'EXECUTE') AS open_to_all,
              has_table_privilege($1, 'public.items', 'SELECT') AS items,
              has_table_privilege($1, 'public.labels', 'SELECT') AS labels,
              has_sequence_privilege($1, 'public.items_id_seq', 'USAGE') AS sequence,
              has_type_privilege($1, 'public.secret_kind', 'USAGE') AS secret_kind,
              has_schema_privilege($1, 'extra', 'USAGE') AS extra,
              has_table_privilege($1, 'extra.notes', 'SELECT') AS notes,
              EXISTS (SELECT 1 FROM pg_largeobject_metadata m, aclexplode(m.lomacl) a
                      WHERE m.oid = 424242 AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)) AS large_object`,
      [role],
    );
    return r.rows[0] as Record<string, boolean>;
  });
}

describe(`privileges no wider than the source's (PostgreSQL ${from} -> ${to})`, () => {
  it("without --with-privileges: the destination's defaults are revoked where the source's ACL lacks them, counted per kind", async () => {
    const p = await pair("plain");
    const report = await runSync({ sourceUrl: p.sourceUrl, destinationUrl: p.destinationUrl });
    expect(report.error).toBeUndefined();
    expect(await rights(p.superuserUrl, "hs_priv_reader")).toEqual({
      admin_only: false,
      open_to_all: true, // PUBLIC may run it on the source too
      items: false,
      labels: false,
      sequence: false,
      secret_kind: false,
      extra: false,
      notes: false,
      large_object: false,
    });
    // The SECURITY DEFINER function, called by a role of the destination: refused.
    const call = await withClient(p.readerUrl, (c) => c.query("SELECT public.admin_only()")).catch(
      (e: { code?: string }) => e,
    );
    expect((call as { code?: string }).code).toBe("42501");
    const warning = report.warnings.find((w) =>
      w.startsWith("revoked what the destination's defaults granted"),
    );
    const counts = Object.fromEntries(
      [...(warning ?? "").matchAll(/(large object|function|schema|sequence|table|type) (\d+)/g)].map((m) => [
        m[1],
        Number(m[2]),
      ]),
    );
    // Per kind: each grant to hs_priv_reader, and PUBLIC's EXECUTE and USAGE where the source revoked them.
    expect(counts).toEqual({
      function: 3, // admin_only: PUBLIC and the reader; open_to_all: the reader
      schema: 1,
      sequence: 1,
      table: 3, // items, labels, extra.notes
      type: 2, // secret_kind: PUBLIC and the reader
      ...(largeObjectDefaults ? { "large object": 1 } : {}),
    });
  });

  it("with --with-privileges: grants to roles of one side only, to PUBLIC, and the destination's defaults", async () => {
    const p = await pair("full");
    const report = await runSync({
      sourceUrl: p.sourceUrl,
      destinationUrl: p.destinationUrl,
      includePrivileges: true,
    });
    expect(report.error).toBeUndefined();
    // A destination role the source never granted anything gets nothing, whatever the defaults say.
    expect(Object.values(await rights(p.superuserUrl, "hs_priv_reader")).filter(Boolean)).toEqual([true]); // open_to_all, via PUBLIC
    expect(await rights(p.superuserUrl, "hs_priv_app")).toMatchObject({
      admin_only: true,
      extra: true,
      notes: true,
      items: false,
    });
    const call = await withClient(p.readerUrl, (c) => c.query("SELECT public.admin_only()")).catch(
      (e: { code?: string }) => e,
    );
    expect((call as { code?: string }).code).toBe("42501");
    // A role only the source has: its grant is reported, not given to anyone.
    if (from !== to) {
      expect(report.warnings).toContain(
        'privilege not copied: SELECT on table public.items for role "hs_priv_source_only": the role does not exist on the destination',
      );
    } else {
      expect(await rights(p.superuserUrl, "hs_priv_source_only")).toMatchObject({ items: true });
    }
  });
});
