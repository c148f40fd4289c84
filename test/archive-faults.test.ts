/**
 * The faults of the archive issue, through the real command line: a dump killed midway leaves no
 * archive listed as complete, and the next dump removes it once its marker is older than the stated
 * age; a dump in progress is never touched by a prune; a restore killed midway leaves the
 * destination's old state; a full filesystem fails the dump with an error naming the target.
 */
import { execFileSync } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/archive/store.js";
import {
  archiveDatabases,
  archiveDestinations,
  archiveSourceMajor,
  oracleDifference,
  storeDirectories,
} from "./helpers/archive.js";
import { runCli } from "./helpers/cli.js";
import { type PgMajor, withClient } from "./helpers/pg-servers.js";
import { pausedCli, toolSchemas } from "./helpers/safety-cli.js";

const databases = archiveDatabases();
const storeDir = storeDirectories();

interface Listed {
  id: string;
  state: string;
}
async function listed(store: string): Promise<Listed[]> {
  const r = await runCli(["archives", "--store", store, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { archives: Listed[] }).archives;
}

/** The dump's marker rewritten as if its last heartbeat was two hours ago (its process is gone). */
async function backdate(store: string, id: string): Promise<void> {
  const opened = await openStore(store);
  const old = new Date(Date.now() - 2 * 3_600_000).toISOString();
  await opened.put(id, "dump.inprogress", Buffer.from(JSON.stringify({ heartbeatAt: old })));
  await opened.close();
}

describe("a dump killed midway", () => {
  it("leaves no complete archive; the next dump removes it once it is older than the stated age", async () => {
    const source = await databases.source(archiveSourceMajor());
    const store = await storeDir();
    const dump = await pausedCli(["dump", "--from", source, "--store", store], "archive:mid-table" as never);
    dump.kill("SIGKILL");
    await dump.exited;
    const [killed] = await listed(store);
    expect(killed?.state).toBe("in progress");
    const restore = await runCli([
      "restore",
      "--store",
      store,
      "--latest",
      "--to",
      await databases.empty(14 as PgMajor),
    ]);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/holds no complete archive/);
    // Still within the stated age: the next dump leaves it alone.
    expect((await runCli(["dump", "--from", source, "--store", store])).code).toBe(0);
    expect((await listed(store)).map((a) => a.state).sort()).toEqual(["complete", "in progress"]);
    await backdate(store, killed?.id as string);
    expect((await listed(store)).find((a) => a.id === killed?.id)?.state).toBe("abandoned");
    const next = await runCli(["dump", "--from", source, "--store", store]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(
      `removed 1 incomplete archive(s) left by dumps that stopped: ${killed?.id}`,
    );
    expect((await listed(store)).map((a) => a.state)).toEqual(["complete", "complete"]);
  });

  it("a dump in progress is never touched by a prune", async () => {
    const source = await databases.source(archiveSourceMajor());
    const store = await storeDir();
    expect((await runCli(["dump", "--from", source, "--store", store])).code).toBe(0);
    const dump = await pausedCli(
      ["dump", "--from", source, "--store", store],
      "archive:before-manifest" as never,
    );
    const pruned = await runCli(["archives", "--store", store, "--prune", "--keep", "1", "--json"]);
    expect(pruned.code, pruned.stderr).toBe(0);
    // Two archives written in the same second list in the order of their random run ids: sorted.
    expect((await listed(store)).map((a) => a.state).sort()).toEqual(["complete", "in progress"]);
    dump.resume();
    expect((await dump.exited).code, dump.stderr()).toBe(0);
    expect((await listed(store)).map((a) => a.state)).toEqual(["complete", "complete"]);
  });
});

describe("a restore killed midway", () => {
  it("leaves the destination's old state; the next restore succeeds", async () => {
    const [to] = archiveDestinations() as [PgMajor];
    const source = await databases.source(archiveSourceMajor());
    const store = await storeDir();
    expect((await runCli(["dump", "--from", source, "--store", store])).code).toBe(0);
    const destination = await databases.empty(to);
    const first = await runCli(["restore", "--store", store, "--latest", "--to", destination]);
    expect(first.code, first.stderr).toBe(0);
    // A newer archive whose restore is killed in the middle of a table's rows.
    await withClient(source, (c) => c.query("UPDATE app.teams SET name = name || ' (renamed)'"));
    expect((await runCli(["dump", "--from", source, "--store", store])).code).toBe(0);
    const restore = await pausedCli(
      ["restore", "--store", store, "--latest", "--to", destination],
      "copy:mid-stream",
    );
    restore.kill("SIGKILL");
    await restore.exited;
    const reference = await databases.reference(to);
    const unchanged = await databases.source(archiveSourceMajor());
    expect(await oracleDifference(unchanged, destination, reference)).toBe("");
    const again = await runCli(["restore", "--store", store, "--latest", "--to", destination]);
    expect(again.code, again.stderr).toBe(0);
    const names = await withClient(destination, (c) =>
      c.query("SELECT count(*)::int AS n FROM app.teams WHERE name LIKE '%(renamed)'"),
    );
    expect(names.rows[0].n).toBe(20);
    expect(await toolSchemas(destination, "_pgsync_stage")).toEqual([]);
  });
});

describe("storage that fills up", () => {
  const mountPoint = join("/tmp", `pgsync-full-${process.pid}`);
  afterAll(async () => {
    try {
      execFileSync("umount", [mountPoint]);
    } catch {
      // not mounted
    }
    await rm(mountPoint, { recursive: true, force: true });
  });

  it("fails the dump with an error naming the target, and leaves no archive", async () => {
    await mkdir(mountPoint, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint]);
    const source = await databases.source(archiveSourceMajor());
    await withClient(source, (c) =>
      c.query("CREATE TABLE public.bulk AS SELECT g, md5(g::text) AS h FROM generate_series(1, 20000) g"),
    );
    const store = join(mountPoint, "archives");
    const dump = await runCli(["dump", "--from", source, "--store", store, "--compress", "none"]);
    expect(dump.code).toBe(1);
    expect(dump.stderr).toMatch(
      new RegExp(
        `writing ${store}/\\d{8}t\\d{6}z_[0-9a-f]{8}/[^ ]+ failed: .*ENOSPC.*\\(the filesystem is full\\)`,
      ),
    );
    expect(await listed(store)).toEqual([]);
  });
});
