import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planSync } from "../src/ddl/plan.js";
import { introspect } from "../src/introspect/index.js";
import type { CatalogModel } from "../src/introspect/model.js";
import { type RunReport, runSync } from "../src/pipeline/run.js";
import {
  compareWithOracle,
  EXTENSION_VERSIONS,
  ICU_LOCALE_COLUMNS,
  NOT_CARRIED_CLASSES,
} from "./helpers/oracle-compare.js";
import { schemaPairs } from "./helpers/pairs.js";
import {
  createRole,
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  sharedServer,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const FIXTURE = readFileSync(new URL("./fixtures/schema-kinds-extra.sql", import.meta.url), "utf8");

const databases: FreshDatabase[] = [];
beforeAll(async () => {
  // The fixture sets a setting for this role in the source database (reported, not copied).
  await Promise.all(
    testMajors().map((m) => createRole(m, "pgsync_extra_reader", { password: "x", login: false })),
  );
});
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

async function modelOf(url: string): Promise<CatalogModel> {
  return withClient(url, async (c) => {
    await c.query("BEGIN; SET LOCAL search_path = pg_catalog");
    try {
      return await introspect(c);
    } finally {
      await c.query("ROLLBACK");
    }
  });
}

async function databaseSettingsOf(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query<{ s: string }>(
      `SELECT unnest(setconfig) AS s FROM pg_db_role_setting d JOIN pg_database b ON b.oid = d.setdatabase
       WHERE b.datname = current_database() AND d.setrole = 0 ORDER BY 1`,
    );
    return r.rows.map((row) => row.s);
  });
}

const NOT_CARRIED = [
  {
    kind: "event trigger",
    identity: "kx_ddl_watch",
    holdsRows: false,
    reason:
      "event triggers are database-wide and fire on every DDL statement, the sync's own included; create them on the destination by hand",
  },
  {
    kind: "publication",
    identity: "kx_pub",
    holdsRows: false,
    reason:
      "publications configure logical replication from the source; create them on the destination if it should publish",
  },
  {
    kind: "role setting",
    identity: "pgsync_extra_reader: work_mem",
    holdsRows: false,
    reason: "settings for one role are not copied: the destination's roles differ",
  },
  {
    kind: "subscription",
    identity: "kx_sub",
    holdsRows: false,
    reason:
      "a subscription would start replicating into the destination from another server; create it there by hand",
  },
  {
    kind: "user mapping",
    identity: "postgres on server kx_remote",
    holdsRows: false,
    reason:
      "user mappings hold credentials for a foreign server, and the destination's roles differ; foreign tables are copied without them",
  },
];

function expectCleanRun(report: RunReport): void {
  expect(report.error).toBeUndefined();
  expect(report.ok).toBe(true);
  expect(report.notCarried).toEqual(NOT_CARRIED);
  // Neither the user mapping's nor the subscription's password reaches the report.
  const text = JSON.stringify(report);
  expect(text).not.toContain("secret-not-shown");
  // Foreign tables hold no rows of their own: nothing is copied into them.
  expect(report.tables.map((t) => t.table)).not.toContain('"kx"."remote_things"');
}

/**
 * Always as a superuser, also when the suite runs as an owner role (PGSYNC_TEST_ROLES=owner): only a
 * superuser can create operator classes and families, the file_fdw and postgres_fdw extensions,
 * event triggers, subscriptions and settings for a role, on either side.
 */
async function superuserDatabase(major: PgMajor): Promise<FreshDatabase> {
  const db = await freshDatabase(major);
  databases.push(db);
  return { ...db, url: sharedServer(major).superuserUrl(db.name) };
}

