/**
 * Archives in S3-compatible storage (s3rver on loopback, test/helpers/s3.ts), through the real
 * command line and the AWS SDK's standard settings: a source dumped to S3, encrypted, restores onto
 * the oldest and newest destinations identical (the oracle judges); `archives --verify` passes; an
 * endpoint that goes away fails the dump naming the target; a killed dump's multipart upload is
 * aborted by the next prune.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateArchiveKey } from "../src/archive/encryption.js";
import { openStore } from "../src/archive/store.js";
import {
  archiveDatabases,
  archiveDestinations,
  archiveSourceMajor,
  oracleDifference,
  storeDirectories,
} from "./helpers/archive.js";
import { runCli } from "./helpers/cli.js";
import { withClient } from "./helpers/pg-servers.js";
import { startS3, type TestS3 } from "./helpers/s3.js";
import { pausedCli, spawnCli } from "./helpers/safety-cli.js";

const databases = archiveDatabases();
const scratch = storeDirectories();
let s3: TestS3;

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.stop();
});

describe("an archive in S3-compatible storage", () => {
  let source = "";
  let location = "";
  let keyFile = "";

  beforeAll(async () => {
    source = await databases.source(archiveSourceMajor());
    const key = await generateArchiveKey();
    keyFile = join(await scratch(), "archive.key");
    await writeFile(keyFile, `# created by the test\n${key.identity}\n`);
    const dumped = await runCli(
      ["dump", "--from", source, "--store", `s3://${s3.bucket}/nightly`, "--key-file", keyFile, "--json"],
      s3.env,
    );
    expect(dumped.code, dumped.stderr).toBe(0);
    const summary = JSON.parse(dumped.stdout) as { location: string; encrypted: boolean; files: unknown[] };
    expect(summary.location).toMatch(new RegExp(`^s3://${s3.bucket}/nightly/\\d{8}t\\d{6}z_[0-9a-f]{8}$`));
    expect(summary.encrypted).toBe(true);
    expect(summary.files.length).toBeGreaterThan(5);
    location = summary.location;
  });

  it("is listed complete and verifies, with the key", async () => {
    const listed = await runCli(
      ["archives", "--store", `s3://${s3.bucket}/nightly`, "--verify", "--key-file", keyFile, "--json"],
      s3.env,
    );
    expect(listed.code).toBe(0);
    const { archives } = JSON.parse(listed.stdout) as {
      archives: { id: string; state: string; verified: boolean; encrypted: boolean; tables: number }[];
    };
    expect(archives).toHaveLength(1);
    expect(archives[0]).toMatchObject({ state: "complete", verified: true, encrypted: true });
    expect(archives[0]?.tables).toBeGreaterThan(5);
  });

  it.each(archiveDestinations())("restores onto %i identical, judged by the oracle", async (to) => {
    const destination = await databases.empty(to);
    const restored = await runCli(
      [
        "restore",
        "--archive",
        location,
        "--to",
        destination,
        "--key-file",
        keyFile,
        "--verify",
        "checksum",
        "--json",
      ],
      s3.env,
    );
    expect(restored.code, restored.stderr).toBe(0);
    expect(await oracleDifference(source, destination, await databases.reference(to))).toBe("");
  });

  it("without the key, the restore is refused before anything is written", async () => {
    const destination = await databases.empty(archiveDestinations()[0] as 14);
    const refused = await runCli(["restore", "--archive", location, "--to", destination], {
      ...s3.env,
      PGSYNC_ARCHIVE_KEY: "",
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is encrypted: give its key/);
  });
});

describe("faults of S3 storage", () => {
  it("an endpoint that goes away fails the dump, naming the target", async () => {
    const gone = await startS3();
    const source = await databases.source(archiveSourceMajor());
    const child = await pausedCli(
      ["dump", "--from", source, "--store", `s3://${gone.bucket}/lost`],
      "archive:mid-table" as never,
      gone.env,
    );
    await gone.stop();
    child.resume();
    const result = await child.exited;
    expect(result.code, child.stderr()).toBe(1);
    expect(child.stderr()).toMatch(/s3:\/\/archives\/lost\/\d{8}t\d{6}z_[0-9a-f]{8}/);
    expect(child.stderr()).toMatch(/ECONNREFUSED|cannot be reached/);
  });

  it("a killed dump leaves no complete archive, and its multipart upload is aborted by the next prune", async () => {
    const source = await databases.source(archiveSourceMajor());
    // A table big enough for a multipart upload (over one 8 MB part once compressed).
    await withClient(source, (c) =>
      c.query(
        "CREATE TABLE public.bulk AS SELECT g, md5(g::text) || md5((g * 7)::text) AS h FROM generate_series(1, 400000) g",
      ),
    );
    const store = `s3://${s3.bucket}/killed`;
    const child = spawnCli(["dump", "--from", source, "--store", store, "--compress", "none"], s3.env);
    await s3.uploadStarted();
    child.kill("SIGKILL");
    await child.exited;
    expect((await s3.openUploads()).some((k) => k.startsWith("killed/"))).toBe(true);
    const listed = await runCli(["archives", "--store", store, "--json"], s3.env);
    const { archives } = JSON.parse(listed.stdout) as { archives: { id: string; state: string }[] };
    expect(archives.map((a) => a.state)).toEqual(["in progress"]);
    // The dump stopped: once its marker is older than the stated age, the next prune removes it.
    await backdateMarker(store, archives[0]?.id as string);
    const pruned = await runCli(["archives", "--store", store, "--prune", "--keep", "5", "--json"], s3.env);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect((JSON.parse(pruned.stdout) as { pruned: { abandoned: string[] } }).pruned.abandoned).toEqual([
      archives[0]?.id,
    ]);
    expect((await s3.openUploads()).filter((k) => k.startsWith("killed/"))).toEqual([]);
    const after = await runCli(["archives", "--store", store, "--json"], s3.env);
    expect((JSON.parse(after.stdout) as { archives: unknown[] }).archives).toEqual([]);
  });
});

/** Rewrites a dump's in-progress marker as if its last heartbeat was two hours ago. */
async function backdateMarker(store: string, id: string): Promise<void> {
  const opened = await openStore(store, s3.env);
  try {
    await opened.put(
      id,
      "dump.inprogress",
      Buffer.from(JSON.stringify({ heartbeatAt: new Date(Date.now() - 2 * 3_600_000).toISOString() })),
    );
  } finally {
    await opened.close();
  }
}
