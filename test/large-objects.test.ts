/**
 * Large objects (pg_largeobject): carried exactly with their OIDs by a run of the whole database,
 * kept in the run's snapshot and brought back by rollback, dropped with the snapshot by retention,
 * never half-written by a failed run, checked by `verify`, and left alone by a run of selected
 * schemas. Contents are compared with SQL of the test's own (sha256 of each whole object), not with
 * the tool's digests.
 */

import { describe, expect, it } from "vitest";
import { LARGE_OBJECT_CHUNK } from "../src/introspect/queries/large-objects.js";
import { formatRunReport } from "../src/output/format.js";
import { runSync } from "../src/pipeline/run.js";
import { listSnapshots } from "../src/restore/meta.js";
import { pruneSnapshots } from "../src/restore/retention.js";
import { rollback } from "../src/restore/rollback.js";
import { verifyDatabases } from "../src/verify/compare.js";
import { runCli } from "./helpers/cli.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import {
  createRole,
  type FreshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import { toolSchemas } from "./helpers/safety-cli.js";

const fresh = databasesForThisFile();
const majors = testMajors();
const oldest = majors[0] as PgMajor;
const newest = majors[majors.length - 1] as PgMajor;
/** Older to newer, newer to older, and the same version. */
const PAIRS: [PgMajor, PgMajor][] =
  oldest === newest
    ? [[oldest, newest]]
    : [
        [oldest, newest],
        [newest, oldest],
        [newest, newest],
      ];

/** Bigger than three chunks, and not a multiple of the chunk size. */
const BIG = LARGE_OBJECT_CHUNK * 3 + 12_345;

/**
 * A table whose oid column points at three large objects: an empty one, one holding every byte
 * value (zero included), and a big one of non-repeating bytes.
 */
const SOURCE = `
CREATE TABLE docs (id int PRIMARY KEY, name text NOT NULL, body oid NOT NULL);
INSERT INTO docs VALUES
  (1, 'empty', lo_create(0)),
  (2, 'bytes', lo_from_bytea(0, (SELECT decode(string_agg(lpad(to_hex(b), 2, '0'), '' ORDER BY b), 'hex')
                                 FROM generate_series(0, 255) b))),
  (3, 'big', lo_from_bytea(0, (SELECT substring(string_agg(sha256(g::text::bytea), ''::bytea ORDER BY g) FROM 1 FOR ${BIG})
                               FROM generate_series(1, ${Math.ceil(BIG / 32)}) g)));`;

interface LargeObjectState {
  oid: number;
  size: number;
  sha256: string;
  owner: string;
  acl: string | null;
}

/** Every large object of a database: OID, size, content hash, owner and ACL. */
async function largeObjects(url: string): Promise<LargeObjectState[]> {
  return withClient(url, async (c) => {
    const r = await c.query(
      `SELECT m.oid::int AS oid, length(lo_get(m.oid)) AS size, encode(sha256(lo_get(m.oid)), 'hex') AS sha256,
              pg_get_userbyid(m.lomowner) AS owner, m.lomacl::text AS acl
       FROM pg_largeobject_metadata m ORDER BY m.oid`,
    );
    return r.rows as LargeObjectState[];
  });
}

const content = (los: LargeObjectState[]) => los.map(({ oid, size, sha256 }) => ({ oid, size, sha256 }));

async function query<T>(url: string, sql: string): Promise<T[]> {
  return withClient(url, async (c) => (await c.query(sql)).rows as T[]);
}

/** Large objects of the destination's own, one of them with grants and one with a source's OID. */
async function destinationObjects(destination: FreshDatabase, takenOid: number): Promise<void> {
  await withClient(destination.url, (c) =>
    c.query(`
      SELECT lo_from_bytea(${takenOid}, 'the destination''s own object with a source OID');
      SELECT lo_from_bytea(0, 'another object of the destination');
      GRANT SELECT ON LARGE OBJECT ${takenOid} TO PUBLIC;`),
  );
}

async function sourceWithObjects(major: PgMajor): Promise<FreshDatabase> {
  const source = await fresh(major);
  await withClient(source.url, (c) => c.query(SOURCE));
  return source;
}