describe.each(schemaPairs())("schema fidelity, extra kinds %i -> %i", (from, to) => {
  it("carries collations, statistics, rules, text search, casts, operators, foreign tables and settings", async () => {
    const source = await superuserDatabase(from);
    const destination = await superuserDatabase(to);
    await withClient(source.url, (c) => c.query(FIXTURE));
    const onSource = (sql: string) =>
      withClient(source.url, async (c) => {
        // (The fixture made new sessions of the source read-only by default.)
        await c.query("SET default_transaction_read_only = off");
        await c.query(sql);
      });
    // A parameter that 14-16 do not have: skipped for those destinations, carried to 17 and later.
    if (from >= 17) await onSource(`ALTER DATABASE "${source.name}" SET transaction_timeout = '10min'`);
    // Objects that exist on some versions only: created before the runs where the destination can
    // hold them, and after them otherwise, to check that the plan refuses them.
    const versioned = versionedObjects(from, to);
    for (const v of versioned.filter((o) => o.fits)) await onSource(v.sql);
    try {
      // Every database setting of the fixture is carried (by default only the safe ones are: src/sql/settings-policy.ts).
      const report = await runSync({
        sourceUrl: source.url,
        destinationUrl: destination.url,
        parallelism: 2,
        copyDatabaseSettings: true,
      });
      expectCleanRun(report);
      const sourceModel = await modelOf(source.url);
      await expectSameSchema(source.url, destination.url, from, to);
      await expectObjectsWork(destination.url, from < 17 && to < 17);

      // The plan names what it leaves out (given the destination's parameters, as a run passes them).
      const known = await withClient(destination.url, async (c) =>
        (await c.query<{ name: string }>("SELECT name FROM pg_settings")).rows.map((r) => r.name),
      );
      const plan = planSync(sourceModel, {
        targetMajor: to,
        stagingPrefix: "_pgsync_stage_test",
        destinationSettings: new Set(known),
        copyDatabaseSettings: true,
      });
      expect(plan.refusals).toEqual([]);
      expect(plan.warnings).toEqual([
        "database setting default_transaction_read_only was not copied: it would make the destination read-only, and the next sync would be refused",
        "database setting pgsync.role was not copied: it is pgsync-ts's own marker (pgsync.role marks a production database), which belongs to each database",
        ...(from >= 17 && to < 17
          ? [
              `database setting transaction_timeout was not copied: PostgreSQL ${to} does not have this parameter`,
            ]
          : []),
      ]);
      // ANALYZE of a parent samples its foreign children through their wrapper: the plan leaves those parents out.
      expect(
        plan.tables
          .filter((t) => !t.analyze)
          .map((t) => t.table.name)
          .sort(),
      ).toEqual(["base_items", "measurements"]);

      // A second run replaces what the first created (the cut-over moves every kind out to the
      // snapshot and the new copy in), with the servers left as they are.
      const again = await runSync({
        sourceUrl: source.url,
        destinationUrl: destination.url,
        parallelism: 2,
        copyDatabaseSettings: true,
      });
      expectCleanRun(again);
      await expectSameSchema(source.url, destination.url, from, to);
      await expectObjectsWork(destination.url, from < 17 && to < 17);
      const snapshotKinds = await withClient(destination.url, async (c) => {
        const r = await c.query<{ kind: string }>(
          `SELECT DISTINCT i.type AS kind
           FROM (SELECT 'pg_collation'::regclass AS cls, oid, collnamespace AS ns FROM pg_collation
                 UNION ALL SELECT 'pg_operator'::regclass, oid, oprnamespace FROM pg_operator
                 UNION ALL SELECT 'pg_opclass'::regclass, oid, opcnamespace FROM pg_opclass
                 UNION ALL SELECT 'pg_opfamily'::regclass, oid, opfnamespace FROM pg_opfamily
                 UNION ALL SELECT 'pg_ts_config'::regclass, oid, cfgnamespace FROM pg_ts_config
                 UNION ALL SELECT 'pg_ts_dict'::regclass, oid, dictnamespace FROM pg_ts_dict
                 UNION ALL SELECT 'pg_statistic_ext'::regclass, oid, stxnamespace FROM pg_statistic_ext
                 UNION ALL SELECT 'pg_class'::regclass, oid, relnamespace FROM pg_class WHERE relkind = 'f') o
           JOIN pg_namespace n ON n.oid = o.ns AND n.nspname LIKE '\\_pgsync\\_snap\\_%'
           CROSS JOIN LATERAL pg_identify_object(o.cls, o.oid, 0) i ORDER BY 1`,
        );
        return r.rows.map((row) => row.kind);
      });
      expect(snapshotKinds).toEqual([
        "collation",
        "foreign table",
        "operator",
        "operator class",
        "operator family",
        "statistics object",
        "text search configuration",
        "text search dictionary",
      ]);

      const unfit = versioned.filter((o) => !o.fits);
      for (const v of unfit) await onSource(v.sql);
      const refused = planSync(await modelOf(source.url), {
        targetMajor: to,
        stagingPrefix: "_pgsync_stage_test",
      });
      expect(refused.refusals).toEqual(unfit.map((v) => v.refusal));
    } finally {
      // A database with a subscription cannot be dropped.
      await withClient(source.url, async (c) => {
        await c.query("SET default_transaction_read_only = off");
        await c.query("DROP SUBSCRIPTION IF EXISTS kx_sub");
      });
    }
  });
});

