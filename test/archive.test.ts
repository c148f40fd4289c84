/**
 * Archives in a directory: a source dumped with each compression, and encrypted, restores onto the
 * oldest and newest destinations with the same schema and data, as the independent oracle
 * (test/oracle) judges them; a file reads back by hand with the standard tools; `archives --verify`
 * finds a changed byte; a wrong key and a cut file are refused before the cut-over, the destination
 * unchanged, its staging dropped.
 */
import { execFileSync } from "node:child_process";
import { readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { listArchives, pruneArchives } from "../src/archive/archives.js";
import type { ArchiveResult } from "../src/archive/dump.js";
import { dumpDatabase } from "../src/archive/dump-database.js";
import { type ArchiveKey, generateArchiveKey } from "../src/archive/encryption.js";
import { openArchive } from "../src/archive/open-archive.js";
import { openStore } from "../src/archive/store.js";
import { restoreArchive } from "../src/pipeline/restore-archive.js";
import {
  archiveDatabases,
  archiveDestinations,
  archiveSourceMajor,
  oracleDifference,
  storeDirectories,
} from "./helpers/archive.js";
import { runCli } from "./helpers/cli.js";
import type { PgMajor } from "./helpers/pg-servers.js";
import { toolSchemas } from "./helpers/safety-cli.js";

const databases = archiveDatabases();
const storeDir = storeDirectories();
const [oldest, newest] = [archiveDestinations()[0] as PgMajor, archiveDestinations().at(-1) as PgMajor];

let source = "";
let key: ArchiveKey;
const dumps: Record<"zstd" | "gzip" | "none" | "encrypted", ArchiveResult> = {} as never;

beforeAll(async () => {
  source = await databases.source(archiveSourceMajor());
  key = await generateArchiveKey();
  for (const compression of ["zstd", "gzip", "none"] as const)
    dumps[compression] = await dumpDatabase({ sourceUrl: source, store: await storeDir(), compression });
  dumps.encrypted = await dumpDatabase({ sourceUrl: source, store: await storeDir(), key });
});

async function restore(location: string, destination: string, withKey?: ArchiveKey) {
  const archive = await openArchive({ archive: location }, withKey);
  try {
    return await restoreArchive({ archive, destinationUrl: destination, parallelism: 2, verify: "checksum" });
  } finally {
    await archive.close();
  }
}

async function restoredIdentical(kind: keyof typeof dumps, to: PgMajor): Promise<void> {
  const destination = await databases.empty(to);
  const report = await restore(dumps[kind].location, destination, kind === "encrypted" ? key : undefined);
  expect(report.error).toBeUndefined();
  expect(report.ok).toBe(true);
  expect(report.verification?.method).toMatch(/table content checksums/);
  expect(await oracleDifference(source, destination, await databases.reference(to))).toBe("");
}

describe(`a ${archiveSourceMajor()} source dumped to a directory`, () => {
  it("holds every table's rows, digest and files in its manifest, the data as COPY text", () => {
    const m = dumps.zstd.manifest;
    expect(m.compression).toBe("zstd");
    expect(m.source.major).toBe(archiveSourceMajor());
    const deals = m.contents?.tables.find((t) => t.name === "Deals");
    expect(deals).toMatchObject({ schema: "Sales Data", rows: 150, digest: { version: 2 } });
    expect(deals?.parts[0]?.file).toMatch(/^data\/\d{6}\.0000\.copy\.zst$/);
    expect(m.contents?.largeObjects?.count).toBe(3);
    expect(m.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
    expect(m.summary.storedBytes).toBeLessThan(dumps.none.manifest.summary.storedBytes);
    expect(dumps.gzip.manifest.files[0]?.path).toMatch(/\.copy\.gz$/);
  });

  it.each(archiveDestinations())("restores onto %i identical, judged by the oracle (zstd)", (to) =>
    restoredIdentical("zstd", to),
  );
  it(`restores gzip onto ${oldest} identical`, () => restoredIdentical("gzip", oldest));
  it(`restores an uncompressed archive onto ${newest} identical`, () => restoredIdentical("none", newest));
  it.each(archiveDestinations())("restores an encrypted archive onto %i identical", (to) =>
    restoredIdentical("encrypted", to),
  );

  it("reads one file back by hand: age -d | zstd -d | psql COPY ... FROM STDIN", async () => {
    const m = dumps.encrypted;
    const archive = await openArchive({ archive: m.location }, key);
    const users = archive.contents.tables.find((t) => t.schema === "app" && t.name === "users");
    await archive.close();
    const file = join(m.location, users?.parts[0]?.file as string);
    const keyFile = join(await storeDir(), "key.txt");
    await writeFile(keyFile, `${key.identity}\n`);
    const scratch = await databases.empty(oldest);
    const psql = (sql: string, input?: Buffer) =>
      execFileSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", scratch, "-c", sql], {
        ...(input ? { input } : {}),
      }).toString();
    psql(
      "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE users (id bigint, email text, mood mood, moods mood[], score numeric, created_at timestamptz, nickname text)",
    );
    const plain = execFileSync("sh", ["-c", `age -d -i "$1" "$2" | zstd -d`, "sh", keyFile, file]);
    psql(`COPY users (${users?.columns.join(", ")}) FROM STDIN`, plain);
    expect(psql("SELECT count(*) FROM users").trim()).toMatch(/300/);
    expect(psql("SELECT email FROM users WHERE id = 10").trim()).toMatch(/user1@example.com/);
  });
});

