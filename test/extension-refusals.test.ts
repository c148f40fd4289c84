/**
 * The source's extensions that the destination cannot give the copy are refused in the plan step,
 * before the create-staging step creates any missing extension: one installed there in another
 * schema, and one the destination's server does not have.
 */
import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { pairsWhere } from "./helpers/fidelity.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const fresh = databasesForThisFile();

const installed = (url: string) =>
  withClient(url, async (c) =>
    (
      await c.query<{ x: string }>(
        "SELECT e.extname || ' in ' || n.nspname AS x FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY 1",
      )
    ).rows.map((r) => r.x),
  );

describe(`extensions the destination cannot give (${from} -> ${to})`, () => {
  it("refuses one installed in another schema on the destination, before creating the others", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) =>
      c.query(`CREATE EXTENSION hstore; CREATE EXTENSION pg_trgm;
               CREATE TABLE public.items (id int PRIMARY KEY, attrs public.hstore, name text);
               CREATE INDEX ON public.items USING gin (name public.gin_trgm_ops);`),
    );
    await withClient(destination.url, (c) =>
      c.query("CREATE SCHEMA other; CREATE EXTENSION hstore SCHEMA other"),
    );
    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.status === "failed")?.name).toBe("plan");
    expect(String(report.error?.message)).toContain(
      'extension "hstore": it is installed in schema "other" on the destination but in schema "public" on the source',
    );
    // pg_trgm, which the destination could have created, was not: the run changed nothing.
    expect(await installed(destination.url)).toEqual(["hstore in other"]);
  });
});

// pg_walinspect comes with 15: a 14 destination does not have it.
describe.each(pairsWhere((f, t) => f >= 15 && t === 14))(
  "an extension the destination lacks (%i -> %i)",
  (src, dst) => {
    it("is refused in the plan step", async () => {
      const source = await fresh(src);
      const destination = await fresh(dst);
      await withClient(source.url, (c) =>
        c.query("CREATE EXTENSION pg_walinspect; CREATE EXTENSION pg_trgm"),
      );
      const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
      expect(report.steps.find((s) => s.status === "failed")?.name).toBe("plan");
      expect(String(report.error?.message)).toContain(
        `extension "pg_walinspect": the source uses it, and the destination's server does not have it`,
      );
      expect(await installed(destination.url)).toEqual([]);
    });
  },
);