/**
 * The independent oracle (test/oracle) finds the destination's catalog and rows the same as the
 * source's, apart from what a run reports and does not carry, extension versions between majors,
 * where 14 keeps an ICU collation's locale, and the settings the destination cannot hold (skipped
 * with a warning, checked in the run).
 */
async function expectSameSchema(sourceUrl: string, url: string, from: number, to: number) {
  const skipped = new Set(to < 17 ? ["transaction_timeout"] : []);
  const oracle = await compareWithOracle(sourceUrl, url, {
    documented: [NOT_CARRIED_CLASSES, EXTENSION_VERSIONS, ICU_LOCALE_COLUMNS],
    withholdSettings: (name) => skipped.has(name),
  });
  expect(oracle.unexpected).toBe("");
  expect(oracle.destinationLines.filter((l) => l.startsWith("data.content\t")).length).toBeGreaterThan(5);
  expect(oracle.destinationLines).toContainEqual(
    expect.stringMatching(/^data\.row-count\tkx\.documents\t\t40$/),
  );
  const destinationModel = await modelOf(url);
  // Not vacuous: every kind of the fixture is there, with its details.
  const m = destinationModel;
  expect(m.collations.map((c) => [c.name, c.provider, c.deterministic, c.locale ?? c.lcCtype])).toEqual([
    ["C Split", "libc", true, "C.utf8"],
    ...(from >= 17 && to >= 17 ? [["builtin_c", "builtin", true, "C"]] : []),
    ["case_insensitive", "icu", false, "und-u-ks-level2"],
    ["german", "icu", true, "de-DE"],
    ["posix_copy", "libc", true, "POSIX"],
    ...(from >= 16 && to >= 16 ? [["tailored", "icu", true, "und"]] : []),
  ]);
  expect(m.collations.find((c) => c.name === "tailored")?.icuRules).toBe(
    from >= 16 && to >= 16 ? "&b < a" : undefined,
  );
  expect(m.statistics.map((s) => [s.name, s.target ?? null])).toEqual([
    ["Label Expr Stats", null],
    ["documents_all_stats", 500],
    ["documents_rank_stats", null],
  ]);
  expect(m.rules.map((r) => `${r.table.name}.${r.name}:${r.state}`)).toEqual([
    "archive.archive_disabled:disabled",
    "archive.archive_no_delete:origin",
    "archive.archive_replica:replica",
    "audit_log.audit_always:always",
    "documents.documents_log_insert:origin",
    "newer_documents.newer_documents_update:origin",
  ]);
  expect(m.textSearchDictionaries.map((d) => [d.name, d.template.name, d.options ?? null])).toEqual([
    ["Synonyms", "synonym", "synonyms = 'synonym_sample'"],
    ["english_stem_nostop", "snowball", "language = 'english'"],
    ["short_ints", "intdict_template", "maxlen = 3, rejectlong = 'true'"],
    ["simple_stop", "simple", "stopwords = 'english', accept = 'false'"],
  ]);
  const docs = m.textSearchConfigurations.find((c) => c.name === "docs");
  expect(docs?.mappings.find((x) => x.tokenType === "asciiword")?.dictionaries.map((d) => d.name)).toEqual([
    "Synonyms",
    "simple_stop",
    "english_stem_nostop",
  ]);
  expect(m.textSearchConfigurations.find((c) => c.name === "Copy Of English")?.mappings).toHaveLength(19);
  expect(m.casts.map((c) => `${c.source} -> ${c.target} ${c.method} ${c.context}`).sort()).toEqual([
    '"Extra Kinds".money_pair -> bigint function assignment',
    "kx.code -> text inout implicit",
    ...(from < 17 && to < 17 ? ["kx.intspan -> bytea binary explicit"] : []),
    "kx.tag -> kx.code inout explicit",
  ]);
  expect(m.operators).toHaveLength(9);
  const lt = m.operators.find((o) => o.name === "<#");
  expect([lt?.commutator?.name, lt?.negator?.name, lt?.restrict, lt?.join]).toEqual([
    ">#",
    ">=#",
    "scalarltsel",
    "scalarltjoinsel",
  ]);
  expect(m.operators.find((o) => o.name === "=#")).toMatchObject({ hashes: true, merges: true });
  expect(m.operators.find((o) => o.name === "@@")?.left).toBeUndefined();
  expect(m.operatorClasses.map((c) => [c.name, c.method, c.isDefault, c.family.name])).toEqual([
    ["int_desc_ops", "btree", false, "int_desc_family"],
    ["version_hash_ops", "hash", true, "Version Hash"],
    ["version_ops", "btree", true, "version_ops"],
  ]);
  const loose = m.operatorFamilies.find((f) => f.name === "int_desc_family");
  expect(loose?.operators.map((o) => `${o.strategy} ${o.operator.name}(${o.left},${o.right})`)).toEqual([
    "3 =(integer,bigint)",
  ]);
  expect(loose?.functions.map((f) => f.function)).toEqual(["kx.int_bigint_desc_cmp(integer,bigint)"]);
  expect(m.foreignServers.map((s) => [s.name, s.wrapper, s.options])).toEqual([
    ["KX Files", "file_fdw", []],
    ["kx_remote", "postgres_fdw", ["host=127.0.0.1", "port=1", "dbname=nowhere", "fetch_size=500"]],
  ]);
  expect(
    m.foreignTables.map((f) => [f.name, f.server, f.partitionOf?.parent.name ?? f.inherits[0]?.name ?? null]),
  ).toEqual([
    ["CSV Feed", "KX Files", null],
    ["measurements_old", "KX Files", "measurements"],
    ["remote_items", "KX Files", "base_items"],
    ["remote_things", "kx_remote", null],
  ]);
  expect(m.foreignTables.find((f) => f.name === "remote_things")?.columnOptions).toEqual([
    { column: "id", options: ["column_name=thing_id"] },
  ]);
  expect(m.triggers.map((t) => t.name)).toContain("remote_things_audit");
  expect(m.constraints.map((c) => c.name)).toContain("remote_things_id_check");
  // (PostgreSQL 14's public schema carries a comment of its own.)
  expect(
    m.comments
      .map((c) => c.kind)
      .filter((k) => k !== "schema")
      .sort(),
  ).toEqual([
    "cast",
    "collation",
    "foreign table",
    "foreign table column",
    "operator",
    "operator class",
    "operator family",
    "rule",
    "statistics object",
    "text search configuration",
    "text search dictionary",
  ]);
  // The settings as the destination database holds them (list elements quoted one by one).
  expect(await databaseSettingsOf(url)).toEqual([
    "DateStyle=SQL, DMY",
    "default_text_search_config=kx.docs",
    "kx.greeting=it's, fine",
    'search_path=kx, "Extra Kinds", "$user", public',
    "statement_timeout=90s",
    ...(from >= 17 && to >= 17 ? ["transaction_timeout=10min"] : []),
    "work_mem=12MB",
  ]);
}

