import { createHash } from "node:crypto";
import { KEEP_LARGE_OBJECTS } from "../config/masking-schema.js";
import { formatQualifiedName, parseColumnName } from "../config/qualified-name.js";
import type { MaskRuleSpec } from "../config/types.js";
import type { Column, Table } from "../introspect/model.js";
import type { MaskCatalog } from "./catalog.js";
import { type ColumnKey, columnClasses, columnKey, splitColumnKey } from "./classes.js";
import { keyId } from "./hmac.js";
import { looksPersonal } from "./name-test.js";
import { describeRule, type MaskRule, ruleFromSpec, ruleSpec, sameRule } from "./rules.js";
import { buildMask } from "./transformers.js";

/** The masking section of a run's options (the key is handled apart: src/pipeline/steps/mask.ts). */
export interface MaskingRules {
  readonly rules: Readonly<Record<string, MaskRuleSpec>>;
  readonly keep: readonly string[];
  readonly strict: boolean;
}

export interface MaskedColumn {
  readonly tableOid: number;
  /** `schema.table.column`, as a profile writes it. */
  readonly name: string;
  readonly column: string;
  readonly rule: MaskRule;
  /** The expression the source computes, and the column's type it is cast to. */
  readonly sql: string;
  readonly type: string;
  /** The column it takes its rule from (through a foreign key or its parent), when not its own. */
  readonly via?: string;
}

export interface ResolveInput {
  /** Every table of the source model (to tell a table the run leaves out from one that does not exist). */
  readonly allTables: readonly Table[];
  /** The tables of the run's plan, partitioned parents included. */
  readonly planned: readonly Table[];
  /** The oids of the planned tables whose rows are copied. */
  readonly copied: ReadonlySet<number>;
  readonly catalog: MaskCatalog;
  readonly rules: MaskingRules;
  /** Large objects the run carries (a strict run refuses them unless kept). */
  readonly largeObjects: number;
}

export interface Resolution {
  /** Per table oid, its masked columns by name (copied tables only). */
  readonly byTable: ReadonlyMap<number, ReadonlyMap<string, MaskedColumn>>;
  /** Every masked column of a copied table. */
  readonly columns: readonly MaskedColumn[];
  /** Rules that cannot apply: a configuration error (exit 2), nothing is written. */
  readonly problems: readonly string[];
  /** Strict mode: columns no rule or keep covers, in a table with a rule or named like personal data. */
  readonly uncovered: readonly string[];
  /** Whether a rule or a keep entry covers the column (for the unmasked-personal-data warning). */
  readonly covers: (tableOid: number, column: string) => boolean;
}

