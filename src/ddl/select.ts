import { PgsyncError } from "../errors.js";
import type { CatalogModel, QualifiedName } from "../introspect/model.js";
import type { RelationName } from "../introspect/queries/relation-names.js";
import { describeObject } from "../sql/describe.js";
import { qualify } from "../sql/quote.js";
import { closestNames } from "../util/closest.js";
import type { Refusal } from "./version-rules.js";

export interface TableSelection {
  /** Only these tables ("schema.table") and the tables of `includeSchemas`; every table when both are absent. */
  readonly includeTables?: readonly string[];
  readonly includeSchemas?: readonly string[];
  /** These tables ("schema.table") are left out, with their partitions and inheritance children. */
  readonly excludeTables?: readonly string[];
}

/**
 * Narrows the model to the selected tables. What belongs to a left-out table (its keys, indexes,
 * triggers, policies, owned sequences, comments) goes with it. What a kept object needs from a
 * left-out table (a foreign key, a view over it) cannot be carried: it is refused, by name.
 */
export function selectTables(
  model: CatalogModel,
  selection: TableSelection,
): { model: CatalogModel; refusals: Refusal[] } {
  const name = (t: QualifiedName) => `${t.schema}.${t.name}`;
  const included = (t: QualifiedName) =>
    (!selection.includeTables && !selection.includeSchemas) ||
    selection.includeTables?.includes(name(t)) ||
    selection.includeSchemas?.includes(t.schema);
  const excluded = new Set(
    model.tables.filter((t) => !included(t) || selection.excludeTables?.includes(name(t))).map((t) => t.oid),
  );
  if (excluded.size === 0) return { model, refusals: outsideReferences(model) };
  // Partitions and children go with their parent.
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of model.tables) {
      const parents = [...t.inherits, ...(t.partitionOf ? [t.partitionOf.parent] : [])];
      const parentOut = parents.some((p) =>
        model.tables.some((x) => excluded.has(x.oid) && x.schema === p.schema && x.name === p.name),
      );
      if (parentOut && !excluded.has(t.oid)) {
        excluded.add(t.oid);
        grew = true;
      }
    }
  }
  const out = (oid: number) => excluded.has(oid);
  const outKeys = new Set([...excluded].map((oid) => `pg_class:${oid}`));
  const refusals: Refusal[] = outsideReferences(model);
  const tableName = (oid: number) => {
    const t = model.tables.find((x) => x.oid === oid);
    return t ? qualify(t.schema, t.name) : `relation ${oid}`;
  };
  for (const c of model.constraints) {
    if (
      c.kind === "foreign key" &&
      c.referencedTableOid !== undefined &&
      out(c.referencedTableOid) &&
      !out(c.tableOid)
    ) {
      refusals.push({
        object: describeObject("constraint", c.name, { on: c.table }),
        reason: `it references ${tableName(c.referencedTableOid)}, which the selection leaves out`,
      });
    }
  }
  for (const v of model.views) {
    for (const d of model.dependencies) {
      if (d.dependent === `pg_class:${v.oid}` && outKeys.has(d.referenced)) {
        refusals.push({
          object: describeObject("view", v),
          reason: `it reads ${tableName(Number(d.referenced.split(":")[1]))}, which the selection leaves out`,
        });
      }
    }
  }
  const keptTables = model.tables.filter((t) => !out(t.oid));
  const ownedByOut = (s: { ownedBy?: { table: QualifiedName } }) =>
    s.ownedBy !== undefined &&
    !keptTables.some((t) => t.schema === s.ownedBy?.table.schema && t.name === s.ownedBy.table.name);
  const outObjects = new Set<string>([
    ...outKeys,
    ...model.constraints.filter((c) => out(c.tableOid)).map((c) => `pg_constraint:${c.oid}`),
    ...model.indexes.filter((i) => out(i.tableOid)).map((i) => `pg_class:${i.oid}`),
    ...model.triggers.filter((t) => out(t.tableOid)).map((t) => `pg_trigger:${t.oid}`),
    ...model.policies.filter((p) => out(p.tableOid)).map((p) => `pg_policy:${p.oid}`),
  ]);
  return {
    model: {
      ...model,
      tables: keptTables,
      constraints: model.constraints.filter((c) => !out(c.tableOid)),
      indexes: model.indexes.filter((i) => !out(i.tableOid)),
      triggers: model.triggers.filter((t) => !out(t.tableOid)),
      policies: model.policies.filter((p) => !out(p.tableOid)),
      sequences: model.sequences.filter((s) => !ownedByOut(s)),
      comments: model.comments.filter((c) => !outObjects.has(c.target)),
    },
    refusals,
  };
}

/** Every name a run's selection holds, by what it selects (the command line's and the profile's together). */
export interface SelectionNames {
  readonly schemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
  readonly includeTables?: readonly string[];
  readonly excludeTables?: readonly string[];
  readonly structureOnly?: readonly string[];
}

/** The source's names a selection may use: its user schemas, and the relations in them. */
export interface SourceNames {
  readonly schemas: readonly string[];
  readonly relations: readonly RelationName[];
}

/** Where a name comes from, as the user wrote it: the command-line flag and the profile key. */
const ORIGIN: Record<keyof SelectionNames, string> = {
  schemas: "--schema, include.schemas",
  excludeSchemas: "--exclude-schema, exclude.schemas",
  includeTables: "--table, include.tables",
  excludeTables: "--exclude-table, exclude.tables",
  structureOnly: "--structure-only, structureOnly",
};

