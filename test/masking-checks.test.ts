/**
 * Masking checks that need no dedicated server: the keyed hash equals Node's HMAC-SHA-256 on every
 * major, strict masking refuses large objects unless kept, and masked values that a destination
 * constraint rejects fail in staging, naming the column and the constraint.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyedDigestSql, maskSettings } from "../src/mask/hmac.js";
import { runSync } from "../src/pipeline/run.js";
import { MASK_KEY } from "./helpers/masking-fixture.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { testMajors, withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const fresh = databasesForThisFile();

const rows = (url: string, sql: string) => withClient(url, async (c) => (await c.query(sql)).rows);

describe("the keyed hash", () => {
  it.each(testMajors())(
    "is HMAC-SHA-256, computed by PostgreSQL %i with core functions only",
    async (major) => {
      const db = await fresh(major);
      const longKey = `${"long-key-".repeat(10)}past the block size`;
      for (const key of [MASK_KEY, longKey, "ключ-с-юникодом-и-пробелами ok"]) {
        const values = ["ann@corp.example", "", "Ωmega ☃ value", "x".repeat(500)];
        await withClient(db.url, async (c) => {
          await c.query("BEGIN");
          for (const [name, value] of Object.entries(maskSettings(key)))
            await c.query("SELECT set_config($1, $2, true)", [name, value]);
          const result = await c.query<{ h: string }>(
            `SELECT encode(${keyedDigestSql("email", "v.x")}, 'hex') AS h FROM unnest($1::text[]) WITH ORDINALITY AS v(x, i) ORDER BY v.i`,
            [values],
          );
          await c.query("ROLLBACK");
          // The server computes with a key derived from the profile's, which never leaves the tool.
          const derived = createHmac("sha256", key).update("pgsync-ts masking key v1").digest();
          expect(result.rows.map((r) => r.h)).toEqual(
            values.map((v) => createHmac("sha256", derived).update(`email:${v}`).digest("hex")),
          );
        });
      }
    },
  );
});

describe(`rules the plan step refuses (${from} -> ${to})`, () => {
  it("plans sql rules and fixed values on the source, and refuses a partition-key column, before writing", async () => {
    const src = await fresh(from);
    await withClient(src.url, (c) =>
      c.query(`CREATE TABLE people (id int PRIMARY KEY, note text, score int);
               CREATE TABLE events (at date NOT NULL, email text) PARTITION BY RANGE (at);
               CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`),
    );
    const destination = await fresh(to);
    const report = await runSync({
      sourceUrl: src.url,
      destinationUrl: destination.url,
      masking: {
        key: { value: MASK_KEY },
        rules: {
          "public.people.note": { sql: "no_such_function(t.note)" },
          "public.people.score": { fixed: "not a number" },
          "public.events.at": { "shift-days": 5 },
        },
      },
    });
    expect(report.error?.kind).toBe("config");
    const message = String(report.error?.message);
    expect(message).toContain("masking public.events_2024.at (shift-days 5): it is a partition-key column");
    const planned = await runSync({
      sourceUrl: src.url,
      destinationUrl: destination.url,
      masking: {
        key: { value: MASK_KEY },
        rules: {
          "public.people.note": { sql: "no_such_function(t.note)" },
          "public.people.score": { fixed: "not a number" },
        },
      },
    });
    const explained = String(planned.error?.message);
    expect(planned.error?.kind).toBe("config");
    expect(explained).toContain("masking public.people.note (sql");
    expect(explained).toContain("no_such_function");
    expect(explained).toContain(
      'masking public.people.score (fixed "not a number"): the source cannot compute it',
    );
    expect(planned.steps.find((s) => s.name === "create-staging")?.status).toBe("not run");
  });
});

describe(`large objects under strict masking (${from} -> ${to})`, () => {
  it("are refused unless keep lists them", async () => {
    const src = await fresh(from);
    await withClient(src.url, (c) =>
      c.query(`CREATE TABLE people (id int PRIMARY KEY, email text);
               INSERT INTO people VALUES (1, 'someone@corp.example');
               SELECT lo_from_bytea(0, '\\x0102'::bytea);`),
    );
    const destination = await fresh(to);
    const masking = (keep: string[]) => ({
      key: { value: MASK_KEY },
      strict: true,
      rules: { "public.people.email": "email" as const },
      keep: ["public.people.id", ...keep],
    });
    const refused = await runSync({
      sourceUrl: src.url,
      destinationUrl: destination.url,
      masking: masking([]),
    });
    expect(refused.error?.kind).toBe("config");
    expect(String(refused.error?.message)).toContain(
      '1 large object(s) (no rule can mask them: list "large-objects" in keep',
    );
    const kept = await runSync({
      sourceUrl: src.url,
      destinationUrl: destination.url,
      masking: masking(["large-objects"]),
    });
    expect(kept.error).toBeUndefined();
    expect(kept.largeObjects?.carried).toBe(1);
  });
});

describe(`masked values that break a destination constraint (${from} -> ${to})`, () => {
  it("names the column and the unique index or check constraint, before the cut-over", async () => {
    const src = await fresh(from);
    await withClient(src.url, (c) =>
      c.query(`CREATE TABLE codes (id int PRIMARY KEY, phone varchar(4) UNIQUE);
               INSERT INTO codes SELECT g, lpad(g::text, 4, '0') FROM generate_series(1, 300) g;
               CREATE TABLE people (id int PRIMARY KEY, full_name text CONSTRAINT upper_only CHECK (full_name = upper(full_name)));
               INSERT INTO people VALUES (1, 'ANN'), (2, 'BOB');`),
    );
    const destination = await fresh(to);
    const masking = (rules: Record<string, "phone" | "name">) => ({ key: { value: MASK_KEY }, rules });
    const collide = await runSync({
      sourceUrl: src.url,
      destinationUrl: destination.url,
      masking: masking({ "public.codes.phone": "phone" }),
    });
    expect(collide.ok).toBe(false);
    expect(String(collide.error?.message)).toContain("masked column public.codes.phone (phone)");
    expect(String(collide.error?.message)).toContain("codes_phone_key");
    // The failed build is named with its statement, although the builds went in one message (a
    // small table's key is one ADD CONSTRAINT, which builds its index).
    expect(collide.error).toMatchObject({ object: expect.stringContaining("codes_phone_key") });
    expect(String(collide.error?.sql)).toMatch(/^ALTER TABLE .* ADD CONSTRAINT "codes_phone_key" UNIQUE /);
    const check = await runSync({
      sourceUrl: src.url,
      destinationUrl: destination.url,
      masking: masking({ "public.people.full_name": "name" }),
    });
    expect(check.ok).toBe(false);
    expect(String(check.error?.message)).toContain("masked column public.people.full_name (name)");
    expect(String(check.error?.message)).toContain("upper_only");
    expect(
      await rows(destination.url, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'"),
    ).toEqual([{ n: 0 }]);
  });
});
