/**
 * Subsets that keep foreign keys whole, on the escrow-like fixture (test/helpers/masking-fixture.ts),
 * whose reference cycles are users.manager_id and transactions.reversal_of (each its own table) and
 * users.primary_wallet_id with wallets.user_id. The rows each subset keeps are worked out by hand
 * below; the destination must hold exactly those, pass every constraint, and match the source's
 * digests over the same rows.
 */
import { describe, expect, it } from "vitest";
import { formatRunReport } from "../src/output/format.js";
import { runSync } from "../src/pipeline/run.js";
import { verifyDatabases } from "../src/verify/compare.js";
import { FIXTURE_SQL, fixtureMasking, ORIGINALS } from "./helpers/masking-fixture.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const fresh = databasesForThisFile();

/** Users 2, 3 and 5 signed up in the last 90 days. */
const RECENT = { "public.users": "created_at > now() - interval '90 days'" };

async function pair() {
  const source = await fresh(from);
  await withClient(source.url, (c) => c.query(FIXTURE_SQL));
  return { source, destination: await fresh(to) };
}

/** Each table's kept ids, ordered. */
async function ids(url: string): Promise<Record<string, number[]>> {
  return withClient(url, async (c) => {
    const out: Record<string, number[]> = {};
    for (const t of ["users", "wallets", "escrows", "transactions", "invoices", "app_settings"]) {
      const r = await c.query<{ id: number }>(`SELECT id::int AS id FROM public.${t} ORDER BY id`);
      out[t] = r.rows.map((x) => x.id);
    }
    return out;
  });
}

/** Every foreign key of the destination's public schema, and whether it was validated. */
async function foreignKeys(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query<{ k: string }>(
      `SELECT conrelid::regclass::text || '.' || conname || CASE WHEN convalidated THEN '' ELSE ' (not valid)' END AS k
       FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1`,
    );
    return r.rows.map((x) => x.k);
  });
}

describe(`subsets (${from} -> ${to})`, () => {
  it("keeps the roots and what they reference, and what references only kept rows, all from one snapshot", async () => {
    const { source, destination } = await pair();
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      subset: { roots: RECENT },
      verify: "checksum",
      // Changes made once the closure is computed are not copied: every read is of the one snapshot.
      faultHook: async (point) => {
        if (point !== "before:copy-data") return;
        await withClient(source.url, (c) =>
          c.query(`INSERT INTO users (id, email, created_at, manager_id) VALUES (7, 'late@corp.example', now(), 2);
                   DELETE FROM transactions WHERE id = 1009;
                   UPDATE wallets SET balance = balance + 1;
                   UPDATE escrows SET status = 'changed' WHERE id = 100;`),
        );
      },
    });
    expect(report.error).toBeUndefined();
    // Roots: users 2, 3, 5. Upward: their managers (1, 2, 3) and primary wallets (20, 30, 50), and
    // user 1's (10). Restricted: escrows whose buyer and seller are kept (100, 103), transactions
    // whose wallet, escrow and reversed transaction are kept or NULL, invoices of kept escrows and
    // emails. app_settings no root reaches: whole.
    expect(await ids(destination.url)).toEqual({
      users: [1, 2, 3, 5],
      wallets: [10, 20, 30, 50],
      escrows: [100, 103],
      transactions: [1000, 1001, 1007, 1008, 1009],
      invoices: [500, 503],
      app_settings: [1],
    });
    const unchanged = await withClient(destination.url, async (c) => ({
      status: (await c.query("SELECT status FROM escrows WHERE id = 100")).rows[0]?.status,
      balance: (await c.query("SELECT balance::text AS b FROM wallets WHERE id = 10")).rows[0]?.b,
    }));
    expect(unchanged).toEqual({ status: "open", balance: "100.00" });
    expect(await foreignKeys(destination.url)).toEqual(await foreignKeys(source.url));
    expect(report.verification?.ok).toBe(true);
    expect(report.subset?.tables).toEqual([
      { table: '"public"."escrows"', mode: "restricted", kept: 2, total: 5 },
      { table: '"public"."invoices"', mode: "restricted", kept: 2, total: 4 },
      { table: '"public"."transactions"', mode: "restricted", kept: 5, total: 11 },
      { table: '"public"."users"', mode: "closure", kept: 4, total: 6 },
      { table: '"public"."wallets"', mode: "closure", kept: 4, total: 7 },
    ]);
    expect(formatRunReport(report)).toContain('"public"."users" 4 of 6 rows');
    // An unmasked run of personal-looking columns says so, and names none of the look-alikes.
    const warning = report.warnings.find((w) => w.includes("look like personal data")) ?? "";
    expect(warning).toContain("public.users.email");
    expect(warning).toContain("public.invoices.billing_email");
    expect(warning).not.toContain("app_settings");
    expect(warning).not.toContain("description");
  });

  it("with follow both, takes what references the roots first, then closes upward; masks the subset; others empty", async () => {
    const { source, destination } = await pair();
    const masking = fixtureMasking();
    const subset = { roots: RECENT, follow: "both" as const, others: "empty" as const };
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      subset,
      masking,
      verify: "checksum",
    });
    expect(report.error).toBeUndefined();
    // Down from users 2, 3, 5: their wallets (20, 30, 50), escrows as buyer or seller (100, 101,
    // 103), invoices (500, 501, 503), transactions of those wallets or escrows (1000-1003,
    // 1007-1009). Up: escrow 101's seller 4 and the managers (1), with their wallets (10, 40).
    expect(await ids(destination.url)).toEqual({
      users: [1, 2, 3, 4, 5],
      wallets: [10, 20, 30, 40, 50],
      escrows: [100, 101, 103],
      transactions: [1000, 1001, 1002, 1003, 1007, 1008, 1009],
      invoices: [500, 501, 503],
      app_settings: [],
    });
    expect(await foreignKeys(destination.url)).toEqual(await foreignKeys(source.url));
    const text = await withClient(destination.url, async (c) =>
      JSON.stringify(
        (await c.query("SELECT u.*, i.* FROM users u LEFT JOIN invoices i ON i.billing_email = u.email"))
          .rows,
      ),
    );
    for (const original of ORIGINALS) expect(text).not.toContain(original);
    expect(report.subset?.tables.find((t) => t.table === '"public"."app_settings"')).toEqual({
      table: '"public"."app_settings"',
      mode: "empty",
      kept: 0,
      total: 1,
    });
    const verified = await verifyDatabases({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      method: "checksum",
      shaping: { masking, subset },
    });
    expect(verified.differences).toEqual([]);
    expect(verified.outcome).toBe("identical");
  });

  it("refuses a root the run does not copy, or a condition that does not plan, before writing anything", async () => {
    const { source, destination } = await pair();
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      subset: { roots: { "public.users": "no_such_column > 1", "public.nope": "true" } },
    });
    expect(report.ok).toBe(false);
    expect(report.error?.kind).toBe("config");
    expect(String(report.error?.message)).toContain("subset root public.nope: the run copies no such table");
    const again = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      subset: { roots: { "public.users": "no_such_column > 1" } },
    });
    expect(String(again.error?.message)).toContain("subset root public.users: the condition does not plan");
    expect(again.steps.find((s) => s.name === "create-staging")?.status).toBe("not run");
  });
});
