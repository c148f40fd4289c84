/**
 * A run's own verification (`verify: "checksum"`, the verify step before the cut-over): staged
 * content that differs from the source's at the snapshot, with the same row count, fails the run
 * and leaves the destination exactly as it was (judged by the independent oracle); the content
 * digest's version is reported and recorded in the run history.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import type { FaultPoint } from "../src/pipeline/step-runner.js";
import { readRuns } from "../src/schedule/history-read.js";
import { recordedRun } from "../src/schedule/record-run.js";
import { DIGEST_VERSION } from "../src/verify/digest.js";
import { oracleState, stateDifference } from "./helpers/db-state.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { withClient } from "./helpers/pg-servers.js";
import { toolSchemas } from "./helpers/safety-cli.js";

const FIXTURE = readFileSync(new URL("./fixtures/foundation-kinds.sql", import.meta.url), "utf8");
const { from, to } = newestToOldest();
const fresh = databasesForThisFile();

/** A source with the fixture, a destination holding a first copy, then a change on the source. */
async function copied() {
  const [source, destination] = await Promise.all([fresh(from), fresh(to)]);
  await withClient(source.url, (c) => c.query(FIXTURE));
  const first = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
  expect(first.error).toBeUndefined();
  await withClient(source.url, (c) => c.query("UPDATE app.users SET score = score + 1"));
  return { source, destination };
}

/**
 * At "before:verify", changes one staged value of app.users (the row count stays): only a
 * content checksum can see it.
 */
function corruptStaging(destinationUrl: string) {
  return async (point: FaultPoint) => {
    if (point !== "before:verify") return;
    await withClient(destinationUrl, async (c) => {
      const r = await c.query<{ nspname: string }>(
        `SELECT n.nspname FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE t.relname = 'users' AND n.nspname LIKE '\\_pgsync\\_stage%'`,
      );
      expect(r.rows).toHaveLength(1);
      const stage = r.rows[0]?.nspname as string;
      const changed = await c.query(
        `UPDATE "${stage}".users SET email = 'not from the source' WHERE id = (SELECT min(id) FROM "${stage}".users)`,
      );
      expect(changed.rowCount).toBe(1);
    });
  };
}

describe(`a run's content checksums (PostgreSQL ${from} -> ${to})`, () => {
  it("fail the run when the staged content differs, leaving the destination unchanged", async () => {
    const { source, destination } = await copied();
    const before = await oracleState(destination.url);
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      verify: "checksum",
      faultHook: corruptStaging(destination.url),
    });
    expect(report.ok).toBe(false);
    expect(report.error?.kind).toBe("verify");
    expect(report.error?.message).toMatch(/verification failed: "app"\."users": content differs/);
    expect(report.steps.find((s) => s.status === "failed")?.name).toBe("verify");
    expect(report.verification).toMatchObject({
      method: "row counts, table content checksums",
      ok: false,
      digestVersion: DIGEST_VERSION,
    });
    expect(report.verification?.mismatches).toEqual([
      '"app"."users": content differs (checksums do not match)',
    ]);
    expect(stateDifference(before, await oracleState(destination.url))).toBe("");
    expect(await toolSchemas(destination.url, "_pgsync_stage_")).toEqual([]);
  });

  it("with row counts only, the same corruption goes unseen (the checksum is what catches it)", async () => {
    const { source, destination } = await copied();
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      verify: "counts",
      faultHook: corruptStaging(destination.url),
    });
    expect(report.error).toBeUndefined();
    expect(report.verification).toEqual({ method: "row counts", ok: true, mismatches: [] });
    const emails = await withClient(
      destination.url,
      async (c) =>
        (await c.query("SELECT count(*)::int AS n FROM app.users WHERE email = 'not from the source'")).rows,
    );
    expect(emails).toEqual([{ n: 1 }]);
  });

  it("record the digest version in the run history", async () => {
    const { source, destination } = await copied();
    const recorded = await recordedRun({
      profile: "checksummed",
      trigger: "manual",
      run: { sourceUrl: source.url, destinationUrl: destination.url, verify: "checksum" },
      connectSeconds: 10,
    });
    expect(recorded.report.error).toBeUndefined();
    expect(recorded.recordId).not.toBeNull();
    const [run] = await withClient(destination.url, (c) =>
      readRuns(c, { profiles: ["checksummed"], limit: 1 }),
    );
    expect(run?.verification).toEqual({
      method: "row counts, table content checksums",
      ok: true,
      mismatches: [],
      digestVersion: DIGEST_VERSION,
    });
    // The new state is live, and the oracle finds it equal to the source.
    expect(
      stateDifference(
        await oracleState(source.url, { peerMajor: to }),
        await oracleState(destination.url, { peerMajor: from }),
      ),
    ).toBe("");
  });
});