describe.each(PAIRS)("large objects from PostgreSQL %i to %i", (from, to) => {
  it("arrive exactly, with their OIDs, and the table's oid column still points at them", async () => {
    const source = await sourceWithObjects(from);
    const destination = await fresh(to);
    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(report.error).toBeUndefined();
    expect(report.largeObjects).toEqual({ carried: 3, bytes: 256 + BIG, replaced: 0 });
    expect(report.verification?.method).toBe("row counts, large object digests");
    const summary = formatRunReport(report);
    expect(summary).toContain("large obj.   3 large objects");
    expect(summary).toMatch(
      /verified {5}row counts, large object digests: match for \d+ tables and 3 large objects/,
    );
    expect(report.notCarried.filter((n) => n.kind.includes("large object"))).toEqual([]);

    const before = await largeObjects(source.url);
    expect(before.map((o) => o.size)).toEqual([0, 256, BIG]);
    const after = await largeObjects(destination.url);
    expect(content(after)).toEqual(content(before));
    // Each row's oid reaches the object with the same content as on the source.
    const pointed = `SELECT d.name, length(lo_get(d.body)) AS size, encode(sha256(lo_get(d.body)), 'hex') AS sha256
                     FROM docs d ORDER BY d.id`;
    expect(await query(destination.url, pointed)).toEqual(await query(source.url, pointed));
    expect(await toolSchemas(destination.url, "_pgsync_stage")).toEqual([]);
  });

  it("replace the destination's own; rollback brings those back exactly, and a second rollback the source's", async () => {
    const source = await sourceWithObjects(from);
    const destination = await fresh(to);
    const sourceObjects = await largeObjects(source.url);
    await destinationObjects(destination, (sourceObjects[1] as LargeObjectState).oid);
    const original = await largeObjects(destination.url);
    expect(original).toHaveLength(2);

    // The destination's own large objects make it non-empty: the run adopts it once, with force.
    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url, force: true });
    expect(report.error).toBeUndefined();
    expect(report.largeObjects?.replaced).toBe(2);
    const synced = await largeObjects(destination.url);
    expect(content(synced)).toEqual(content(sourceObjects));
    const [snapshot] = await withClient(destination.url, (c) => listSnapshots(c));
    expect(snapshot?.largeObjects).toEqual({ objects: 2, bytes: original.reduce((n, o) => n + o.size, 0) });

    const undo = await rollback({ destinationUrl: destination.url });
    expect(undo.largeObjects).toEqual({ restored: 2, replaced: 3 });
    // Content, OIDs, owners and grants: exactly the destination's own again.
    expect(await largeObjects(destination.url)).toEqual(original);

    const redo = await rollback({ destinationUrl: destination.url });
    expect(redo.largeObjects).toEqual({ restored: 3, replaced: 2 });
    expect(await largeObjects(destination.url)).toEqual(synced);
  });
});

