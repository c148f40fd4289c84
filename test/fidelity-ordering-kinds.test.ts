/**
 * Ordering fidelity of kinds that need a breaker or an up-front refusal: base types (the shell-type
 * breaker), foreign-data wrappers and servers (database-wide, created after the functions they
 * name), and range types for a destination role that is no superuser (kept in place). Judged by
 * plain pg_catalog queries and the independent oracle (test/helpers/ordering.ts).
 */
import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { rollback } from "../src/restore/rollback.js";
import {
  expectOracleSame,
  expectSame,
  FUNCTIONS,
  IN_APP,
  lines,
  orderingPairs,
  pair as pairOf,
  rowsOf,
  sync,
  WRITTEN,
} from "./helpers/ordering.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { createRole, type PgMajor, withClient } from "./helpers/pg-servers.js";

const fresh = databasesForThisFile();
const pair = (from: PgMajor, to: PgMajor, fixture: string, as?: "owner" | "superuser") =>
  pairOf(fresh, from, to, fixture, as);

const BASE_TYPES = `
CREATE SCHEMA app;
CREATE TYPE app.int4x;
CREATE FUNCTION app.int4x_in(cstring) RETURNS app.int4x LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
CREATE FUNCTION app.int4x_out(app.int4x) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'int4out';
CREATE FUNCTION app.int4x_recv(internal) RETURNS app.int4x LANGUAGE internal IMMUTABLE STRICT AS 'int4recv';
CREATE FUNCTION app.int4x_send(app.int4x) RETURNS bytea LANGUAGE internal IMMUTABLE STRICT AS 'int4send';
CREATE TYPE app.int4x (INPUT = app.int4x_in, OUTPUT = app.int4x_out, RECEIVE = app.int4x_recv,
  SEND = app.int4x_send, INTERNALLENGTH = 4, PASSEDBYVALUE, ALIGNMENT = int4, STORAGE = plain,
  CATEGORY = 'N', DEFAULT = '42');
CREATE TYPE app.label;
CREATE FUNCTION app.label_in(cstring) RETURNS app.label LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION app.label_out(app.label) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
CREATE TYPE app.label (INPUT = app.label_in, OUTPUT = app.label_out, INTERNALLENGTH = VARIABLE,
  STORAGE = extended, COLLATABLE = true, DELIMITER = ';', PREFERRED = true, CATEGORY = 'S');
CREATE CAST (app.int4x AS integer) WITHOUT FUNCTION;
CREATE FUNCTION app.twice(v app.int4x) RETURNS integer LANGUAGE sql IMMUTABLE RETURN (v::integer * 2);
CREATE TABLE app.measures (id int PRIMARY KEY, v app.int4x, vs app.int4x[], l app.label);
INSERT INTO app.measures
  SELECT g, (g * 10)::text::app.int4x, ARRAY[g::text::app.int4x, NULL], ('l' || g)::text::app.label
  FROM generate_series(1, 20) g;
`;

// A base type in C code from a library only the source's server has. PostgreSQL checks a C
// function's library when it is created, so the functions name one that exists (they never run: no
// row uses the type), then point at a library that exists nowhere, as a custom build's would.
const C_BASE_TYPE = `
CREATE SCHEMA app;
CREATE TYPE app.widget;
CREATE FUNCTION app.widget_in(cstring) RETURNS app.widget LANGUAGE c IMMUTABLE STRICT
  AS '$libdir/plpgsql', 'plpgsql_validator';
CREATE FUNCTION app.widget_out(app.widget) RETURNS cstring LANGUAGE c IMMUTABLE STRICT
  AS '$libdir/plpgsql', 'plpgsql_validator';
CREATE TYPE app.widget (INPUT = app.widget_in, OUTPUT = app.widget_out, INTERNALLENGTH = 24);
UPDATE pg_catalog.pg_proc SET probin = '$libdir/pgsync_absent_library'
  WHERE pronamespace = 'app'::regnamespace AND proname IN ('widget_in', 'widget_out');
CREATE TABLE app.gadgets (id int, w app.widget);
CREATE TABLE app.plain (id int);
`;

