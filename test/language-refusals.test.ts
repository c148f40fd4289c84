/**
 * A routine written in a procedural language the destination does not have (one made by hand with
 * CREATE LANGUAGE, which a run does not create) is refused in the plan step, naming the routine;
 * once the destination has the language, the same run goes through.
 */
import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const fresh = databasesForThisFile();

// plpgsql's own handler serves a second language: a language made by hand, no extension of its own.
const LANGUAGE = "CREATE LANGUAGE fp_lang HANDLER plpgsql_call_handler";

describe(`a routine in a language the destination lacks (${from} -> ${to})`, () => {
  it("is refused in the plan step, and carried once the destination has the language", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) =>
      c.query(`${LANGUAGE};
               CREATE SCHEMA app;
               CREATE FUNCTION app.answer() RETURNS int LANGUAGE fp_lang AS $$ BEGIN RETURN 42; END $$;
               CREATE TABLE app.t (id int PRIMARY KEY);`),
    );
    const refused = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(refused.steps.find((s) => s.status === "failed")?.name).toBe("plan");
    expect(String(refused.error?.message)).toContain(
      'function "app"."answer"(): it is written in language fp_lang, which the destination does not have',
    );
    await withClient(destination.url, (c) => c.query(LANGUAGE));
    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(report.error).toBeUndefined();
    const answer = await withClient(
      destination.url,
      async (c) => (await c.query("SELECT app.answer() AS a")).rows[0],
    );
    expect(answer).toEqual({ a: 42 });
  });
});
