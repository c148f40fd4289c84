import { quoteIdent, quoteLiteral } from "../sql/quote.js";
import type { ColumnFacts } from "./catalog.js";
import { keyedDigestSql } from "./hmac.js";
import { nameWords } from "./name-test.js";
import { FAMILY_NAMES, GIVEN_NAMES } from "./names.js";
import type { MaskRule } from "./rules.js";

/**
 * The transformers as SQL expressions the source computes per row, over `t.<column>` (the COPY
 * reads `FROM ONLY <table> AS t`). Every keyed one hashes the value's text with HMAC-SHA-256 under
 * a label of its own, so the same input gives the same output in every table and every run, and
 * different transformers share no bits. NULL stays NULL. docs/masking.md has an example of each.
 */

/** The reserved domain every masked email is on (RFC 2606: .invalid never resolves). */
export const EMAIL_DOMAIN = "example.invalid";
/** Hex digits of the keyed hash in a masked email's local part: 64 bits. */
export const EMAIL_HASH_DIGITS = 16;
export const EMAIL_LENGTH = EMAIL_HASH_DIGITS + 1 + EMAIL_DOMAIN.length;
/** The shortest a `hash` output may be cut to fit its column: 64 bits. */
export const MIN_HASH_DIGITS = 16;

export interface MaskTarget {
  /** The column as the COPY's SELECT reads it. */
  readonly column: string;
  readonly facts: ColumnFacts;
  /** The primary key's columns, for `shift-days`. */
  readonly primaryKey?: readonly string[];
  /** Which column's name picks the `name` variant (the column the rule was written for). */
  readonly nameFrom: string;
}

export type Built = { readonly sql: string } | { readonly refusal: string };

/** The expression that computes the masked value, or why the rule cannot apply to this column. */
export function buildMask(rule: MaskRule, target: MaskTarget): Built {
  const v = `t.${quoteIdent(target.column)}`;
  const { facts } = target;
  const isString = facts.category === "S";
  const needsString = (what: string) =>
    isString ? undefined : `${what} needs a string column (text, varchar, char), not ${facts.baseType}`;
  switch (rule.kind) {
    case "email": {
      const problem = needsString("email") ?? tooShort(facts, EMAIL_LENGTH, "a masked email");
      if (problem) return { refusal: problem };
      return {
        sql: nullSafe(
          v,
          `pg_catalog.substr(pg_catalog.encode(${keyedDigestSql("email", v)}, 'hex'), 1, ${EMAIL_HASH_DIGITS}) || '@${EMAIL_DOMAIN}'`,
        ),
      };
    }
    case "hash": {
      const problem = needsString("hash") ?? tooShort(facts, MIN_HASH_DIGITS, "a keyed hash (64 bits)");
      if (problem) return { refusal: problem };
      const digits = Math.min(64, facts.maxLength ?? 64);
      return {
        sql: nullSafe(
          v,
          `pg_catalog.substr(pg_catalog.encode(${keyedDigestSql("hash", v)}, 'hex'), 1, ${digits})`,
        ),
      };
    }
    case "phone": {
      const problem = needsString("phone");
      return problem ? { refusal: problem } : { sql: phoneSql(v) };
    }
    case "name": {
      const problem = needsString("name");
      return problem
        ? { refusal: problem }
        : { sql: nameSql(v, nameVariant(target.nameFrom), facts.maxLength) };
    }
    case "null":
      return { sql: "NULL" };
    case "fixed": {
      if (facts.maxLength !== undefined && rule.value.length > facts.maxLength)
        return {
          refusal: `the fixed value has ${rule.value.length} characters; the column holds ${facts.maxLength}`,
        };
      return { sql: nullSafe(v, quoteLiteral(rule.value)) };
    }
    case "shift-days":
      return shiftSql(rule.days, v, target);
    case "sql":
      return { sql: `(${rule.sql})` };
  }
}

function tooShort(facts: ColumnFacts, needed: number, what: string): string | undefined {
  if (facts.maxLength === undefined || facts.maxLength >= needed) return undefined;
  return `${what} needs ${needed} characters; the column holds ${facts.maxLength}`;
}

function nullSafe(v: string, expression: string): string {
  return `CASE WHEN ${v} IS NULL THEN NULL ELSE ${expression} END`;
}

/**
 * Keyed digits: every digit after the kept prefix is replaced by one from the keyed bytes; other
 * characters (`+`, spaces, dashes, brackets) stay where they are, so the length and the format do.
 * Kept: after `+` or `00`, the country calling code (1 to 3 digits, found from the first digits as
 * ITU-T E.164 assigns them); a national number keeps its leading trunk `0`.
 */