/** The objects do what they did on the source, pointing at live objects (not staging or snapshot ones). */
async function expectObjectsWork(url: string, binaryCast: boolean) {
  await withClient(url, async (c) => {
    await c.query("SET search_path = pg_catalog");
    const collations = await c.query(
      `SELECT 'abc' = 'ABC' COLLATE kx.case_insensitive AS equal,
              (SELECT string_agg("Label", ',' ORDER BY "Label") FROM "Extra Kinds".labels) AS c_order,
              (SELECT string_agg(x, ',' ORDER BY x COLLATE kx.german) FROM unnest(ARRAY['b', 'Ä', 'a']) x) AS german_order`,
    );
    expect(collations.rows[0]).toEqual({ equal: true, c_order: "B,a,Ä", german_order: "a,Ä,b" });
    const operators = await c.query(
      `SELECT ROW(1, 2)::"Extra Kinds".version OPERATOR(kx.<#) ROW(1, 3)::"Extra Kinds".version AS lt,
              OPERATOR(kx.@@) ROW(7, 1)::"Extra Kinds".version AS major,
              (SELECT string_agg(v::text, ' ' ORDER BY v USING OPERATOR(kx.<#)) FROM unnest(ARRAY[ROW(2, 0), ROW(1, 5), ROW(1, 2)]::"Extra Kinds".version[]) v) AS sorted,
              (SELECT string_agg(x::text, ',' ORDER BY x USING OPERATOR(kx.>>>)) FROM unnest(ARRAY[1, 3, 2]) x) AS desc_order`,
    );
    expect(operators.rows[0]).toEqual({
      lt: true,
      major: 7,
      sorted: "(1,2) (1,5) (2,0)",
      desc_order: "3,2,1",
    });
    const casts = await c.query(
      `SELECT ROW(1.5, 'EUR')::"Extra Kinds".money_pair::bigint AS cents, 'a'::kx.tag::kx.code::text AS code,
              pg_catalog.length('b'::kx.code) AS implicit_to_text,
              (SELECT castmethod FROM pg_cast WHERE castsource = 'kx.intspan'::regtype AND casttarget = 'bytea'::regtype) AS binary`,
    );
    expect(casts.rows[0]).toEqual({
      cents: "150",
      code: "a",
      implicit_to_text: 1,
      binary: binaryCast ? "b" : null,
    });
    const search = await c.query(
      `SELECT pg_catalog.to_tsvector('kx.docs', 'The foxes jumped 12345 1') AS v,
              pg_catalog.current_setting('default_text_search_config') AS cfg`,
    );
    // Stop word dropped, "foxes" stemmed after two dictionaries passed it on, 12345 rejected as too long.
    expect(search.rows[0]).toEqual({ v: "'1':5 'fox':2 'jump':3", cfg: "kx.docs" });
    // The statistics objects were created before ANALYZE, which built them.
    const built = await c.query<{ name: string }>(
      `SELECT s.stxname AS name FROM pg_statistic_ext s JOIN pg_statistic_ext_data d ON d.stxoid = s.oid
       JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE n.nspname NOT LIKE '\\_pgsync%' ORDER BY 1`,
    );
    expect(built.rows.map((r) => r.name)).toEqual([
      "Label Expr Stats",
      "documents_all_stats",
      "documents_rank_stats",
    ]);
    // Rules act: an insert is logged, a delete from the archive does nothing.
    await c.query("BEGIN");
    await c.query(
      `INSERT INTO kx.documents (id, title, version) VALUES (1000, 'new', ROW(9, 9)); DELETE FROM kx.archive`,
    );
    const ruled = await c.query(
      `SELECT (SELECT count(*) FROM kx.audit_log WHERE doc_id = 1000)::int AS logged, (SELECT count(*) FROM kx.archive)::int AS archived`,
    );
    await c.query("ROLLBACK");
    expect(ruled.rows[0]).toEqual({ logged: 1, archived: 2 });
    // A foreign table reads through its wrapper (an empty file here).
    const feed = await c.query(`SELECT count(*)::int AS n FROM "Extra Kinds"."CSV Feed"`);
    expect(feed.rows[0]).toEqual({ n: 0 });
    // No live object depends on an object in a staging or snapshot schema (after the second run,
    // the snapshot holds the previous copy of every kind).
    const stray = await c.query<{ what: string }>(
      `SELECT pg_describe_object(d.classid, d.objid, d.objsubid) || ' -> ' || pg_describe_object(d.refclassid, d.refobjid, 0) AS what
       FROM pg_depend d
       CROSS JOIN LATERAL pg_identify_object(d.refclassid, d.refobjid, 0) ref
       CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, 0) dep
       WHERE d.objid >= 16384 AND ref.schema LIKE '\\_pgsync\\_s%'
         AND coalesce(dep.schema, '') NOT LIKE '\\_pgsync%' AND coalesce(dep.schema, '') <> 'pg_toast'
         AND pg_describe_object(d.classid, d.objid, d.objsubid) NOT LIKE '%\\_pgsync\\_s%'`,
    );
    expect(stray.rows).toEqual([]);
  });
}

