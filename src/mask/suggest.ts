import type pg from "pg";
import { z } from "zod";
import { formatQualifiedName } from "../config/qualified-name.js";
import type { MaskRuleSpec } from "../config/types.js";
import { int, queryRows } from "../db/rows.js";
import type { Column, Table } from "../introspect/model.js";
import { qualify, quoteIdent } from "../sql/quote.js";
import type { ColumnFacts, MaskCatalog } from "./catalog.js";
import { columnClasses, columnKey } from "./classes.js";
import { personalDataWords } from "./name-test.js";

/**
 * `pgsync-ts mask suggest`: a starter `masking` block for the source. Every column whose name looks
 * like personal data gets a transformer suited to its type; text and jsonb columns with other
 * names are sampled on the source for email addresses and phone numbers (only counts come back:
 * the tool never reads a value). The block is a start, not a review: a rule is only as good as
 * the columns it names (docs/masking.md).
 */

/** What the sampling looks for; no backslashes, so the patterns read the same in SQL and JSON. */
export const EMAIL_PATTERN = "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}";
export const PHONE_PATTERN = "[+][0-9][0-9 ().-]{7,}[0-9]";
/** Values sampled per column. */
export const SAMPLE_ROWS = 1000;

export interface Suggestion {
  readonly column: string;
  readonly rule: MaskRuleSpec;
  /** Why: the words its name matched, or what the sample held. */
  readonly reason: string;
}

export interface SuggestResult {
  readonly masking: {
    readonly key: { readonly env: string };
    readonly strict: true;
    readonly rules: Record<string, MaskRuleSpec>;
    readonly keep: readonly string[];
  };
  readonly suggestions: readonly Suggestion[];
  readonly notes: readonly string[];
}

export async function suggestMasking(
  client: pg.Client,
  tables: readonly Table[],
  catalog: MaskCatalog,
): Promise<SuggestResult> {
  const facts = new Map(catalog.columns.map((f) => [columnKey(f.tableOid, f.name), f]));
  const withRows = tables.filter((t) => t.partitionKey === undefined);
  const suggestions = new Map<string, Suggestion & { key: string }>();
  const notes: string[] = [];
  const name = (t: Table, c: string) => formatQualifiedName([t.schema, t.name, c]);
  const primaryKeyOf = (t: Table) =>
    catalog.keys.some((k) => k.tableOid === t.oid && k.kind === "primary key");
  for (const t of withRows) {
    for (const c of t.allColumns) {
      const f = facts.get(columnKey(t.oid, c.name));
      if (c.generated || !f) continue;
      const words = personalDataWords(c.name);
      if (words.length > 0) {
        const rule = byName(words, c, f, primaryKeyOf(t));
        if (rule)
          suggestions.set(name(t, c.name), {
            column: name(t, c.name),
            rule,
            reason: `name: ${words.join(", ")}`,
            key: columnKey(t.oid, c.name),
          });
        else
          notes.push(
            `${name(t, c.name)} looks like personal data (${words.join(", ")}) but no transformer suits its type ${c.type}: write a rule by hand`,
          );
        continue;
      }
      if (f.category !== "S" && !["json", "jsonb"].includes(f.baseType)) continue;
      const found = await sample(client, t, c.name);
      if (found.emails + found.phones === 0) continue;
      const held = [
        found.emails > 0 ? `${found.emails} email address(es)` : "",
        found.phones > 0 ? `${found.phones} phone number(s)` : "",
      ]
        .filter(Boolean)
        .join(" and ");
      suggestions.set(name(t, c.name), {
        column: name(t, c.name),
        rule: { sql: scrubSql(c.name, f, found) },
        reason: `sample of ${found.sampled} value(s) held ${held}`,
        key: columnKey(t.oid, c.name),
      });
    }
  }
  // Columns joined by a foreign key must share one rule: the referenced side's rule wins.
  const classes = columnClasses(tables, catalog.foreignKeys, (oid) => {
    const t = tables.find((x) => x.oid === oid);
    return t ? formatQualifiedName([t.schema, t.name]) : String(oid);
  });
  const referenced = new Set(
    catalog.foreignKeys.flatMap((fk) => fk.referencedColumns.map((c) => columnKey(fk.referencedTableOid, c))),
  );
  for (const s of suggestions.values()) {
    const members = new Set(classes.members(s.key));
    if (members.size < 2) continue;
    const peers = [...suggestions.values()].filter((o) => members.has(o.key));
    const leader = peers.find((p) => referenced.has(p.key)) ?? peers[0];
    if (!leader) continue;
    let rule = leader.rule;
    if (typeof rule === "object" && !("fixed" in rule)) rule = "hash";
    for (const p of peers) suggestions.set(p.column, { ...p, rule });
  }
  const ruled = [...suggestions.values()].sort((a, b) => a.column.localeCompare(b.column));
  const tablesWithRules = new Set(ruled.map((s) => Number(s.key.split("\u0000")[0])));
  const keep = withRows
    .filter((t) => tablesWithRules.has(t.oid))
    .flatMap((t) =>
      t.allColumns
        .filter((c) => !c.generated && !suggestions.has(name(t, c.name)))
        .map((c) => name(t, c.name)),
    )
    .sort();
  if (keep.length > 0)
    notes.push(
      `"keep" lists the other columns of the tables with rules, so that strict mode passes: check that none of them holds personal data`,
    );
  return {
    masking: {
      key: { env: "PGSYNC_MASK_KEY" },
      strict: true,
      rules: Object.fromEntries(ruled.map((s) => [s.column, s.rule])),
      keep,
    },
    suggestions: ruled.map(({ key: _key, ...s }) => s),
    notes,
  };
}

