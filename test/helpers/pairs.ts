/**
 * Which versions a test file syncs between, and throw-away databases that are dropped after it.
 */
import { afterAll } from "vitest";
import { type FreshDatabase, freshDatabase, type PgMajor, testMajors } from "./pg-servers.js";

/** The newest version in this run as the source and the oldest as the destination (newer to older). */
export function newestToOldest(): { from: PgMajor; to: PgMajor } {
  const majors = testMajors();
  return { from: majors[majors.length - 1] as PgMajor, to: majors[0] as PgMajor };
}

/**
 * Eight ordered pairs in which every version is a source and a destination, in both directions
 * (the CI set); PGSYNC_FULL_MATRIX=1 gives all 25.
 */
const CI_PAIRS: readonly [PgMajor, PgMajor][] = [
  [14, 18],
  [18, 14],
  [15, 17],
  [17, 15],
  [16, 14],
  [14, 16],
  [18, 16],
  [17, 18],
];

export function schemaPairs(): [PgMajor, PgMajor][] {
  const majors = testMajors();
  const all = majors.flatMap((a) => majors.map((b) => [a, b] as [PgMajor, PgMajor]));
  if (process.env.PGSYNC_FULL_MATRIX === "1") return all;
  const chosen = CI_PAIRS.filter(([a, b]) => majors.includes(a) && majors.includes(b));
  return chosen.length > 0 ? chosen : all.slice(0, 2);
}

/** Fresh databases for one test file, all dropped when the file is done. */
export function databasesForThisFile(): (
  major: PgMajor,
  opts?: { owner?: string },
) => Promise<FreshDatabase> {
  const databases: FreshDatabase[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((d) => d.drop()));
  });
  return async (major, opts) => {
    const db = await freshDatabase(major, opts);
    databases.push(db);
    return db;
  };
}
