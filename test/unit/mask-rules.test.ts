/**
 * Masking without a server: the profile's masking and subset keys, rule resolution against a
 * catalog (foreign-key propagation, conflicts, refusals, strict mode) and the tuple-id set the
 * subset closure keeps.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { parseColumnName } from "../../src/config/qualified-name.js";
import { TidSet, tidArrayText } from "../../src/copy/tid-set.js";
import { PgsyncError } from "../../src/errors.js";
import type { Column, Table } from "../../src/introspect/model.js";
import type { MaskCatalog } from "../../src/mask/catalog.js";
import { keyPads } from "../../src/mask/hmac.js";
import { maskingFingerprint, resolveMasking } from "../../src/mask/resolve.js";
import { redact } from "../../src/util/redact.js";

const SRC = "postgres://app:pw@src.example.com/app";
const DST = "postgres://app:pw@dst.example.com/app";

function configError(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(PgsyncError);
    return (error as PgsyncError).message;
  }
  throw new Error("expected a configuration error");
}

describe("masking and subset in a profile", () => {
  it("are read from a profile, with their defaults", () => {
    const config = parseConfig({
      profiles: {
        dev: {
          source: SRC,
          destination: DST,
          masking: {
            key: { env: "PGSYNC_MASK_KEY" },
            rules: { "public.users.email": "email", 'public."Odd.Table".x': { "shift-days": 3 } },
          },
          subset: { roots: { "public.users": "created_at > now() - interval '90 days'" } },
        },
      },
    });
    const dev = config.profiles.get("dev");
    expect(dev?.masking).toEqual({
      key: { env: "PGSYNC_MASK_KEY" },
      strict: false,
      rules: { "public.users.email": "email", 'public."Odd.Table".x': { "shift-days": 3 } },
      keep: [],
    });
    expect(dev?.subset).toEqual({
      roots: { "public.users": "created_at > now() - interval '90 days'" },
      follow: "references",
      others: "whole",
    });
    expect(config.profiles.get("backup")?.masking).toBeUndefined();
    expect(parseColumnName('public."Odd.Table".x')).toEqual({
      schema: "public",
      table: "Odd.Table",
      column: "x",
    });
  });

  it("are a configuration error in defaults, which also reach the built-in backup", () => {
    const message = configError({
      defaults: {
        masking: { key: "k".repeat(20), rules: {} },
        subset: { roots: { "public.users": "true" } },
      },
    });
    expect(message).toContain('defaults.masking: only a profile may set "masking"');
    expect(message).toContain('defaults.subset: only a profile may set "subset"');
  });

  it("name each bad rule, keep entry and root", () => {
    const message = configError({
      profiles: {
        dev: {
          source: SRC,
          destination: DST,
          masking: {
            key: { env: "K" },
            rules: {
              "users.email": "email",
              "public.users.phone": "scramble",
              "public.users.born": { "shift-days": 0 },
              "public.users.x": { fixed: 3 },
              "public.users.tax_id": "null",
            },
            keep: ["public.users.tax_id", "nope"],
          },
          subset: { roots: { users: "true" }, follow: "sideways" },
        },
      },
    });
    expect(message).toContain('expected a column "schema.table.column"');
    expect(message).toContain('unknown transformer "scramble"');
    expect(message).toContain("shift-days: expected a whole number of days from 1 to 36500");
    expect(message).toContain("fixed: expected a string");
    expect(message).toContain('got "nope"');
    expect(message).toContain('expected a table "schema.table", got "users"');
    expect(message).toContain("sideways");
  });

  it("refuse a column with a rule that is also kept", () => {
    const message = configError({
      profiles: {
        dev: {
          source: SRC,
          destination: DST,
          masking: {
            key: { env: "K" },
            rules: { "public.users.tax_id": "null" },
            keep: ["public.users.tax_id"],
          },
        },
      },
    });
    expect(message).toContain('public.users.tax_id has a rule and is also listed in "keep"');
  });

  it("register a literal key for redaction as soon as it is read", () => {
    const key = "literal-masking-key-for-redaction-test";
    parseConfig({ profiles: { dev: { source: SRC, destination: DST, masking: { key, rules: {} } } } });
    expect(redact(`the key is ${key}`)).toBe("the key is ***");
    const pads = keyPads(key);
    expect(redact(pads.ipad)).toBe("***");
  });
});

const col = (name: string, more: Partial<Column> = {}): Column => ({
  name,
  position: 0,
  type: "text",
  typeOid: 25,
  binarySafe: true,
  notNull: false,
  ...more,
});

const tbl = (oid: number, name: string, columns: Column[], more: Partial<Table> = {}): Table => ({
  oid,
  schema: "public",
  name,
  persistence: "permanent",
  columns,
  allColumns: columns,
  options: [],
  inherits: [],
  rowSecurity: false,
  forceRowSecurity: false,
  bytes: 8192,
  estimatedRows: 10,
  ...more,
});

const USERS = tbl(1, "users", [
  col("id", { type: "bigint", notNull: true }),
  col("email"),
  col("phone"),
  col("note"),
]);
const INVOICES = tbl(2, "invoices", [col("id", { type: "bigint" }), col("billing_email"), col("total")]);
const EVENTS = tbl(3, "events", [col("at", { type: "date" }), col("email")], { partitionKey: "RANGE (at)" });
const EVENTS_1 = tbl(4, "events_1", [col("at", { type: "date" }), col("email")], {
  partitionOf: {
    parent: { schema: "public", name: "events" },
    bound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
  },
});
const TABLES = [USERS, INVOICES, EVENTS, EVENTS_1];

const fact = (tableOid: number, name: string, baseType = "text") => ({
  tableOid,
  name,
  category: baseType === "text" ? "S" : baseType === "date" ? "D" : "N",
  baseType,
  baseTypeSchema: "pg_catalog",
});

const CATALOG: MaskCatalog = {
  columns: TABLES.flatMap((t) =>
    t.allColumns.map((c) =>
      fact(t.oid, c.name, c.type === "text" ? "text" : c.type === "date" ? "date" : "int8"),
    ),
  ),
  foreignKeys: [
    {
      name: "invoices_billing_email_fkey",
      tableOid: 2,
      referencedTableOid: 1,
      columns: ["billing_email"],
      referencedColumns: ["email"],
    },
  ],
  keys: [{ tableOid: 1, name: "users_pkey", kind: "primary key", columns: ["id"] }],
  partitionKeys: [{ tableOid: 3, columns: ["at"] }],
};

function resolve(rules: Record<string, unknown>, keep: string[] = [], strict = false) {
  return resolveMasking({
    allTables: TABLES,
    planned: TABLES,
    copied: new Set([1, 2, 4]),
    catalog: CATALOG,
    rules: { rules: rules as never, keep, strict },
    largeObjects: 0,
  });
}

describe("resolving rules against the catalog", () => {
  it("gives a foreign-key column its referenced column's rule, and a partition its parent's", () => {
    const r = resolve({ "public.users.email": "email", "public.events.email": "hash" });
    expect(r.problems).toEqual([]);
    expect(r.columns.map((c) => [c.name, c.rule.kind, c.via])).toEqual([
      ["public.events_1.email", "hash", "public.events.email"],
      ["public.invoices.billing_email", "email", "public.users.email"],
      ["public.users.email", "email", undefined],
    ]);
  });

  it("refuses different rules on the two sides of a foreign key, and a kept side of a masked one", () => {
    const r = resolve({ "public.users.email": "email", "public.invoices.billing_email": "hash" });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toContain("public.users.email (email) and public.invoices.billing_email (hash)");
    expect(r.problems[0]).toContain("foreign key invoices_billing_email_fkey");
    const kept = resolve({ "public.users.email": "email" }, ["public.invoices.billing_email"]);
    expect(kept.problems[0]).toContain("public.invoices.billing_email (keep)");
  });

  it("refuses a partition-key column, NOT NULL for null, a row-based rule across a foreign key, unknown columns", () => {
    const r = resolve({
      "public.events.at": { "shift-days": 3 },
      "public.users.id": "null",
      "public.users.email": { sql: "lower(email)" },
      "public.users.nope": "hash",
    });
    const all = r.problems.join("\n");
    expect(all).toContain("masking public.events_1.at (shift-days 3): it is a partition-key column");
    expect(all).toContain("masking public.users.id (null): the column is NOT NULL");
    expect(all).toContain("public.users.email (sql");
    expect(all).toContain("table public.users has no column nope");
  });

  it("in strict mode names every uncovered column of a table with a rule, and personal-looking ones elsewhere", () => {
    const r = resolve({ "public.users.phone": "phone" }, ["public.users.id"], true);
    expect(r.uncovered).toEqual([
      "public.users.email (its table has masked columns)",
      "public.users.note (its table has masked columns)",
      "public.invoices.billing_email (its name looks like personal data)",
      "public.events_1.email (its name looks like personal data)",
    ]);
  });

  it("fingerprints the rules and the key, not their order", () => {
    const a = maskingFingerprint({ "public.a.x": "email", "public.a.y": "hash" }, "k".repeat(16));
    const b = maskingFingerprint({ "public.a.y": "hash", "public.a.x": "email" }, "k".repeat(16));
    expect(a).toBe(b);
    expect(maskingFingerprint({ "public.a.x": "email" }, "k".repeat(16))).not.toBe(a);
    expect(maskingFingerprint({ "public.a.x": "email", "public.a.y": "hash" }, "j".repeat(16))).not.toBe(a);
    expect(a).not.toContain("kkkk");
  });
});

describe("the subset's tuple-id set", () => {
  it("adds, reports what was new, deletes and lists sorted, as a plain Set would", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 200 }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 300 }),
        (batches, removals) => {
          const set = new TidSet();
          const model = new Set<number>();
          for (const batch of batches) {
            const expected = [...new Set(batch)].filter((v) => !model.has(v)).sort((a, b) => a - b);
            expect([...set.add(batch)]).toEqual(expected);
            for (const v of batch) model.add(v);
            expect(set.size).toBe(model.size);
          }
          const removed = removals.filter((v, i) => model.has(v) && removals.indexOf(v) === i).length;
          expect(set.delete(removals)).toBe(removed);
          for (const v of removals) model.delete(v);
          expect([...set.sorted()]).toEqual([...model].sort((a, b) => a - b));
          for (const v of model) expect(set.has(v)).toBe(true);
          expect([...set.chunks(7)].flatMap((c) => [...c])).toEqual([...model].sort((a, b) => a - b));
        },
      ),
    );
  });

  it("writes ids as a tid[] literal", () => {
    expect(tidArrayText([1, 65536 * 3 + 7])).toBe('{"(0,1)","(3,7)"}');
  });
});
