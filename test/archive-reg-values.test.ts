/**
 * reg* values restored from an archive name the objects of the restored state (the fidelity issue,
 * point 1, on the archive's path): written as names in the COPY text, pointed at the staged objects
 * while the staging loads, so that after the cut-over they name the live objects, never the
 * previous copy's in the snapshot.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { testMajors, withClient } from "./helpers/pg-servers.js";

const database = databasesForThisFile();
const SOURCE = `
CREATE SCHEMA app;
CREATE TABLE app.target (id int);
CREATE TYPE app.mood AS ENUM ('calm', 'busy');
CREATE FUNCTION app.score(app.mood) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';
CREATE TABLE app.refs (id int PRIMARY KEY, rel regclass, typ regtype, fn regprocedure, rels regclass[]);
INSERT INTO app.refs VALUES (1, 'app.target', 'app.mood', 'app.score(app.mood)', ARRAY['app.target', 'app.refs']::regclass[]),
  (2, 'pg_catalog.pg_class', 'integer', 'pg_catalog.abs(integer)', '{}'), (3, NULL, NULL, NULL, NULL);`;
const VALUES = "SELECT concat_ws(' | ', id, rel, typ, fn, rels) AS x FROM app.refs ORDER BY id";
const RESOLVES = `SELECT concat_ws(' ', rel = 'app.target'::regclass, typ = 'app.mood'::regtype,
  fn = 'app.score(app.mood)'::regprocedure, rels[2] = 'app.refs'::regclass) AS x FROM app.refs WHERE id = 1`;

const lines = (url: string, sql: string) =>
  withClient(url, async (c) => (await c.query<{ x: string }>(sql)).rows.map((r) => r.x));

const majors = testMajors();
describe.each([[majors[majors.length - 1], majors[0]]])(
  "PostgreSQL %i archived, restored onto %i",
  (from, to) => {
    it("12.1 reg* values restored from an archive onto a destination holding a copy name the live objects", async () => {
      const source = await database(from as 14);
      const destination = await database(to as 14);
      await withClient(source.url, (c) => c.query(SOURCE));
      // The destination already holds a copy: its live schema has app.target, app.mood... of its own.
      const run = await runCli(["run", "--from", source.url, "--to", destination.url]);
      expect(run.code, run.stderr).toBe(0);
      const store = mkdtempSync(join(tmpdir(), "pgsync-reg-archive-"));
      const dump = await runCli(["dump", "--from", source.url, "--store", store, "--compress", "gzip"]);
      expect(dump.code, dump.stderr).toBe(0);
      const restore = await runCli(["restore", "--store", store, "--latest", "--to", destination.url]);
      expect(restore.code, restore.stderr).toBe(0);
      expect(await lines(destination.url, VALUES)).toEqual(await lines(source.url, VALUES));
      expect(await lines(destination.url, RESOLVES)).toEqual(["t t t t"]);
    });
  },
);