// A wrapper made by hand whose validator (postgres_fdw's, in C) lives in a schema of its own.
const OWN_WRAPPER = `
CREATE SCHEMA app;
CREATE SCHEMA tools;
CREATE FUNCTION tools.check_options(text[], oid) RETURNS void LANGUAGE c STRICT
  AS '$libdir/postgres_fdw', 'postgres_fdw_validator';
CREATE FOREIGN DATA WRAPPER app_wrapper VALIDATOR tools.check_options;
CREATE SERVER app_remote FOREIGN DATA WRAPPER app_wrapper OPTIONS (host 'remote.example');
CREATE FOREIGN TABLE app.remote_items (id int, label text) SERVER app_remote;
CREATE TABLE app.local_items (id int PRIMARY KEY);
`;

const RANGE_TYPES = `
CREATE SCHEMA app;
CREATE TYPE app.floatrange AS RANGE (SUBTYPE = float8, SUBTYPE_DIFF = float8mi);
CREATE TABLE app.spans (id int PRIMARY KEY, s app.floatrange, m app.floatmultirange);
INSERT INTO app.spans SELECT g, app.floatrange(g, g + 0.5), app.floatmultirange(app.floatrange(g, g + 1))
  FROM generate_series(1, 10) g;
`;

const RANGE_CATALOG = `
  SELECT t.typname || ' ' || format_type(r.rngsubtype, NULL) || ' diff=' || r.rngsubdiff::text
         || ' multi=' || format_type(r.rngmultitypid, NULL) AS x
  FROM pg_range r JOIN pg_type t ON t.oid = r.rngtypid JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE ${IN_APP} ORDER BY 1`;

const BASE_TYPE_CATALOG = `
  SELECT t.typname || ' len=' || t.typlen || ' byval=' || t.typbyval || ' align=' || t.typalign::text
         || ' storage=' || t.typstorage::text || ' category=' || t.typcategory::text || ' preferred=' || t.typispreferred
         || ' default=' || coalesce(t.typdefault, '-') || ' delim=' || t.typdelim::text || ' collatable=' || (t.typcollation <> 0)
         || ' in=' || t.typinput::text || ' out=' || t.typoutput::text || ' recv=' || t.typreceive::text
         || ' send=' || t.typsend::text || ' array=' || coalesce((SELECT a.typname FROM pg_type a WHERE a.oid = t.typarray), '-') AS x
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE t.typtype = 'b' AND ${IN_APP} AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid) ORDER BY 1`;