describe(`large objects, PostgreSQL ${newest} to ${oldest}`, () => {
  it.each(["before:verify", "cutover:before-commit"] as const)(
    "a run that fails at %s leaves the destination's large objects as they were, and no staging",
    async (point) => {
      const source = await sourceWithObjects(newest);
      const destination = await fresh(oldest);
      await destinationObjects(destination, (await largeObjects(source.url))[0]?.oid as number);
      const before = await largeObjects(destination.url);
      const report = await runSync({
        sourceUrl: source.url,
        destinationUrl: destination.url,
        force: true,
        faultHook: (p) => {
          if (p === point) throw new Error(`injected at ${p}`);
        },
      });
      expect(report.ok).toBe(false);
      expect(report.error?.message).toBe(`injected at ${point}`);
      // Staged before the failure: the copy step ran.
      expect(report.steps.find((s) => s.name === "copy-data")?.status).toBe("done");
      expect(await largeObjects(destination.url)).toEqual(before);
      expect(await toolSchemas(destination.url, "_pgsync_stage")).toEqual([]);
      expect(await query(destination.url, "SELECT * FROM _pgsync.large_objects")).toEqual([]);
    },
  );

  it("the run's verification compares the staged content with the source's, naming the object", async () => {
    const source = await sourceWithObjects(newest);
    const destination = await fresh(oldest);
    const [, bytes] = (await largeObjects(source.url)).map((o) => o.oid);
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      // Between the copy and the verification, one staged byte changes.
      faultHook: async (p) => {
        if (p !== "before:verify") return;
        const stage = (await toolSchemas(destination.url, "_pgsync_stage")).find((s) => s.endsWith("_lo"));
        await query(
          destination.url,
          `UPDATE "${stage}".chunks SET data = overlay(data placing '\\x2a' from 3) WHERE loid = ${bytes}`,
        );
      },
    });
    expect(report.error?.message, JSON.stringify(report.error)).toContain("verification failed");
    expect(report.error?.kind).toBe("verify");
    expect(report.verification?.mismatches).toEqual([
      expect.stringMatching(
        new RegExp(
          `^large object ${bytes}: content digest differs: source [0-9a-f]{32}; destination [0-9a-f]{32}$`,
        ),
      ),
    ]);
    expect(await largeObjects(destination.url)).toEqual([]);
  });

  it("retention pruning a snapshot removes the large objects it kept", async () => {
    const source = await sourceWithObjects(newest);
    const destination = await fresh(oldest);
    await destinationObjects(destination, 1);
    const first = await runSync({ sourceUrl: source.url, destinationUrl: destination.url, force: true });
    expect(first.error).toBeUndefined();
    const second = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(second.error).toBeUndefined();
    const kept = (id: string | undefined) =>
      query<{ objects: number; chunks: number }>(
        destination.url,
        `SELECT (SELECT count(*)::int FROM _pgsync.large_objects WHERE snapshot_id = '${id}') AS objects,
                (SELECT count(*)::int FROM _pgsync.large_object_chunks WHERE snapshot_id = '${id}') AS chunks`,
      );
    // The first snapshot kept the destination's two objects, the second the three the first run wrote.
    expect(await kept(first.snapshot?.id)).toEqual([{ objects: 2, chunks: 2 }]);
    expect(await kept(second.snapshot?.id)).toEqual([{ objects: 3, chunks: 5 }]);

    const pruned = await withClient(destination.url, (c) => pruneSnapshots(c, { days: 365, count: 1 }));
    expect(pruned.pruned.map((s) => s.snapshotId)).toEqual([first.snapshot?.id]);
    expect(await kept(first.snapshot?.id)).toEqual([{ objects: 0, chunks: 0 }]);
    expect(await kept(second.snapshot?.id)).toEqual([{ objects: 3, chunks: 5 }]);
    expect(
      await query(
        destination.url,
        `SELECT snapshot_id FROM _pgsync.large_object_snapshots WHERE snapshot_id = '${first.snapshot?.id}'`,
      ),
    ).toEqual([]);
  });

  it("verify catches a changed byte, a missing and an extra large object, naming each OID", async () => {
    const source = await sourceWithObjects(newest);
    const destination = await fresh(oldest);
    // Through the command line, whose summary counts them.
    const run = await runCli(["run", "--from", source.url, "--to", destination.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("  large obj.   3 large objects, 3.2 MB\n");
    const identical = await verifyDatabases({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(identical.outcome).toBe("identical");
    expect(identical.largeObjects).toEqual({ source: 3, destination: 3, differences: [] });

    const [, bytes, big] = (await largeObjects(source.url)).map((o) => o.oid);
    const extra = (big as number) + 1000;
    // One byte in the third chunk of the big object, changed to another value.
    const at = LARGE_OBJECT_CHUNK * 2 + 7;
    await withClient(destination.url, (c) =>
      c.query(`
        SELECT lo_put(${big}, ${at}, set_byte('\\x00'::bytea, 0, (get_byte(lo_get(${big}, ${at}, 1), 0) + 1) % 256));
        SELECT lo_unlink(${bytes});
        SELECT lo_create(${extra});`),
    );
    const different = await verifyDatabases({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(different.outcome).toBe("different");
    expect(different.largeObjects?.differences).toEqual([
      `large object ${bytes}: missing on the destination`,
      expect.stringMatching(
        new RegExp(
          `^large object ${big}: content digest differs: source [0-9a-f]{32}; destination [0-9a-f]{32}$`,
        ),
      ),
      `large object ${extra}: exists only on the destination`,
    ]);
    // The row counts method still sees the missing and the extra one (not the changed byte).
    const counts = await verifyDatabases({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      method: "counts",
    });
    expect(counts.largeObjects?.differences).toEqual([
      `large object ${bytes}: missing on the destination`,
      `large object ${extra}: exists only on the destination`,
    ]);

    const cli = await runCli(["verify", "--from", source.url, "--to", destination.url]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`  DIFF large object ${bytes}: missing on the destination`);
  });

  it("a run of selected schemas leaves the destination's large objects alone and reports the source's", async () => {
    const source = await sourceWithObjects(newest);
    const destination = await fresh(oldest);
    await destinationObjects(destination, 1);
    const before = await largeObjects(destination.url);
    const oids = (await largeObjects(source.url)).map((o) => o.oid);
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      schemas: ["public"],
    });
    expect(report.error).toBeUndefined();
    expect(report.largeObjects).toBeUndefined();
    expect(report.notCarried).toContainEqual({
      kind: "3 large objects",
      identity: oids.join(", "),
      holdsRows: false,
      reason: "database-wide; this run syncs selected schemas",
    });
    expect(await largeObjects(destination.url)).toEqual(before);
    expect(await query(destination.url, "SELECT count(*)::int AS n FROM docs")).toEqual([{ n: 3 }]);
    // Its snapshot kept no large objects, so rolling it back leaves them alone too.
    const undo = await rollback({ destinationUrl: destination.url });
    expect(undo.largeObjects).toBeUndefined();
    expect(await largeObjects(destination.url)).toEqual(before);
  });

  it("a source role that may not read a large object is refused, naming the object and the privilege", async () => {
    const source = await sourceWithObjects(newest);
    const destination = await fresh(oldest);
    const reader = await createRole(newest, "lo_reader", { password: "reader-Pa55" });
    const [empty, bytes, big] = (await largeObjects(source.url)).map((o) => o.oid);
    // It may read the table and two of the three objects.
    await withClient(source.url, (c) =>
      c.query(`GRANT SELECT ON docs TO lo_reader; GRANT SELECT ON LARGE OBJECT ${big} TO lo_reader;
               GRANT SELECT ON LARGE OBJECT ${empty} TO lo_reader;`),
    );
    const report = await runSync({
      sourceUrl: source.urlAs(reader.name, reader.password),
      destinationUrl: destination.url,
    });
    expect(report.error?.kind).toBe("guard");
    expect(String(report.error?.message)).toContain(
      `source large object ${bytes}: the SELECT privilege on it is missing`,
    );
    expect(String(report.error?.message)).not.toContain(`large object ${big}:`);
    expect(await largeObjects(destination.url)).toEqual([]);
    expect(await toolSchemas(destination.url, "_pgsync")).toEqual([]);
  });

  it("with privileges, owners and grants are carried to roles that exist on the destination", async () => {
    await createRole(newest, "lo_app", { password: "app-Pa55", login: false });
    await createRole(oldest, "lo_app", { password: "app-Pa55", login: false });
    const source = await sourceWithObjects(newest);
    const [empty, bytes] = (await largeObjects(source.url)).map((o) => o.oid);
    await withClient(source.url, (c) =>
      c.query(
        `ALTER LARGE OBJECT ${empty} OWNER TO lo_app; GRANT SELECT ON LARGE OBJECT ${bytes} TO PUBLIC;`,
      ),
    );
    const destination = await fresh(oldest);
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      includePrivileges: true,
    });
    expect(report.error).toBeUndefined();
    const pick = (los: LargeObjectState[]) => los.map(({ oid, owner, acl }) => ({ oid, owner, acl }));
    const expected = pick(await largeObjects(source.url));
    expect(expected[0]?.owner).toBe("lo_app");
    expect(pick(await largeObjects(destination.url))).toEqual(expected);
  });
});