describe("checks before a restore", () => {
  it("`archives --verify` finds a changed byte and names the file", async () => {
    const store = await storeDir();
    const dumped = await dumpDatabase({ sourceUrl: source, store });
    const clean = await runCli(["archives", "--store", store, "--verify"]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(new RegExp(`${dumped.id} .* verified`));
    const victim = dumped.manifest.files.find((f) => f.bytes > 100)?.path as string;
    const path = join(dumped.location, victim);
    const bytes = await readFile(path);
    const at = Math.floor(bytes.length / 2);
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
    await writeFile(path, bytes);
    const changed = await runCli(["archives", "--store", store, "--verify", "--json"]);
    expect(changed.code).toBe(1);
    const [listed] = (JSON.parse(changed.stdout) as { archives: { verified: boolean; problems: string[] }[] })
      .archives;
    expect(listed?.verified).toBe(false);
    expect(listed?.problems).toEqual([`${path} does not match its sha256 in the manifest`]);
  });

  it("an archive is never restored into the database it was dumped from (the manifest's identity)", async () => {
    const refused = await runCli(["restore", "--archive", dumps.zstd.location, "--to", source]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the destination is the source database itself/);
    expect(await toolSchemas(source, "_pgsync")).toEqual([]);
  });

  it("a wrong key is refused before anything is written", async () => {
    const destination = await databases.empty(oldest);
    const first = await restore(dumps.zstd.location, destination);
    expect(first.ok).toBe(true);
    const other = await generateArchiveKey();
    const keyFile = join(await storeDir(), "other.key");
    await writeFile(keyFile, `${other.identity}\n`);
    const refused = await runCli([
      "restore",
      "--archive",
      dumps.encrypted.location,
      "--to",
      destination,
      "--key-file",
      keyFile,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `${dumps.encrypted.location}/manifest.json cannot be used: the archive was encrypted to another key`,
    );
    expect(await oracleDifference(source, destination, await databases.reference(oldest))).toBe("");
    expect(await toolSchemas(destination, "_pgsync_stage")).toEqual([]);
  });

  it("a cut file fails the restore before the cut-over, naming it; staging is dropped, the destination unchanged", async () => {
    const destination = await databases.empty(newest);
    expect((await restore(dumps.zstd.location, destination)).ok).toBe(true);
    const store = await storeDir();
    const cut = await dumpDatabase({ sourceUrl: source, store, key });
    const biggest = [...cut.manifest.files].sort((a, b) => b.bytes - a.bytes)[0]?.path as string;
    await truncate(
      join(cut.location, biggest),
      Math.floor(((await readFile(join(cut.location, biggest))).length * 2) / 3),
    );
    const report = await restore(cut.location, destination, key);
    expect(report.ok).toBe(false);
    expect(String(report.error?.message)).toContain(join(cut.location, biggest));
    expect(report.steps.find((s) => s.name === "cutover")?.status).toBe("not run");
    expect(await toolSchemas(destination, "_pgsync_stage")).toEqual([]);
    expect(await oracleDifference(source, destination, await databases.reference(newest))).toBe("");
  });
});

describe("retention", () => {
  it("prunes by count, then by age, and lists what it will prune", async () => {
    const store = await storeDir();
    const first = await dumpDatabase({ sourceUrl: source, store });
    const second = await dumpDatabase({ sourceUrl: source, store });
    const opened = await openStore(store);
    try {
      const listedByCount = await listArchives(opened, { retention: { count: 1 } });
      expect(listedByCount.map((a) => [a.id, a.retention])).toEqual([
        [first.id, "pruned: past the newest 1"],
        [second.id, "kept"],
      ]);
      expect(await pruneArchives(opened, { count: 1 })).toEqual({ pruned: [first.id], abandoned: [] });
      // Two days later, a retention of one day removes the rest.
      const later = new Date(Date.now() + 2 * 86_400_000);
      expect(await pruneArchives(opened, { days: 3 }, later)).toEqual({ pruned: [], abandoned: [] });
      expect(await pruneArchives(opened, { days: 1 }, later)).toEqual({ pruned: [second.id], abandoned: [] });
      expect(await listArchives(opened)).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