/** A transformer for a column named like personal data, by the words it matched and its type. */
function byName(
  words: readonly string[],
  c: Column,
  f: ColumnFacts,
  hasPrimaryKey: boolean,
): MaskRuleSpec | undefined {
  const is = (...w: string[]) => words.some((x) => w.includes(x));
  const text = f.category === "S";
  const dated =
    f.baseTypeSchema === "pg_catalog" && ["date", "timestamp", "timestamptz"].includes(f.baseType);
  const fallback: MaskRuleSpec | undefined = c.notNull ? (text ? "hash" : undefined) : "null";
  if (is("email", "mail", "emailaddress")) return text && (f.maxLength ?? 32) >= 32 ? "email" : fallback;
  if (is("phone", "mobile", "phonenumber")) return text ? "phone" : fallback;
  if (is("birth", "dob", "birthday", "birthdate"))
    return dated && hasPrimaryKey ? { "shift-days": 30 } : fallback;
  if (is("password", "passwd", "token", "secret", "ip"))
    return c.notNull ? (text ? "hash" : undefined) : "null";
  if (is("username", "nickname")) return text ? "hash" : fallback;
  if (is("name", "first", "last", "surname", "firstname", "lastname", "fullname"))
    return text ? "name" : fallback;
  return text && (f.maxLength ?? 16) >= 16 ? "hash" : fallback;
}

const Sampled = z.object({ sampled: int, emails: int, phones: int });

async function sample(client: pg.Client, t: Table, column: string) {
  // A large table is sampled by pages (TABLESAMPLE SYSTEM), a small one read from the start.
  const percent =
    t.estimatedRows > 100_000 ? Math.max(0.01, (100 * 20 * SAMPLE_ROWS) / t.estimatedRows) : undefined;
  const from = `ONLY ${qualify(t.schema, t.name)} AS t${percent === undefined ? "" : ` TABLESAMPLE SYSTEM (${percent.toFixed(4)})`}`;
  const [row] = await queryRows(
    client,
    `sample of ${qualify(t.schema, t.name)}.${quoteIdent(column)}`,
    `SELECT count(*)::int AS sampled,
            count(*) FILTER (WHERE v ~ $1)::int AS emails,
            count(*) FILTER (WHERE v ~ $2)::int AS phones
     FROM (SELECT t.${quoteIdent(column)}::text AS v FROM ${from} WHERE t.${quoteIdent(column)} IS NOT NULL LIMIT ${SAMPLE_ROWS}) AS s`,
    [EMAIL_PATTERN, PHONE_PATTERN],
    Sampled,
    "source",
  );
  return row ?? { sampled: 0, emails: 0, phones: 0 };
}

/** An `sql` rule that replaces what the sample found inside the value, keeping the rest (and valid JSON). */
function scrubSql(column: string, f: ColumnFacts, found: { emails: number; phones: number }): string {
  let value = `t.${quoteIdent(column)}::text`;
  if (found.emails > 0)
    value = `pg_catalog.regexp_replace(${value}, '${EMAIL_PATTERN}', 'redacted@example.invalid', 'g')`;
  if (found.phones > 0)
    value = `pg_catalog.regexp_replace(${value}, '${PHONE_PATTERN}', '+00 000 000 000', 'g')`;
  return ["json", "jsonb"].includes(f.baseType) ? `${value}::${f.baseType}` : value;
}