function phoneSql(v: string): string {
  const s = `(${v})::text`;
  const digits = `pg_catalog.regexp_replace(${s}, '[^0-9]', '', 'g')`;
  const countryCode = (d: string) =>
    `CASE WHEN ${d} ~ '^[17]' THEN 1 WHEN ${d} ~ '^(2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58])' THEN 2 ELSE 3 END`;
  const keptDigits = `CASE WHEN ${s} ~ '^[^0-9]*[+]' THEN ${countryCode(digits)}
    WHEN ${s} ~ '^[^0-9+]*00' THEN 2 + ${countryCode(`pg_catalog.substr(${digits}, 3)`)}
    WHEN ${s} ~ '^[^0-9+]*0' THEN 1 ELSE 0 END`;
  // The length of the shortest prefix that holds `keptDigits` digits: where the replacing starts.
  const keep = `coalesce(pg_catalog.length(pg_catalog.substring(${s}, '^(?:[^0-9]*[0-9]){' || (${keptDigits}) || '}')), 0)`;
  const bytes = `${keyedDigestSql("phone", v)} || ${keyedDigestSql("phone-2", v)}`;
  return nullSafe(
    v,
    `coalesce((SELECT pg_catalog.string_agg(CASE WHEN c.pos > p.keep AND c.ch ~ '^[0-9]$'
        THEN pg_catalog.chr(48 + pg_catalog.get_byte(p.h, ((c.pos - 1) % 64)::int) % 10) ELSE c.ch END, '' ORDER BY c.pos)
      FROM (SELECT ${keep} AS keep, ${bytes} AS h) AS p,
           pg_catalog.regexp_split_to_table(${s}, '') WITH ORDINALITY AS c(ch, pos)), '')`,
  );
}

export type NameVariant = "given" | "family" | "full";

/** A column for a given name gets a given name, one for a family name a family name, others both. */
export function nameVariant(column: string): NameVariant {
  const words = nameWords(column);
  if (words.some((w) => ["first", "given", "firstname", "forename"].includes(w))) return "given";
  if (words.some((w) => ["last", "surname", "family", "lastname"].includes(w))) return "family";
  return "full";
}

function nameSql(v: string, variant: NameVariant, maxLength: number | undefined): string {
  const pick = (names: readonly string[], byte: number) =>
    `(ARRAY[${names.map(quoteLiteral).join(",")}])[1 + pg_catalog.get_byte(m.h, ${byte})]`;
  const name =
    variant === "given"
      ? pick(GIVEN_NAMES, 0)
      : variant === "family"
        ? pick(FAMILY_NAMES, 1)
        : `${pick(GIVEN_NAMES, 0)} || ' ' || ${pick(FAMILY_NAMES, 1)}`;
  const fitted = maxLength === undefined ? name : `pg_catalog.substr(${name}, 1, ${maxLength})`;
  return nullSafe(v, `(SELECT ${fitted} FROM (SELECT ${keyedDigestSql("name", v)} AS h) AS m)`);
}

const DATE_TYPES = new Set(["date", "timestamp", "timestamptz"]);

/**
 * Dates and timestamps moved by a whole number of days in [-N, N], the same for every shifted
 * column of a row: keyed on the row's primary key, so one row's dates keep their order and the
 * same row moves the same way in every run.
 */
function shiftSql(days: number, v: string, target: MaskTarget): Built {
  const { facts, primaryKey } = target;
  if (facts.baseTypeSchema !== "pg_catalog" || !DATE_TYPES.has(facts.baseType))
    return { refusal: `shift-days needs a date, timestamp or timestamptz column, not ${facts.baseType}` };
  if (!primaryKey || primaryKey.length === 0)
    return { refusal: "shift-days derives the shift from the primary key, and the table has none" };
  const key = `ROW(${primaryKey.map((c) => `t.${quoteIdent(c)}`).join(", ")})`;
  const unsigned = `('x' || pg_catalog.substr(pg_catalog.encode(${keyedDigestSql("shift", key)}, 'hex'), 1, 8))::bit(32)::bigint`;
  const offset = `((${unsigned} % ${2 * days + 1}) - ${days})`;
  return {
    sql: facts.baseType === "date" ? `${v} + ${offset}::integer` : `${v} + ${offset} * interval '1 day'`,
  };
}