/**
 * Refuses a selection that names a schema or table the source does not have, before anything is
 * written: a typo would otherwise copy nothing (`--schema pubic`), or quietly copy what was meant to
 * be left out (`--exclude-table public.custmers`). One error lists every such name, each with the
 * closest names the source has. Names are `schema.table` as the catalog spells them (docs/config.md).
 */
export function checkSelection(selection: SelectionNames, source: SourceNames): void {
  const problems: string[] = [];
  for (const key of ["schemas", "excludeSchemas"] as const) {
    for (const schema of new Set(selection[key] ?? [])) {
      if (source.schemas.includes(schema)) continue;
      problems.push(`schema ${schema} (${ORIGIN[key]}): ${unknownSchema(schema, source)}`);
    }
  }
  for (const key of ["includeTables", "excludeTables", "structureOnly"] as const) {
    for (const table of new Set(selection[key] ?? [])) {
      const problem = tableProblem(table, source);
      if (problem) problems.push(`table ${table} (${ORIGIN[key]}): ${problem}`);
    }
  }
  if (problems.length === 0) return;
  throw new PgsyncError(
    "config",
    problems.length === 1
      ? `the selection names what the source database does not have: ${problems[0]}`
      : `the selection names ${problems.length} things the source database does not have:\n  ${problems.join("\n  ")}`,
  );
}

function unknownSchema(schema: string, source: SourceNames): string {
  const close = closestNames(schema, source.schemas);
  return close.length > 0
    ? `the source has no such schema; did you mean ${close.join(" or ")}?`
    : `the source has no such schema (its schemas: ${listed(source.schemas)})`;
}

/** Why a `schema.table` of the selection names no table of the source, or undefined when it does. */
function tableProblem(text: string, source: SourceNames): string | undefined {
  const dot = text.indexOf(".");
  const full = (r: { schema: string; name: string }) => `${r.schema}.${r.name}`;
  if (dot < 0) {
    // Unqualified: the same name in any schema is what was meant, else the closest table names.
    const same = source.relations.filter((r) => r.kind === "table" && r.name === text).map(full);
    const close =
      same.length > 0
        ? same
        : closestNames(
            text,
            source.relations.filter((r) => r.kind === "table").map((r) => r.name),
          ).flatMap((name) =>
            source.relations.filter((r) => r.kind === "table" && r.name === name).map(full),
          );
    return `write it as schema.table${close.length > 0 ? `; did you mean ${close.slice(0, 3).join(" or ")}?` : ""}`;
  }
  const schema = text.slice(0, dot);
  const name = text.slice(dot + 1);
  const found = source.relations.find((r) => r.schema === schema && r.name === name);
  if (found?.kind === "table") return undefined;
  if (found)
    return `${text} is a ${found.kind}; a selection names tables (a ${found.kind} goes with its schema)`;
  const tables = source.relations.filter((r) => r.kind === "table").map(full);
  if (!source.schemas.includes(schema)) {
    const close = closestNames(text, tables);
    if (close.length > 0) return `the source has no schema ${schema}; did you mean ${close.join(" or ")}?`;
    const schemas = closestNames(schema, source.schemas);
    return schemas.length > 0
      ? `the source has no schema ${schema}; did you mean schema ${schemas.join(" or ")}?`
      : `the source has no schema ${schema} (its schemas: ${listed(source.schemas)})`;
  }
  // The schema is right: the table's name is compared with the names of that schema's tables.
  const inSchema = source.relations.filter((r) => r.kind === "table" && r.schema === schema).map(full);
  const close = closestNames(
    name,
    inSchema.map((t) => t.slice(schema.length + 1)),
  ).map((n) => `${schema}.${n}`);
  if (close.length > 0) return `the source has no such table; did you mean ${close.join(" or ")}?`;
  return inSchema.length > 0
    ? `the source has no such table (the tables of ${schema}: ${listed(inSchema)})`
    : `the source has no such table (schema ${schema} has no tables)`;
}

/** A list for a message: the first few names, and how many more there are. */
function listed(names: readonly string[], shown = 8): string {
  if (names.length === 0) return "none";
  const more = names.length - shown;
  return `${names.slice(0, shown).join(", ")}${more > 0 ? `, and ${more} more` : ""}`;
}

/**
 * Foreign keys to tables outside the synced schemas (the model holds only those; a table an
 * extension created is the extension's, created with it on the destination): the destination
 * would have to hold the referenced rows already, and a later run of those schemas would move them
 * into its snapshot, the key with them. Refused up front, naming both, instead of failing after
 * the load.
 */
function outsideReferences(model: CatalogModel): Refusal[] {
  const synced = new Set(model.tables.map((t) => t.oid));
  return model.constraints
    .filter(
      (c) =>
        c.kind === "foreign key" &&
        !c.referencesExtensionTable &&
        c.referencedTableOid !== undefined &&
        !synced.has(c.referencedTableOid),
    )
    .map((c) => ({
      object: describeObject("constraint", c.name, { on: c.table }),
      reason: `it references ${c.referencedTable ? qualify(c.referencedTable.schema, c.referencedTable.name) : "a table"}, which is outside the synced schemas; add its schema to the selection`,
    }));
}
