/**
 * Names and texts a hostile source builds to break quoting: quotes, `;`, newlines, `$$`, names of
 * 63 bytes of multibyte characters, trailing spaces; and comments, literals and dollar quotes in
 * view, CHECK, index and default text built to fool the rewriting of schema names
 * (src/ddl/requalify.ts). Every injected statement would drop a canary table; the canaries must
 * live, and the copy must equal the source, after a first run and after a second one (the swap
 * moves every object into the snapshot and the new copy in).
 *
 * One pair, the newest version onto the oldest of the run.
 */
import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const database = databasesForThisFile();

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const DROP = "DROP TABLE canary.alive";
/** 31 two-byte characters and one more: 63 bytes, the longest name the server keeps. */
const LONG = `${"é".repeat(31)}x`;

const NAMES = {
  schema: `we"ird; ${DROP}; --`,
  table: `line\nbreak $$ it's`,
  column: `dollar$$col; ${DROP}`,
  long: LONG,
  trailing: "trailing  ",
};

const s = ident(NAMES.schema);
const t = `${s}.${ident(NAMES.table)}`;
const SOURCE = `
CREATE SCHEMA ${s};
CREATE TABLE ${t} (
  id int PRIMARY KEY,
  ${ident(NAMES.column)} text DEFAULT E'\\\\' CHECK (${ident(NAMES.column)} <> 'public.items''; ${DROP}; --'),
  ${ident(NAMES.long)} text DEFAULT 'public.t; ${DROP}',
  ${ident(NAMES.trailing)} text DEFAULT $x$ $$ ${s}.x; ${DROP} $$ $x$
);
COMMENT ON TABLE ${t} IS 'public.t; ${DROP}; --';
COMMENT ON COLUMN ${t}.${ident(NAMES.long)} IS E'\\\\'' ; ${DROP}';
CREATE INDEX ${ident(`idx ${NAMES.long}`.slice(0, 40))} ON ${t} ((${ident(NAMES.column)} || E'\\\\')) WHERE ${ident(NAMES.trailing)} <> '$$;${DROP}';
CREATE TABLE ${s}.${ident(NAMES.long)} (id int PRIMARY KEY REFERENCES ${t} (id), ${ident(NAMES.trailing)} int);
CREATE VIEW ${s}.${ident(`view ${NAMES.trailing}`)} AS
  SELECT id, $q$public.items; ${DROP}$q$ AS fake, $lq$ ${s}.${ident(NAMES.table)} $lq$ AS looks_qualified,
         E'\\\\' AS backslash, ${ident(NAMES.column)} AS c
  FROM ${t} /* public.items; ${DROP} */ -- ${DROP}
  WHERE ${ident(NAMES.column)} <> 'x''; ${DROP}';
CREATE FUNCTION ${s}.${ident(`f ${NAMES.table}`)}(a text) RETURNS text LANGUAGE sql AS
  $body$ SELECT a || $$ ; ${DROP} $$ || 'public.t' $body$;
INSERT INTO ${t} (id, ${ident(NAMES.column)}, ${ident(NAMES.long)}) VALUES
  (1, E'tab\\there', 'newline\nhere'), (2, 'quote '' and $$', E'back\\\\slash'), (3, DEFAULT, DEFAULT);
INSERT INTO ${s}.${ident(NAMES.long)} VALUES (1, 10), (3, 30);`;

const CANARY =
  "CREATE SCHEMA canary; CREATE TABLE canary.alive (id int); INSERT INTO canary.alive VALUES (1);";

async function canaryAlive(url: string): Promise<boolean> {
  return withClient(
    url,
    async (c) => (await c.query("SELECT to_regclass('canary.alive') IS NOT NULL AS ok")).rows[0].ok,
  );
}

async function viewRows(url: string): Promise<unknown[]> {
  return withClient(url, async (c) => {
    await c.query("SET search_path = pg_catalog");
    const view = `${s}.${ident(`view ${NAMES.trailing}`)}`;
    const fn = `${s}.${ident(`f ${NAMES.table}`)}`;
    return (await c.query(`SELECT v.*, ${fn}(v.fake) AS f FROM ${view} v ORDER BY id`)).rows;
  });
}

describe(`names and texts built to break quoting (PostgreSQL ${from} -> ${to})`, () => {
  it("are copied exactly, twice, and no injected statement runs on either side", async () => {
    const source = await database(from);
    const destination = await database(to);
    await withClient(source.url, (c) => c.query(`${CANARY}${SOURCE}`));
    await withClient(destination.url, (c) => c.query(CANARY));
    const sourceState = await captureState(source.url);
    // Not vacuous: every name is there on the source, the long one at its full 63 bytes.
    expect(sourceState.columns.join("\n")).toContain(`${NAMES.schema}.${NAMES.table}.${NAMES.long} #3`);
    expect(Buffer.byteLength(NAMES.long)).toBe(63);
    const expectedViews = await viewRows(source.url);
    expect(expectedViews).toHaveLength(3);
    for (const run of [1, 2]) {
      const report = await runSync({
        sourceUrl: source.url,
        destinationUrl: destination.url,
        excludeSchemas: ["canary"],
      });
      expect(report.error, `run ${run}`).toBeUndefined();
      expect(await canaryAlive(source.url)).toBe(true);
      expect(await canaryAlive(destination.url)).toBe(true);
      const copied = await captureState(destination.url);
      expect(copied).toEqual(sourceState);
      expect(await viewRows(destination.url)).toEqual(expectedViews);
    }
    const comments = await withClient(
      destination.url,
      async (c) =>
        (
          await c.query(
            `SELECT obj_description(${"$1"}::regclass, 'pg_class') AS t, col_description(${"$1"}::regclass, 3) AS c`,
            [t],
          )
        ).rows[0],
    );
    expect(comments).toEqual({ t: `public.t; ${DROP}; --`, c: `\\' ; ${DROP}` });
  });
});