/** Resolves a profile's rules against the source's catalog: which columns are masked, and how. */
export function resolveMasking(input: ResolveInput): Resolution {
  const { planned, catalog, rules } = input;
  const byOid = new Map(planned.map((t) => [t.oid, t]));
  const tableName = (oid: number) => {
    const t = byOid.get(oid);
    return t ? formatQualifiedName([t.schema, t.name]) : `table ${oid}`;
  };
  const display = (key: ColumnKey) => {
    const { tableOid, column } = splitColumnKey(key);
    return `${tableName(tableOid)}.${formatQualifiedName([column])}`;
  };
  const problems: string[] = [];
  const allByName = new Map(input.allTables.map((t) => [`${t.schema}\u0000${t.name}`, t]));
  /** The planned column a profile names, or undefined (a problem is recorded when it does not exist). */
  const locate = (text: string, what: string): ColumnKey | undefined => {
    const parsed = parseColumnName(text);
    if (!parsed) return undefined;
    const table = allByName.get(`${parsed.schema}\u0000${parsed.table}`);
    if (!table) {
      problems.push(
        `${what} ${text}: the source has no table ${formatQualifiedName([parsed.schema, parsed.table])}`,
      );
      return undefined;
    }
    if (!table.allColumns.some((c) => c.name === parsed.column)) {
      problems.push(
        `${what} ${text}: table ${tableName(table.oid)} has no column ${formatQualifiedName([parsed.column])}`,
      );
      return undefined;
    }
    // A table the run leaves out (exclude, include) is neither masked nor copied: nothing to do.
    return byOid.has(table.oid) ? columnKey(table.oid, parsed.column) : undefined;
  };

  const explicit = new Map<ColumnKey, MaskRule>();
  for (const [text, spec] of Object.entries(rules.rules)) {
    const key = locate(text, "masking rule for");
    if (key) explicit.set(key, ruleFromSpec(spec));
  }
  const kept = new Set<ColumnKey>();
  for (const text of rules.keep) {
    if (text === KEEP_LARGE_OBJECTS) continue;
    const key = locate(text, "keep entry");
    if (key) kept.add(key);
  }

  const classes = columnClasses(planned, catalog.foreignKeys, tableName);
  const ruleOf = new Map<ColumnKey, { rule: MaskRule; origin: ColumnKey }>();
  const seen = new Set<ColumnKey>();
  for (const start of [...explicit.keys(), ...kept]) {
    if (seen.has(start)) continue;
    const members = classes.members(start);
    for (const m of members) seen.add(m);
    const ruled = members.filter((m) => explicit.has(m));
    const keptHere = members.filter((m) => kept.has(m));
    const distinct = ruled.filter(
      (m, i) =>
        ruled.findIndex((o) => sameRule(explicit.get(o) as MaskRule, explicit.get(m) as MaskRule)) === i,
    );
    const joined = `joined by ${classes.reasons(start).join(", ")}`;
    if (distinct.length > 1 || (ruled.length > 0 && keptHere.length > 0)) {
      const sides = [
        ...ruled.map((m) => `${display(m)} (${describeRule(explicit.get(m) as MaskRule)})`),
        ...keptHere.map((m) => `${display(m)} (keep)`),
      ];
      problems.push(`${sides.join(" and ")} are ${joined}: columns joined this way must share one rule`);
      continue;
    }
    const origin = ruled[0];
    if (origin === undefined) {
      // A kept column's class is kept whole: the other side of its foreign key too.
      for (const m of members) kept.add(m);
      continue;
    }
    const rule = explicit.get(origin) as MaskRule;
    if (members.length > 1 && (rule.kind === "sql" || rule.kind === "shift-days"))
      problems.push(
        `${display(origin)} (${describeRule(rule)}): ${rule.kind} computes a value from the row, so the columns it is ${joined} would no longer match; use email, phone, name, hash, fixed or null`,
      );
    for (const m of members) ruleOf.set(m, { rule, origin });
  }

  const factsOf = new Map(catalog.columns.map((f) => [columnKey(f.tableOid, f.name), f]));
  const partitionKeyColumns = partitionKeys(planned, catalog);
  const byTable = new Map<number, Map<string, MaskedColumn>>();
  const columns: MaskedColumn[] = [];
  const shifts = new Map<number, number>();
  for (const [key, { rule, origin }] of ruleOf) {
    const { tableOid, column } = splitColumnKey(key);
    const table = byOid.get(tableOid);
    const col = table?.allColumns.find((c) => c.name === column);
    const facts = factsOf.get(key);
    if (!table || !col || !facts) continue;
    const refuse = (why: string) => problems.push(`masking ${display(key)} (${describeRule(rule)}): ${why}`);
    if (partitionKeyColumns.has(key)) {
      refuse("it is a partition-key column, and a masked row would belong to another partition");
      continue;
    }
    if (col.generated) {
      if (explicit.has(key)) refuse("it is a generated column: mask the columns it is computed from");
      continue;
    }
    const problem = columnProblem(rule, col, key, catalog, input.copied.has(tableOid));
    if (problem) {
      refuse(problem);
      continue;
    }
    if (rule.kind === "shift-days") {
      const other = shifts.get(tableOid);
      if (other !== undefined && other !== rule.days)
        refuse(
          `another column of the table shifts by up to ${other} days: one row's dates keep their order only with one range`,
        );
      shifts.set(tableOid, rule.days);
    }
    const primaryKey = catalog.keys.find((k) => k.tableOid === tableOid && k.kind === "primary key")?.columns;
    const built = buildMask(rule, {
      column,
      facts,
      nameFrom: splitColumnKey(origin).column,
      ...(primaryKey ? { primaryKey } : {}),
    });
    if ("refusal" in built) {
      refuse(built.refusal);
      continue;
    }
    if (!input.copied.has(tableOid)) continue;
    const masked: MaskedColumn = {
      tableOid,
      name: display(key),
      column,
      rule,
      sql: built.sql,
      type: col.type,
      ...(origin === key ? {} : { via: display(origin) }),
    };
    columns.push(masked);
    let map = byTable.get(tableOid);
    if (!map) {
      map = new Map();
      byTable.set(tableOid, map);
    }
    map.set(column, masked);
  }

  const uncovered: string[] = [];
  if (rules.strict) {
    for (const table of planned) {
      if (!input.copied.has(table.oid)) continue;
      const masked = byTable.get(table.oid);
      for (const c of table.allColumns) {
        const key = columnKey(table.oid, c.name);
        if (c.generated || masked?.has(c.name) || kept.has(key) || ruleOf.has(key)) continue;
        if (masked !== undefined) uncovered.push(`${display(key)} (its table has masked columns)`);
        else if (looksPersonal(c.name)) uncovered.push(`${display(key)} (its name looks like personal data)`);
      }
    }
    if (input.largeObjects > 0 && !rules.keep.includes(KEEP_LARGE_OBJECTS))
      uncovered.push(
        `the database's ${input.largeObjects} large object(s) (no rule can mask them: list "${KEEP_LARGE_OBJECTS}" in keep to copy them)`,
      );
  }
  columns.sort((a, b) => a.name.localeCompare(b.name));
  const covers = (tableOid: number, column: string) => {
    const key = columnKey(tableOid, column);
    return ruleOf.has(key) || kept.has(key);
  };
  return { byTable, columns, problems, uncovered, covers };
}

