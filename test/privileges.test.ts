import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { createRole, withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const fresh = databasesForThisFile();

/** A source owned by one role, read by another that lacks some grants; a destination owned by a third. */
async function setup() {
  await createRole(from, "priv_src_owner", { password: "pw1", bypassrls: true });
  await createRole(from, "priv_reader", { password: "pw2", bypassrls: true });
  await createRole(to, "priv_dst_owner", { password: "pw3" });
  await createRole(to, "priv_other", { password: "pw4" });
  const source = await fresh(from, { owner: "priv_src_owner" });
  const destination = await fresh(to, { owner: "priv_other" });
  return { source, destination };
}

describe(`the privilege check runs first and lists everything missing (${from} -> ${to})`, () => {
  it("reports every missing privilege on both sides in one error, and writes nothing", async () => {
    const { source, destination } = await setup();
    await withClient(source.urlAs("priv_src_owner", "pw1"), (c) =>
      c.query(`
        CREATE TABLE granted (id int PRIMARY KEY);
        CREATE TABLE secret (id int PRIMARY KEY);
        CREATE SEQUENCE hidden_seq;
        GRANT USAGE ON SCHEMA public TO priv_reader;
        GRANT SELECT ON granted TO priv_reader;`),
    );
    // The destination database belongs to another role; priv_dst_owner owns nothing there and has no CREATE.
    await withClient(destination.url, (c) =>
      c.query(
        "CREATE TABLE public.theirs (id int); ALTER TABLE public.theirs OWNER TO priv_other; REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
      ),
    );
    const before = await captureState(destination.url);
    const report = await runSync({
      sourceUrl: source.urlAs("priv_reader", "pw2"),
      destinationUrl: destination.urlAs("priv_dst_owner", "pw3"),
      force: true,
    });
    expect(report.ok).toBe(false);
    const message = String(report.error?.message);
    expect(message).toContain("source table public.secret: SELECT privilege is missing");
    expect(message).toContain("source sequence public.hidden_seq: SELECT or USAGE privilege is missing");
    expect(message).toMatch(/destination database \S+: CREATE privilege is missing/);
    expect(message).toContain("destination schema public: CREATE privilege is missing");
    expect(message).toContain("destination table public.theirs: owned by priv_other");
    expect(message).not.toContain("public.granted");
    expect(await captureState(destination.url)).toEqual(before);
  });

  it("refuses range types for a role that is not a superuser, naming the type", async () => {
    await createRole(from, "priv_range_owner", { password: "pw5", bypassrls: true });
    await createRole(to, "priv_range_dst", { password: "pw6" });
    const source = await fresh(from, { owner: "priv_range_owner" });
    const destination = await fresh(to, { owner: "priv_range_dst" });
    await withClient(source.urlAs("priv_range_owner", "pw5"), (c) =>
      c.query("CREATE TYPE span AS RANGE (SUBTYPE = float8); CREATE TABLE uses_span (s span);"),
    );
    const report = await runSync({
      sourceUrl: source.urlAs("priv_range_owner", "pw5"),
      destinationUrl: destination.urlAs("priv_range_dst", "pw6"),
    });
    expect(report.ok).toBe(false);
    expect(String(report.error?.message)).toContain(
      'range type "public"."span": a role that is no superuser cannot move a range type into place',
    );
  });
});
