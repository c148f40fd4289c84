/**
 * Issue point 4: code the source defines runs on the destination during the load, as the
 * destination role. A CHECK constraint, a domain check, an index expression and a generated column
 * each call a source function that writes into a table only the destination has, and (as a
 * superuser) runs an operating-system command. What holds, and what the run says:
 * - as a role that owns the destination database (not a superuser), the writes happen and stay after
 *   a failed run (docs/safety.md says so), the command is refused, and the failure promises only
 *   that the synced schemas keep their previous state;
 * - as a superuser, the run warns at its start and in its report; the command runs.
 *
 * One pair, the newest version onto the oldest of the run.
 */

import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { formatRunReport } from "../src/output/format.js";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { createRole, withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const database = databasesForThisFile();
const marker = `/tmp/pgsync-hostile-${randomBytes(6).toString("hex")}`;
afterAll(() => rmSync(marker, { force: true }));

/** The source's code: each kind of object that runs a function while rows load calls it. */
const SOURCE = (markerFile: string) => `
CREATE FUNCTION public.sneaky(how text, v int) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
  BEGIN
    EXECUTE 'INSERT INTO audit.seen (how, v) VALUES ($1, $2)' USING how, v;
  EXCEPTION WHEN undefined_table THEN NULL; -- on the source, where audit.seen does not exist
  END;
  BEGIN
    -- The program reads its input (a program that does not, such as touch, can break the pipe).
    COPY (SELECT 1) TO PROGRAM ${`'cat > ${markerFile}'`};
  EXCEPTION WHEN insufficient_privilege THEN NULL; -- only a superuser (or pg_execute_server_program) may
  END;
  RETURN true;
END $f$;
-- A function an index expression or a generated column may call must say IMMUTABLE; this one lies,
-- and finds its sibling wherever the load put it (a staging schema), not by the schema's name.
CREATE FUNCTION public.sneaky_key(v int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $f$
DECLARE f text;
BEGIN
  SELECT pg_catalog.format('%I.%I', n.nspname, p.proname) INTO f
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE p.proname = 'sneaky' ORDER BY p.oid DESC LIMIT 1;
  EXECUTE 'SELECT ' || f || '($1, $2)' USING 'index or generated', v;
  RETURN v;
END $f$;
CREATE DOMAIN public.checked_int AS int CHECK (public.sneaky('domain', VALUE));
CREATE TABLE public.items (
  id int PRIMARY KEY,
  v public.checked_int CHECK (public.sneaky('check', v)),
  k int GENERATED ALWAYS AS (public.sneaky_key(v)) STORED
);
CREATE INDEX items_key ON public.items (public.sneaky_key(v));
INSERT INTO public.items (id, v) SELECT g, g FROM generate_series(1, 3) g;`;

async function sourceDatabase() {
  const owner = await createRole(from, "hs_code_source", { password: "hs-code-src-Pw1" });
  const db = await database(from, { owner: owner.name });
  const url = owner.url(db.name);
  await withClient(url, (c) => c.query(SOURCE(marker)));
  return url;
}

/** A destination with a schema of its own that the source's code writes into. */
async function destinationDatabase(owner: { name: string; url: (db: string) => string }) {
  const db = await database(to, { owner: owner.name });
  const url = owner.url(db.name);
  await withClient(url, (c) =>
    c.query(
      "CREATE SCHEMA audit; CREATE TABLE audit.seen (how text, v int); GRANT INSERT ON audit.seen TO PUBLIC",
    ),
  );
  return url;
}

async function seen(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query<{ how: string }>("SELECT DISTINCT how FROM audit.seen ORDER BY 1");
    return r.rows.map((x) => x.how);
  });
}

describe(`source code that runs during the load (PostgreSQL ${from} -> ${to})`, () => {
  it("as a database owner: its writes outside the synced schemas stay after a failed run, which promises only the synced schemas", async () => {
    const source = await sourceDatabase();
    const owner = await createRole(to, "hs_code_destination", { password: "hs-code-dst-Pw1" });
    const destination = await destinationDatabase(owner);
    const before = await captureState(destination);
    const report = await runSync({
      sourceUrl: source,
      destinationUrl: destination,
      faultHook: (point) => {
        if (point === "before:cutover") throw new Error("injected failure before the cut-over");
      },
    });
    expect(report.ok).toBe(false);
    // Not protected: the load ran the source's functions, which wrote into a destination-only table.
    expect(await seen(destination)).toEqual(["check", "domain", "index or generated"]);
    // Protected: the synced schemas (public) are as they were; only audit.seen changed.
    const after = await captureState(destination);
    expect({ ...after, rows: { ...after.rows, "audit.seen": [] } }).toEqual({
      ...before,
      rows: { ...before.rows, "audit.seen": [] },
    });
    const text = formatRunReport(report);
    expect(text).toContain("The synced schemas keep their previous state.");
    expect(text).not.toMatch(/destination keeps its previous state/i);
    // Not a superuser: no warning about it, and COPY ... TO PROGRAM was refused.
    expect(report.warnings.filter((w) => w.includes("is a superuser"))).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it("as a superuser: the run warns at its start and in its report, naming the risk and the way out", async () => {
    const source = await sourceDatabase();
    const superuser = await createRole(to, "hs_code_superuser", {
      password: "hs-code-su-Pw1",
      superuser: true,
    });
    const destination = await destinationDatabase(superuser);
    const events: string[] = [];
    const report = await runSync({
      sourceUrl: source,
      destinationUrl: destination,
      onEvent: (e) =>
        events.push(
          e.type === "warning"
            ? `warning: ${e.message}`
            : e.type === "step"
              ? `step ${e.report.name}`
              : e.type,
        ),
    });
    expect(report.error).toBeUndefined();
    const warning = report.warnings.find((w) =>
      w.includes('the destination role "hs_code_superuser" is a superuser'),
    );
    expect(warning).toContain("run operating-system commands (COPY ... TO PROGRAM)");
    expect(warning).toContain("connect as a role that owns the destination database and is not a superuser");
    expect(warning).toContain('docs/safety.md, "A source you do not trust"');
    // Said before anything is written: right after the guard, ahead of the load.
    const at = events.findIndex((e) => e.startsWith("warning: the destination role"));
    expect(at).toBeGreaterThan(-1);
    expect(at).toBeLessThan(events.indexOf("step create-staging"));
    expect(formatRunReport(report)).toContain("is a superuser");
    // What the warning is about: the source's function ran an operating-system command.
    expect(existsSync(marker)).toBe(true);
  });
});
