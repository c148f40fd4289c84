/**
 * Shared steps of the archive tests (test/archive*.test.ts): a source built from the foundation
 * fixture plus test/fixtures/archive-extra.sql, the independent oracle's judgement of a restore,
 * and a throw-away store directory. The catalog of a restore is compared with a reference: the
 * same fixtures built natively on the destination's major (pg_get_viewdef prints differently
 * across majors); its data with the source's.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { catalogFingerprint, dataFingerprint, diffFingerprints, formatDiff } from "../oracle/index.js";
import { loadFixture } from "./fixtures.js";
import { databasesForThisFile } from "./pairs.js";
import { type PgMajor, sharedServer, testMajors, withClient } from "./pg-servers.js";

/** The archive issue's source (17), or the newest of a narrowed run. */
export function archiveSourceMajor(): PgMajor {
  const majors = testMajors();
  return majors.includes(17) ? 17 : (majors[majors.length - 1] as PgMajor);
}

/** The destinations the issue names, 14 and 18, as far as the run has them (else its oldest and newest). */
export function archiveDestinations(): PgMajor[] {
  const majors = testMajors();
  const wanted = ([14, 18] as PgMajor[]).filter((m) => majors.includes(m));
  const chosen = wanted.length > 0 ? wanted : [majors[0] as PgMajor, majors[majors.length - 1] as PgMajor];
  return [...new Set(chosen)];
}

export interface ArchiveDatabases {
  /** A source database loaded with the archive fixtures; superuser URL. */
  source(major: PgMajor): Promise<string>;
  /** The same fixtures built natively on this major: what a restore onto it must read back. */
  reference(major: PgMajor): Promise<string>;
  /** An empty database; superuser URL. */
  empty(major: PgMajor): Promise<string>;
}

export function archiveDatabases(): ArchiveDatabases {
  const fresh = databasesForThisFile();
  const references = new Map<PgMajor, Promise<string>>();
  const loaded = async (major: PgMajor) => {
    const db = await fresh(major);
    const url = sharedServer(major).superuserUrl(db.name);
    await withClient(url, async (c) => {
      await loadFixture(c, "foundation-kinds.sql");
      await loadFixture(c, "archive-extra.sql");
    });
    return url;
  };
  return {
    source: loaded,
    reference(major) {
      let ref = references.get(major);
      if (!ref) {
        ref = loaded(major);
        references.set(major, ref);
      }
      return ref;
    },
    async empty(major) {
      const db = await fresh(major);
      return sharedServer(major).superuserUrl(db.name);
    },
  };
}

async function majorOf(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const r = await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    return Math.floor(Number(r.rows[0]?.v) / 10000);
  });
}

/** The catalog or every row, as the oracle sees them (in one REPEATABLE READ transaction). */
async function fingerprint(url: string, what: "catalog" | "data", peerMajor: number): Promise<string[]> {
  return withClient(url, async (c) => {
    await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    try {
      return what === "catalog"
        ? await catalogFingerprint(c, { peerMajor })
        : await dataFingerprint(c, { peerMajor });
    } finally {
      await c.query("ROLLBACK");
    }
  });
}

/**
 * The oracle's difference ("" when none) between a restore and what it must hold: its catalog
 * against the reference's (built natively on its major), its data against the source's.
 */
export async function oracleDifference(source: string, restored: string, reference: string): Promise<string> {
  const [ms, mr] = [await majorOf(source), await majorOf(restored)];
  const catalog = [await fingerprint(reference, "catalog", ms), await fingerprint(restored, "catalog", ms)];
  const data = [await fingerprint(source, "data", mr), await fingerprint(restored, "data", ms)];
  if ((catalog[0]?.length ?? 0) < 100 || (data[0]?.length ?? 0) < 10)
    return `the fingerprints are too small to judge (${catalog[0]?.length} and ${data[0]?.length} lines)`;
  return [
    formatDiff(diffFingerprints(catalog[0] as string[], catalog[1] as string[])),
    formatDiff(diffFingerprints(data[0] as string[], data[1] as string[])),
  ]
    .filter(Boolean)
    .join("\n");
}

/** A store directory removed after the file. */
export function storeDirectories(): () => Promise<string> {
  const made: string[] = [];
  afterAll(async () => {
    await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), "pgsync-archive-"));
    made.push(dir);
    return dir;
  };
}