/**
 * Objects that only some versions have, for a pair: on the source when `from` has them, and `fits`
 * when `to` can hold them too; otherwise the plan refuses them with `refusal`.
 */
function versionedObjects(from: number, to: number) {
  const all = [
    {
      since: 16,
      sql: "CREATE COLLATION kx.tailored (provider = icu, locale = 'und', rules = '&b < a')",
      fits: to >= 16,
      refusal: {
        object: 'collation "kx"."tailored"',
        reason: "ICU tailoring rules (CREATE COLLATION ... rules) needs PostgreSQL 16 or later",
      },
    },
    {
      since: 17,
      sql: "CREATE COLLATION kx.builtin_c (provider = builtin, locale = 'C')",
      fits: to >= 17,
      refusal: {
        object: 'collation "kx"."builtin_c"',
        reason: "the builtin collation provider needs PostgreSQL 17 or later",
      },
    },
    {
      // 14-16 accept a binary-coercible cast of a range type; 17 refuses it.
      since: 14,
      until: 16,
      sql: "CREATE CAST (kx.intspan AS bytea) WITHOUT FUNCTION",
      fits: to < 17,
      refusal: {
        object: "cast (kx.intspan AS bytea)",
        reason: "PostgreSQL 17 and later refuse binary-coercible casts of range types (WITHOUT FUNCTION)",
      },
    },
  ];
  return all.filter((o) => from >= o.since && from <= (o.until ?? 99));
}
