/**
 * The cut-over moves every object of a staging schema into the live one by name, with names read
 * before the moves: a routine or operator whose arguments are a composite type of the same schema is
 * moved before that type, while its identity still names where the type is.
 */
import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const fresh = databasesForThisFile();

const SOURCE = `
  CREATE SCHEMA app;
  CREATE TYPE app.pair AS (a int, b int);
  CREATE FUNCTION app.pair_sum(p app.pair) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT ($1).a + ($1).b';
  CREATE FUNCTION app.pair_add(x app.pair, y app.pair) RETURNS app.pair LANGUAGE sql IMMUTABLE
    AS 'SELECT ROW(($1).a + ($2).a, ($1).b + ($2).b)::app.pair';
  CREATE OPERATOR app.## (LEFTARG = app.pair, RIGHTARG = app.pair, FUNCTION = app.pair_add);
  CREATE AGGREGATE app.pair_total(app.pair) (SFUNC = app.pair_add, STYPE = app.pair, INITCOND = '(0,0)');
  CREATE TABLE app.points (id int PRIMARY KEY, p app.pair);
  INSERT INTO app.points VALUES (1, '(1,2)'), (2, '(3,4)');`;

const CHECK = `SELECT app.pair_sum(app.pair_total(p)) AS total, (ROW(1,1)::app.pair OPERATOR(app.##) ROW(2,2)::app.pair)::text AS added,
                      pg_get_function_identity_arguments('app.pair_sum'::regproc) AS args
               FROM app.points`;

describe(`the cut-over's moves (${from} -> ${to})`, () => {
  it("moves routines, operators and aggregates over a composite type of their schema, first run and re-sync", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) => c.query(SOURCE));
    for (const run of ["first", "re-sync"]) {
      const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
      expect(report.error, run).toBeUndefined();
      const rows = await withClient(destination.url, async (c) => (await c.query(CHECK)).rows);
      expect(rows).toEqual([{ total: 10, added: "(3,3)", args: "p app.pair" }]);
    }
  });
});
