/**
 * A profile with `archive`: its run writes the sync and the archive from one source snapshot (rows
 * written to the source after the copy are in neither, and every table's digest in the manifest
 * equals the destination's), the archive retention applies, and an archive that fails after the
 * cut-over leaves the cut-over standing, exits 1, records `archive-failed` and sends an alert.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openArchive } from "../src/archive/open-archive.js";
import { digestTable } from "../src/verify/digest.js";
import {
  archiveDatabases,
  archiveDestinations,
  archiveSourceMajor,
  storeDirectories,
} from "./helpers/archive.js";
import { runCli } from "./helpers/cli.js";
import { type PgMajor, withClient } from "./helpers/pg-servers.js";
import { pausedCli, writeConfig } from "./helpers/safety-cli.js";

const databases = archiveDatabases();
const storeDir = storeDirectories();
const to = archiveDestinations()[0] as PgMajor;

const received: { event: string; status: string; error: { message: string } | null }[] = [];
const hook = createServer((req: IncomingMessage, res) => {
  let body = "";
  req.on("data", (d: Buffer) => {
    body += d.toString();
  });
  req.on("end", () => {
    received.push(JSON.parse(body));
    res.end("ok");
  });
});
let hookUrl = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => hook.close(() => resolve())));

async function profileRun(archive: Record<string, unknown>) {
  const [source, destination] = [await databases.source(archiveSourceMajor()), await databases.empty(to)];
  const config = writeConfig({
    profiles: {
      nightly: { source, destination, archive, notify: { webhook: { url: hookUrl } } },
    },
  });
  return { source, destination, config };
}

describe("a profile run with an archive", () => {
  it("writes the sync and the archive from one snapshot: their digests are equal", async () => {
    const store = await storeDir();
    const { source, destination, config } = await profileRun({ store, compress: "gzip" });
    const run = await pausedCli(
      ["run", "--profile", "nightly", "--config", config, "--json"],
      "before:post-data",
    );
    // Written after the copy, inside neither the sync nor the archive (both read the run's snapshot).
    await withClient(source, (c) =>
      c.query("INSERT INTO app.teams (name) SELECT 'late ' || g FROM generate_series(1, 5) g"),
    );
    run.resume();
    expect((await run.exited).code, run.stderr()).toBe(0);
    const report = JSON.parse(run.stdout()) as {
      ok: boolean;
      archive: { ok: boolean; location: string; tables: number };
    };
    expect(report.archive).toMatchObject({ ok: true, tables: 8 });
    const archive = await openArchive({ archive: report.archive.location }, undefined);
    try {
      expect(archive.manifest.compression).toBe("gzip");
      const teams = archive.contents.tables.find((t) => t.name === "teams");
      expect(teams?.rows).toBe(20);
      await withClient(destination, async (c) => {
        await c.query("BEGIN");
        for (const t of archive.contents.tables) {
          const columns =
            archive.model.tables
              .find((m) => m.schema === t.schema && m.name === t.name)
              ?.allColumns.map((x) => x.name) ?? [];
          const live = await digestTable(c, t, columns, { checksum: true });
          expect({ table: `${t.schema}.${t.name}`, rows: live.rows, checksum: live.checksum }).toEqual({
            table: `${t.schema}.${t.name}`,
            rows: t.rows,
            checksum: t.digest.checksum,
          });
        }
        await c.query("ROLLBACK");
      });
    } finally {
      await archive.close();
    }
  });

  it("keeps the archives its retention says", async () => {
    const store = await storeDir();
    const { config } = await profileRun({ store, retention: { count: 2 } });
    for (let i = 0; i < 3; i++) {
      const run = await runCli(["run", "--profile", "nightly", "--config", config]);
      expect(run.code, run.stderr).toBe(0);
    }
    const listed = await runCli(["archives", "--profile", "nightly", "--config", config, "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    const { archives } = JSON.parse(listed.stdout) as { archives: { state: string; retention: string }[] };
    expect(archives.map((a) => [a.state, a.retention])).toEqual([
      ["complete", "kept"],
      ["complete", "kept"],
    ]);
  });

  it("an archive that fails after the cut-over: the cut-over stands, exit 1, archive-failed, an alert", async () => {
    received.length = 0;
    const { destination, config } = await profileRun({ store: join("/dev/null", "archives") });
    const run = await runCli(["run", "--profile", "nightly", "--config", config, "--json"]);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      snapshot?: unknown;
      archive: { ok: boolean; error: string };
    };
    expect(report.ok).toBe(false);
    expect(report.snapshot).toBeDefined();
    expect(report.archive.ok).toBe(false);
    expect(report.archive.error).toMatch(/\/dev\/null\/archives/);
    const teams = await withClient(destination, (c) => c.query("SELECT count(*)::int AS n FROM app.teams"));
    expect(teams.rows[0].n).toBe(20);
    const history = await withClient(destination, (c) =>
      c.query("SELECT status FROM _pgsync.runs ORDER BY id"),
    );
    expect(history.rows.map((r) => r.status)).toEqual(["archive-failed"]);
    expect(received.map((n) => [n.event, n.status])).toEqual([["run.archive-failed", "archive-failed"]]);
    expect(received[0]?.error?.message).toMatch(/the sync cut over, but its archive failed/);
  });
});
