import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyPads } from "../src/mask/hmac.js";
import { suggestForSource } from "../src/mask/suggest-source.js";
import { formatRunReport } from "../src/output/format.js";
import { runSync } from "../src/pipeline/run.js";
import { listSnapshots } from "../src/restore/meta.js";
import { verifyDatabases } from "../src/verify/compare.js";
import { captureState } from "./helpers/db-state.js";
import {
  FIXTURE_SQL,
  fixtureMasking,
  MASK_KEY,
  ORIGINALS,
  OTHER_KEY,
  USERS,
} from "./helpers/masking-fixture.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { type EmbeddedServer, startPostgres, withClient } from "./helpers/pg-servers.js";
import { startTcpProxy, type TcpProxy } from "./helpers/tcp-proxy.js";

const { from, to } = newestToOldest();
const fresh = databasesForThisFile();

let source: EmbeddedServer;
let proxy: TcpProxy;
let sourceUrl: string;

beforeAll(async () => {
  source = await startPostgres({
    major: from,
    name: "masking-src",
    settings: {
      shared_preload_libraries: "pg_stat_statements",
      "pg_stat_statements.track": "all",
      log_statement: "all",
    },
  });
  await withClient(source.url(), async (c) => {
    await c.query("CREATE DATABASE escrow");
  });
  sourceUrl = source.url("escrow");
  await withClient(sourceUrl, async (c) => {
    await c.query(FIXTURE_SQL);
    await c.query("CREATE EXTENSION pg_stat_statements");
  });
  proxy = await startTcpProxy({ host: source.host, port: source.port });
});

afterAll(async () => {
  await proxy?.close();
  await source?.stop();
});

const rows = (url: string, sql: string) => withClient(url, async (c) => (await c.query(sql)).rows);

/** Every text, varchar, char and json(b) value of every table of every schema, as one string. */
async function allText(url: string): Promise<string> {
  return withClient(url, async (c) => {
    const columns = await c.query<{ t: string; c: string }>(`
      SELECT format('%I.%I', n.nspname, cl.relname) AS t, format('%I', a.attname) AS c
      FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
      WHERE cl.relkind IN ('r', 'm') AND a.attnum > 0 AND NOT a.attisdropped
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'json'::regtype, 'jsonb'::regtype)`);
    const parts: string[] = [];
    for (const { t, c: col } of columns.rows) {
      const r = await c.query(`SELECT string_agg(${col}::text, E'\\n') AS v FROM ${t}`);
      parts.push(String(r.rows[0]?.v ?? ""));
    }
    expect(parts.length).toBeGreaterThan(10);
    return parts.join("\n");
  });
}

const maskedUsers = (url: string) =>
  rows(
    url,
    "SELECT id::int, email, phone, full_name, tax_id, notes, birth_date::text FROM users ORDER BY id",
  );

