/**
 * The archive's formats: the catalog document round-trips the model of every SQL fixture
 * (introspect, to JSON and back, then plan: the same DDL as planning the introspected model), and
 * the committed format-1 fixture archives (test/fixtures/archive-format-1) restore onto the oldest
 * and newest destinations, identical to their source script built natively there. Every later
 * release must keep restoring them: change the reader, never the fixture.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readArchiveKeyFile } from "../src/archive/encryption.js";
import { contents } from "../src/archive/manifest.js";
import { fromCatalogDocument, toCatalogDocument } from "../src/archive/model-format.js";
import { openArchive } from "../src/archive/open-archive.js";
import { connect } from "../src/db/connect.js";
import { baseSettings, inTransaction } from "../src/db/session.js";
import { planSync } from "../src/ddl/plan.js";
import { introspect, readServerInfo } from "../src/introspect/index.js";
import { restoreArchive } from "../src/pipeline/restore-archive.js";
import { archiveDestinations, archiveSourceMajor } from "./helpers/archive.js";
import { runCli } from "./helpers/cli.js";
import { loadFixture } from "./helpers/fixtures.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { createRole, type PgMajor, sharedServer, withClient } from "./helpers/pg-servers.js";
import { catalogFingerprint, dataFingerprint, diffFingerprints, formatDiff } from "./oracle/index.js";

const fresh = databasesForThisFile();
const FIXTURES = [
  "foundation-kinds.sql",
  "schema-kinds.sql",
  "schema-kinds-extra.sql",
  "type-fidelity.sql",
  "oracle-kinds.sql",
];

describe("the catalog document", () => {
  it.each(FIXTURES)(
    "round-trips the model of %s: the same plan, statement for statement",
    async (fixture) => {
      const major = archiveSourceMajor();
      const db = await fresh(major);
      const url = sharedServer(major).superuserUrl(db.name);
      await Promise.all(
        ["pgsync_fixture_reader", "pgsync_extra_reader", "oracle_grantee"].map((r) =>
          createRole(major, r, { password: "x", login: false }),
        ),
      );
      await withClient(url, (c) => loadFixture(c, fixture));
      const c = await connect({ url, side: "source", connectSeconds: 10 });
      try {
        const model = await inTransaction(c.client, baseSettings(60), async () =>
          introspect(c.client, { withPrivileges: true }, await readServerInfo(c.client)),
        );
        expect(model.tables.length + model.routines.length + model.views.length).toBeGreaterThan(0);
        const text = JSON.stringify(toCatalogDocument(model));
        const read = fromCatalogDocument(contents.shape.catalog.parse(JSON.parse(text)), model.server);
        const options = {
          targetMajor: sharedServer(archiveDestinations()[0] as PgMajor).major,
          stagingPrefix: "_pgsync_stage_0a1b2c3d",
        };
        expect(planSync(read, options)).toEqual(planSync(model, options));
        expect(read).toEqual(JSON.parse(JSON.stringify(model)));
      } finally {
        await c.close();
        // A subscription would block DROP DATABASE; with slot_name = NONE it drops alone.
        await withClient(url, async (x) => {
          await x.query("SET default_transaction_read_only = off");
          for (const name of ["sub", "kx_sub"]) await x.query(`DROP SUBSCRIPTION IF EXISTS ${name}`);
        });
      }
    },
  );

  it("refuses a document with a key this release does not know, naming it", () => {
    const document = { format: 1, objects: { schemas: [{ oid: 1, name: "a", colour: "red" }] } };
    const parsed = contents.shape.catalog.safeParse(document);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(/colour/);
  });
});

const FIXTURE_DIR = fileURLToPath(new URL("./fixtures/archive-format-1/", import.meta.url));
const STORE = `${FIXTURE_DIR}store`;
const PLAIN = "20261201t104932z_c55fabec";
const ENCRYPTED = "20261201t104934z_9fc99509";

describe("the format-1 fixture archives", () => {
  it("verify, file by file and (with the test key) the encrypted manifest", async () => {
    const r = await runCli([
      "archives",
      "--store",
      STORE,
      "--verify",
      "--key-file",
      `${FIXTURE_DIR}test-only.key`,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { archives } = JSON.parse(r.stdout) as { archives: { id: string; verified: boolean }[] };
    expect(archives.map((a) => [a.id, a.verified])).toEqual([
      [PLAIN, true],
      [ENCRYPTED, true],
    ]);
  });

  it.each(
    archiveDestinations().flatMap((to) => [
      [PLAIN, to],
      [ENCRYPTED, to],
    ]) as [string, PgMajor][],
  )("%s restores onto %i identical to its source script built there", async (id, to) => {
    const key = id === ENCRYPTED ? await readArchiveKeyFile(`${FIXTURE_DIR}test-only.key`) : undefined;
    const [destination, reference] = [await fresh(to), await fresh(to)];
    const [dst, ref] = [
      sharedServer(to).superuserUrl(destination.name),
      sharedServer(to).superuserUrl(reference.name),
    ];
    await withClient(ref, (c) => c.query(readFileSync(`${FIXTURE_DIR}source.sql`, "utf8")));
    const archive = await openArchive({ archive: `${STORE}/${id}` }, key);
    try {
      const report = await restoreArchive({
        archive,
        destinationUrl: dst,
        parallelism: 2,
        verify: "checksum",
      });
      expect(report.error).toBeUndefined();
      expect(report.totals.rows).toBe(242);
    } finally {
      await archive.close();
    }
    const fingerprint = (url: string) =>
      withClient(url, async (c) => [...(await catalogFingerprint(c)), ...(await dataFingerprint(c))]);
    const [expected, actual] = [await fingerprint(ref), await fingerprint(dst)];
    expect(expected.length).toBeGreaterThan(100);
    expect(formatDiff(diffFingerprints(expected, actual))).toBe("");
  });
});