describe.each(orderingPairs())("ordering of kinds %i -> %i", (from, to) => {
  it("12.26 a user-defined base type with internal functions is carried through its shell type", async () => {
    const { src, dst, ref } = await pair(from, to, BASE_TYPES, "superuser");
    await sync(src, dst);
    await expectOracleSame(ref, dst);
    await expectSame(ref, dst, BASE_TYPE_CATALOG, FUNCTIONS);
    expect(await lines(src, BASE_TYPE_CATALOG)).toHaveLength(2);
    const query = "SELECT id, v::text, vs::text, l::text, app.twice(v), v::integer FROM app.measures";
    expect(await rowsOf(dst, query)).toEqual(await rowsOf(src, query));
    expect(await rowsOf(dst, query)).toHaveLength(20);
  });

  it("12.26 a base type whose C library the destination lacks is refused up front, with the tables that use it", async () => {
    const { src, dst } = await pair(from, to, C_BASE_TYPE, "superuser");
    const report = await runSync({ sourceUrl: src, destinationUrl: dst, parallelism: 2 });
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.status === "failed")?.name).toBe("plan");
    const message = String(report.error?.message);
    expect(message).toContain(
      'type "app"."widget": its function app.widget_in(cstring) is plpgsql_validator in the C library $libdir/pgsync_absent_library, which the destination does not have',
    );
    expect(message).toContain('table "app"."gadgets": it uses type "app"."widget"');
    expect(message).not.toContain('"app"."plain"');
    // Nothing was written: no schema of the sync, no staging schema.
    expect(await lines(dst, WRITTEN)).toEqual([]);

    // A destination role that is no superuser cannot create a base type, nor its internal functions.
    const owner = await createRole(to, "pgsync_ordering_owner", { password: "owner-Pa55" });
    const ownedDestination = await fresh(to, { owner: owner.name });
    const internal = await pair(from, to, BASE_TYPES, "superuser");
    const refused = await runSync({
      sourceUrl: internal.src,
      destinationUrl: owner.url(ownedDestination.name),
      parallelism: 2,
    });
    expect(refused.steps.find((s) => s.status === "failed")?.name).toBe("plan");
    expect(String(refused.error?.message)).toContain(
      'table "app"."measures": it uses type "app"."int4x", which the destination cannot hold: only a superuser can create a base type',
    );
  });

  it("12.31 a foreign server whose wrapper cannot be created is refused before anything is written", async () => {
    const { src, dst } = await pair(from, to, OWN_WRAPPER, "superuser");
    // Only schema app: the wrapper's validator, in schema tools, is not synced.
    const report = await runSync({ sourceUrl: src, destinationUrl: dst, parallelism: 2, schemas: ["app"] });
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.status === "failed")?.name).toBe("plan");
    const message = String(report.error?.message);
    expect(message).toContain(
      'foreign-data wrapper "app_wrapper": it needs tools.check_options, which the destination does not have and the sync does not create',
    );
    expect(message).toContain(
      'server "app_remote": its foreign-data wrapper "app_wrapper" needs tools.check_options',
    );
    expect(message).toContain(
      'foreign table "app"."remote_items": its server "app_remote" cannot be created',
    );
    expect(message).not.toContain("local_items");
    expect(await lines(dst, WRITTEN)).toEqual([]);
    expect(await lines(dst, "SELECT fdwname AS x FROM pg_foreign_data_wrapper")).toEqual([]);

    // The whole database: the validator is created in staging, then the wrapper that names it.
    await sync(src, dst);
    const wrappers = "SELECT fdwname || ' ' || fdwvalidator::regproc::text AS x FROM pg_foreign_data_wrapper";
    expect(await lines(dst, wrappers)).toEqual(["app_wrapper tools.check_options"]);
    const servers =
      "SELECT s.srvname || ' ' || w.fdwname || ' ' || array_to_string(s.srvoptions, ',') AS x FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw";
    expect(await lines(dst, servers)).toEqual(await lines(src, servers));
    expect(await lines(dst, "SELECT ftrelid::regclass::text AS x FROM pg_foreign_table")).toEqual([
      "app.remote_items",
    ]);
  });

  it("12.32 a range type stays in place for a destination role that is no superuser, once created as the source has it", async () => {
    const { src, ref } = await pair(from, to, RANGE_TYPES);
    const owner = await createRole(to, "pgsync_range_owner", { password: "range-Pa55" });
    const dst = owner.url((await fresh(to, { owner: owner.name })).name);
    const first = await runSync({ sourceUrl: src, destinationUrl: dst, parallelism: 2 });
    expect(first.ok).toBe(false);
    expect(first.steps.find((s) => s.status === "failed")?.name).toBe("plan");
    // The one step the user can take, as the refusal names it.
    const step = String(first.error?.message).match(
      /create it on the destination first, as the source has it: (CREATE TYPE .*)$/m,
    )?.[1];
    expect(step).toBe(
      'CREATE TYPE "app"."floatrange" AS RANGE (SUBTYPE = double precision, SUBTYPE_DIFF = float8mi, MULTIRANGE_TYPE_NAME = "app"."floatmultirange")',
    );
    await withClient(dst, (c) => c.query(`CREATE SCHEMA app; ${step}`));
    const typeOid = "SELECT 'app.floatrange'::regtype::oid::text AS x";
    const before = await lines(dst, typeOid);

    await sync(src, dst);
    await expectSame(ref, dst, RANGE_CATALOG);
    const query = "SELECT id, s::text, m::text FROM app.spans";
    expect(await rowsOf(dst, query)).toEqual(await rowsOf(src, query));
    expect(await rowsOf(dst, query)).toHaveLength(10);
    // The live type stayed where it was: the table uses it, and a second run and a rollback keep it.
    expect(await lines(dst, typeOid)).toEqual(before);
    await sync(src, dst);
    expect(await lines(dst, typeOid)).toEqual(before);
    expect(await rowsOf(dst, query)).toEqual(await rowsOf(src, query));
    await rollback({ destinationUrl: dst });
    expect(await lines(dst, typeOid)).toEqual(before);
    expect(await rowsOf(dst, query)).toEqual(await rowsOf(src, query));

    // A live range type that differs from the source's is refused, naming what to do.
    await withClient(src, (c) => c.query("CREATE TYPE app.intspan AS RANGE (SUBTYPE = int4)"));
    await withClient(dst, (c) => c.query("CREATE TYPE app.intspan AS RANGE (SUBTYPE = int8)"));
    const differs = await runSync({ sourceUrl: src, destinationUrl: dst, parallelism: 2 });
    expect(differs.steps.find((s) => s.status === "failed")?.name).toBe("plan");
    expect(String(differs.error?.message)).toContain(
      'range type "app"."intspan": the destination\'s differs from the source\'s',
    );
  });
});