describe(`masking on the source (${from} -> ${to})`, () => {
  let first: Awaited<ReturnType<typeof fresh>>;

  it("sends no original value and not the key over the wire, leaves none in the destination, keeps keys whole", async () => {
    first = await fresh(to);
    await withClient(sourceUrl, (c) => c.query("SELECT pg_stat_statements_reset()"));
    const activity: string[] = [];
    const sample = () =>
      withClient(source.url("escrow"), async (c) => {
        const r = await c.query<{ query: string }>(
          "SELECT coalesce(query, '') AS query FROM pg_stat_activity WHERE application_name LIKE 'pgsync-ts%'",
        );
        activity.push(...r.rows.map((x) => x.query));
      });
    const report = await runSync({
      sourceUrl: proxy.via(sourceUrl),
      destinationUrl: first.url,
      masking: fixtureMasking(),
      verify: "checksum",
      faultHook: sample,
    });
    expect(report.error).toBeUndefined();
    expect(report.verification?.method).toContain("table content checksums");

    // Nothing of the originals anywhere in the destination (every schema, the tool's own included).
    const destinationText = await allText(first.url);
    for (const original of ORIGINALS) expect(destinationText).not.toContain(original);
    // Nothing of them on the wire, in either direction, and never the key itself.
    const { toServer, toClient } = proxy.captured();
    expect(toClient.length).toBeGreaterThan(10_000);
    for (const original of ORIGINALS) {
      expect(toServer.includes(original)).toBe(false);
      expect(toClient.includes(original)).toBe(false);
    }
    expect(toServer.includes(MASK_KEY)).toBe(false);
    expect(toClient.includes(MASK_KEY)).toBe(false);

    // The key (and its padded blocks) are in no view of the source, and the key is not in its log.
    const pads = keyPads(MASK_KEY);
    expect(activity.length).toBeGreaterThan(5);
    const statements = (await rows(sourceUrl, "SELECT query FROM pg_stat_statements")).map((r) =>
      String(r.query),
    );
    expect(statements.some((q) => q.includes("set_config"))).toBe(true);
    for (const text of [...activity, ...statements]) {
      expect(text).not.toContain(MASK_KEY);
      expect(text).not.toContain(pads.ipad);
      expect(text).not.toContain(pads.opad);
    }
    // The superuser's session turned parameter logging off: nothing of the key reached the log.
    const log = readFileSync(source.logFile, "utf8");
    expect(log).toContain("set_config");
    expect(log).toContain("SET LOCAL log_parameter_max_length = 0");
    for (const secret of [MASK_KEY, pads.ipad, pads.opad, ...rawPads(MASK_KEY)])
      expect(log).not.toContain(secret);

    // What the masked values look like: formats, lengths and prefixes kept, NULL stays NULL.
    const masked = await maskedUsers(first.url);
    expect(masked).toHaveLength(USERS.length);
    for (const [i, u] of USERS.entries()) {
      const m = masked[i];
      expect(m.email).toMatch(/^[0-9a-f]{16}@example\.invalid$/);
      expect(m.tax_id).toBeNull();
      expect(m.notes).toBe(u.notes === null ? null : "redacted");
      if (u.phone === null) expect(m.phone).toBeNull();
      else {
        expect(m.phone).toHaveLength(u.phone.length);
        expect(m.phone.replace(/[0-9]/g, "9")).toBe(u.phone.replace(/[0-9]/g, "9"));
        const prefix = u.phone.startsWith("+")
          ? u.phone.match(/^\+\d+/)?.[0]
          : u.phone.startsWith("00")
            ? "0049"
            : "0";
        expect(m.phone.startsWith(prefix as string)).toBe(true);
      }
      expect(m.full_name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
      const shift = (Date.parse(m.birth_date) - Date.parse(u.birthDate)) / 86_400_000;
      expect(Math.abs(shift)).toBeLessThanOrEqual(30);
    }
    expect(new Set(masked.map((m) => m.email)).size).toBe(USERS.length);
    // The foreign key over the masked email was created and holds; the unique constraint too.
    const keys = await rows(
      first.url,
      "SELECT conname, convalidated FROM pg_constraint WHERE conrelid IN ('users'::regclass, 'invoices'::regclass) AND contype IN ('f', 'u') ORDER BY 1",
    );
    expect(keys.map((k) => k.conname)).toEqual(
      expect.arrayContaining(["invoices_billing_email_fkey", "users_email_key"]),
    );
    expect(keys.every((k) => k.convalidated)).toBe(true);
    const joined = await rows(
      first.url,
      "SELECT count(*)::int AS n FROM invoices i JOIN users u ON u.email = i.billing_email",
    );
    expect(joined[0]?.n).toBe(4);
    const audit = await rows(first.url, "SELECT audit::text AS a FROM invoices WHERE id = 500");
    expect(audit[0]?.a).toContain("redacted@example.invalid");

    // The summary names the masked columns and their rules.
    const summary = formatRunReport(report);
    expect(summary).toContain("public.invoices.billing_email (email, via public.users.email)");
    expect(summary).toContain("public.users.birth_date (shift-days 30)");
    expect(summary).toContain("(strict)");
  });

  it("as a role that may not turn parameter logging off, logs only the derived key's blocks, never the key", async () => {
    const role = "masking_reader";
    await withClient(source.url(), (c) =>
      c.query(`DROP ROLE IF EXISTS ${role}; CREATE ROLE ${role} LOGIN PASSWORD 'reader-Pa55'`),
    );
    await withClient(sourceUrl, (c) =>
      c.query(
        `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}; GRANT USAGE ON SCHEMA public TO ${role}`,
      ),
    );
    const logged = readFileSync(source.logFile, "utf8").length;
    const destination = await fresh(to);
    const report = await runSync({
      sourceUrl: source.url("escrow", role, "reader-Pa55"),
      destinationUrl: destination.url,
      masking: fixtureMasking(),
    });
    expect(report.error).toBeUndefined();
    const log = readFileSync(source.logFile, "utf8").slice(logged);
    expect(log).toContain(keyPads(MASK_KEY).ipad);
    for (const secret of [MASK_KEY, ...rawPads(MASK_KEY)]) expect(log).not.toContain(secret);
    expect(await maskedUsers(destination.url)).toEqual(await maskedUsers(first.url));
  });

  it("verifies a masked copy with the masked values' checksums computed on the source", async () => {
    const masking = fixtureMasking();
    const masked = await verifyDatabases({
      sourceUrl,
      destinationUrl: first.url,
      method: "checksum",
      shaping: { masking },
    });
    expect(masked.error).toBeUndefined();
    expect(masked.differences).toEqual([]);
    expect(masked.outcome).toBe("identical");
    expect(masked.masked?.map((c) => c.column)).toContain("public.invoices.billing_email");
    // Against the raw source the same copy differs: the digests compare content.
    const raw = await verifyDatabases({ sourceUrl, destinationUrl: first.url, method: "checksum" });
    expect(raw.outcome).toBe("different");
    expect(raw.differences.join(" ")).toContain("users");
  });

  it("gives the same values under the same key in another run, other values under another key, and drops older snapshots", async () => {
    const second = await fresh(to);
    const again = await runSync({ sourceUrl, destinationUrl: second.url, masking: fixtureMasking() });
    expect(again.error).toBeUndefined();
    const before = await maskedUsers(first.url);
    expect(await maskedUsers(second.url)).toEqual(before);

    // first: a snapshot of the (masked) state from its first run, then a run under another key.
    const resync = await runSync({ sourceUrl, destinationUrl: first.url, masking: fixtureMasking(MASK_KEY) });
    expect(resync.error).toBeUndefined();
    expect(await snapshots(first.url)).toHaveLength(1);
    const other = await runSync({ sourceUrl, destinationUrl: first.url, masking: fixtureMasking(OTHER_KEY) });
    expect(other.error).toBeUndefined();
    const changed = await maskedUsers(first.url);
    for (const [i, b] of before.entries()) {
      expect(changed[i].email).not.toBe(b.email);
      expect(changed[i].full_name === b.full_name && changed[i].phone === b.phone).toBe(false);
    }
    expect(other.warnings.join("\n")).toContain("the masking rules or key changed");
    expect(await snapshots(first.url)).toEqual([]);
    // Under unchanged rules the next run keeps its snapshot as usual.
    const same = await runSync({ sourceUrl, destinationUrl: first.url, masking: fixtureMasking(OTHER_KEY) });
    expect(same.error).toBeUndefined();
    expect(same.warnings.join("\n")).not.toContain("masking rules");
    expect(await snapshots(first.url)).toHaveLength(1);
  });

  it("suggests rules for the personal-data columns and none for the traps, and the suggestion runs strict", async () => {
    const result = await suggestForSource({ sourceUrl: proxy.via(sourceUrl), connectSeconds: 30 });
    expect(result.masking.rules).toEqual({
      "public.invoices.audit": expect.objectContaining({
        sql: expect.stringContaining("redacted@example.invalid"),
      }),
      "public.invoices.billing_email": "email",
      "public.users.birth_date": { "shift-days": 30 },
      "public.users.email": "email",
      "public.users.full_name": "name",
      "public.users.phone": "phone",
      "public.users.tax_id": "hash",
    });
    expect(result.masking.keep).not.toContain("public.app_settings.table_name");
    const destination = await fresh(to);
    const report = await runSync({
      sourceUrl,
      destinationUrl: destination.url,
      masking: { ...result.masking, key: { value: MASK_KEY } },
    });
    expect(report.error).toBeUndefined();
    expect(report.masking?.strict).toBe(true);
    for (const original of ORIGINALS.filter((o) => !USERS.some((u) => u.notes === o)))
      expect(await allText(destination.url)).not.toContain(original);
  });

  it("strict mode refuses a newly added unclassified column, naming it, and leaves the destination as it was", async () => {
    const state = await captureState(first.url);
    await withClient(sourceUrl, (c) =>
      c.query("ALTER TABLE users ADD COLUMN nickname text; ALTER TABLE wallets ADD COLUMN iban text"),
    );
    try {
      const report = await runSync({
        sourceUrl,
        destinationUrl: first.url,
        masking: fixtureMasking(OTHER_KEY),
      });
      expect(report.ok).toBe(false);
      expect(report.error?.kind).toBe("config");
      const message = String(report.error?.message);
      expect(message).toContain("public.users.nickname (its table has masked columns)");
      expect(message).toContain("public.wallets.iban (its name looks like personal data)");
      expect(message).toContain("nothing was written");
      expect(report.steps.find((s) => s.name === "create-staging")?.status).toBe("not run");
      expect(await captureState(first.url)).toEqual(state);
    } finally {
      await withClient(sourceUrl, (c) =>
        c.query("ALTER TABLE users DROP COLUMN nickname; ALTER TABLE wallets DROP COLUMN iban"),
      );
    }
  });
});

/** The padded blocks of the profile's key itself, hex-encoded: what sending the key would have sent. */
function rawPads(key: string): string[] {
  const block = Buffer.alloc(64);
  Buffer.from(key, "utf8").copy(block);
  return [0x36, 0x5c].map((pad) => Buffer.from(block.map((b) => b ^ pad)).toString("hex"));
}

/** The destination's snapshots. */
const snapshots = (url: string) => withClient(url, (c) => listSnapshots(c));