/** Why the rule cannot apply to this column (beyond what its transformer checks), or undefined. */
function columnProblem(
  rule: MaskRule,
  col: Column,
  key: ColumnKey,
  catalog: MaskCatalog,
  copied: boolean,
): string | undefined {
  if (!copied) return undefined;
  const { tableOid, column } = splitColumnKey(key);
  if (rule.kind === "null" && col.notNull) return "the column is NOT NULL";
  if (rule.kind === "fixed") {
    const unique = catalog.keys.find(
      (k) =>
        k.tableOid === tableOid && k.kind !== "check" && k.columns.length === 1 && k.columns[0] === column,
    );
    if (unique) return `one value for every row cannot satisfy the unique index ${unique.name}`;
  }
  return undefined;
}

/** The columns of every planned table that take part in its partition key or an ancestor's. */
function partitionKeys(planned: readonly Table[], catalog: MaskCatalog): Set<ColumnKey> {
  const byName = new Map(planned.map((t) => [`${t.schema}\u0000${t.name}`, t]));
  const keyColumns = new Map<number, Set<string>>();
  for (const k of catalog.partitionKeys) {
    const table = planned.find((t) => t.oid === k.tableOid);
    const names = new Set(k.columns);
    // A column an expression key reads: its name as a whole word of the expression's text.
    for (const c of table?.allColumns ?? [])
      if (
        k.expressions &&
        new RegExp(`(^|[^\\w"])"?${escapeRegExp(c.name)}"?($|[^\\w"])`).test(k.expressions)
      )
        names.add(c.name);
    keyColumns.set(k.tableOid, names);
  }
  const out = new Set<ColumnKey>();
  for (const t of planned) {
    for (let at: Table | undefined = t; at; ) {
      for (const c of keyColumns.get(at.oid) ?? []) out.add(columnKey(t.oid, c));
      const parent: { schema: string; name: string } | undefined = at.partitionOf?.parent;
      at = parent ? byName.get(`${parent.schema}\u0000${parent.name}`) : undefined;
    }
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * What the data of a masked run depends on: the rules as written and the key (by its id, never
 * itself). Recorded on the destination, so that a run under other rules knows the older snapshots
 * hold data masked otherwise, or not at all.
 */
export function maskingFingerprint(rules: Readonly<Record<string, MaskRuleSpec>>, key: string): string {
  const sorted = Object.keys(rules)
    .sort()
    .map((name) => [name, ruleSpec(ruleFromSpec(rules[name] as MaskRuleSpec))]);
  return createHash("sha256")
    .update(JSON.stringify({ version: 1, rules: sorted, key: keyId(key) }))
    .digest("hex")
    .slice(0, 32);
}

/** Copied columns whose names look like personal data and that no rule or keep covers (any profile warns). */
export function unmaskedPersonalColumns(
  planned: readonly Table[],
  copied: ReadonlySet<number>,
  covers: (tableOid: number, column: string) => boolean = () => false,
): string[] {
  const out: string[] = [];
  for (const t of planned) {
    if (!copied.has(t.oid)) continue;
    for (const c of t.allColumns)
      if (!c.generated && !covers(t.oid, c.name) && looksPersonal(c.name))
        out.push(formatQualifiedName([t.schema, t.name, c.name]));
  }
  return out;
}
