import type {
  CatalogModel,
  Column,
  QualifiedName,
  Sequence,
  SequenceOptions,
  Table,
} from "../introspect/model.js";
import { qualify, quoteIdent, quoteLiteral } from "./quote.js";
import { requalify, type SchemaMapper } from "./requalify.js";
import { findRefusals, type Refusal } from "./version-rules.js";

/** One DDL statement and the object it creates, for error messages and the plan output. */
export interface Statement {
  readonly object: string;
  readonly sql: string;
}

export type CopyFormat = "binary" | "text";

export interface TablePlan {
  readonly table: Table;
  readonly staging: QualifiedName;
  /** Columns that COPY carries, in order; generated columns are computed by the destination. */
  readonly columns: readonly string[];
  readonly format: CopyFormat;
  readonly copyData: boolean;
  /** Primary key, unique, check and exclusion constraints and indexes, built after the table's load. */
  readonly build: readonly Statement[];
}

export interface SchemaPlan {
  readonly name: string;
  readonly staging: string;
}

export interface SyncPlan {
  readonly targetMajor: number;
  readonly schemas: readonly SchemaPlan[];
  /** Staging schemas, types, sequences and tables without constraints: one transaction before the load. */
  readonly preData: readonly Statement[];
  readonly tables: readonly TablePlan[];
  /** Foreign keys (after every table is loaded, so cycles need no ordering) and sequence values. */
  readonly postData: readonly Statement[];
  readonly refusals: readonly Refusal[];
}

export interface PlanOptions {
  readonly targetMajor: number;
  /** Prefix of the staging schema names; unique per run. */
  readonly stagingPrefix: string;
  /** Tables ("schema.table") whose structure is copied without data. */
  readonly structureOnly?: readonly string[];
}

export function planSync(model: CatalogModel, options: PlanOptions): SyncPlan {
  const schemas = model.schemas.map((s, i) => ({
    name: s.name,
    staging: `${options.stagingPrefix}_${i + 1}`,
  }));
  const stagingOf = new Map(schemas.map((s) => [s.name, s.staging]));
  const staged = new Set<string>();
  const key = (schema: string, name: string) => `${schema}\u0000${name}`;
  for (const o of [...model.enums, ...model.tables, ...model.sequences]) staged.add(key(o.schema, o.name));
  const mapper: SchemaMapper = (schema, name) =>
    staged.has(key(schema, name)) ? stagingOf.get(schema) : undefined;
  const stage = (o: QualifiedName): QualifiedName => ({
    schema: stagingOf.get(o.schema) ?? o.schema,
    name: o.name,
  });
  const q = (o: QualifiedName) => qualify(o.schema, o.name);
  const label = (kind: string, o: QualifiedName) => `${kind} ${q(o)}`;

  const preData: Statement[] = [];
  for (const s of schemas)
    preData.push({ object: `schema ${quoteIdent(s.name)}`, sql: `CREATE SCHEMA ${quoteIdent(s.staging)}` });
  for (const e of model.enums) {
    preData.push({
      object: label("type", e),
      sql: `CREATE TYPE ${q(stage(e))} AS ENUM (${e.labels.map(quoteLiteral).join(", ")})`,
    });
  }
  for (const s of model.sequences.filter((s) => !s.isIdentity)) {
    preData.push({
      object: label("sequence", s),
      sql: `CREATE SEQUENCE ${q(stage(s))} ${sequenceClauses(s.options, true)}`,
    });
  }
  for (const t of model.tables) {
    preData.push({ object: label("table", t), sql: createTable(t, stage(t), mapper) });
  }
  for (const s of model.sequences.filter((s) => !s.isIdentity && s.ownedBy)) {
    const owner = s.ownedBy as { table: QualifiedName; column: string };
    preData.push({
      object: label("sequence", s),
      sql: `ALTER SEQUENCE ${q(stage(s))} OWNED BY ${q(stage(owner.table))}.${quoteIdent(owner.column)}`,
    });
  }

  const structureOnly = new Set(options.structureOnly ?? []);
  const tables = model.tables.map((t): TablePlan => {
    const copied = t.columns.filter((c) => !c.generated);
    const build: Statement[] = [];
    for (const c of model.constraints.filter((c) => c.tableOid === t.oid && c.kind !== "foreign key")) {
      build.push({
        object: `constraint ${quoteIdent(c.name)} on ${q(t)}`,
        sql: `ALTER TABLE ${q(stage(t))} ADD CONSTRAINT ${quoteIdent(c.name)} ${requalify(c.definition, mapper)}`,
      });
    }
    for (const i of model.indexes.filter((i) => i.tableOid === t.oid)) {
      build.push({ object: `index ${qualify(t.schema, i.name)}`, sql: requalify(i.definition, mapper) });
    }
    return {
      table: t,
      staging: stage(t),
      columns: copied.map((c) => c.name),
      format: copied.every((c) => c.binarySafe) ? "binary" : "text",
      copyData: !structureOnly.has(`${t.schema}.${t.name}`),
      build,
    };
  });

  const postData: Statement[] = [];
  for (const c of model.constraints.filter((c) => c.kind === "foreign key")) {
    postData.push({
      object: `constraint ${quoteIdent(c.name)} on ${q(c.table)}`,
      sql: `ALTER TABLE ${q(stage(c.table))} ADD CONSTRAINT ${quoteIdent(c.name)} ${requalify(c.definition, mapper)}`,
    });
  }
  for (const s of model.sequences)
    postData.push({ object: label("sequence", s), sql: setSequenceValue(s, stage(s)) });

  return {
    targetMajor: options.targetMajor,
    schemas,
    preData,
    tables,
    postData,
    refusals: findRefusals(model, options.targetMajor),
  };
}

function createTable(t: Table, target: QualifiedName, mapper: SchemaMapper): string {
  const columns = t.columns.map((c) => `  ${columnDefinition(c, mapper)}`);
  const unlogged = t.persistence === "unlogged" ? "UNLOGGED " : "";
  const withOptions = t.options.length > 0 ? ` WITH (${t.options.join(", ")})` : "";
  return `CREATE ${unlogged}TABLE ${qualify(target.schema, target.name)} (\n${columns.join(",\n")}\n)${withOptions}`;
}

function columnDefinition(c: Column, mapper: SchemaMapper): string {
  const parts = [quoteIdent(c.name), requalify(c.type, mapper)];
  if (c.collation) parts.push(`COLLATE ${qualify(c.collation.schema, c.collation.name)}`);
  if (c.identity) {
    const seq = mapper(c.identity.sequence.schema, c.identity.sequence.name) ?? c.identity.sequence.schema;
    parts.push(
      `GENERATED ${c.identity.kind === "always" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY (SEQUENCE NAME ${qualify(seq, c.identity.sequence.name)} ${sequenceClauses(c.identity.options, false)})`,
    );
  } else if (c.generated) {
    parts.push(`GENERATED ALWAYS AS (${requalify(c.generated.expr, mapper)}) STORED`);
  } else if (c.defaultExpr !== undefined) {
    parts.push(`DEFAULT ${requalify(c.defaultExpr, mapper)}`);
  }
  if (c.notNull) parts.push("NOT NULL");
  return parts.join(" ");
}

function sequenceClauses(o: SequenceOptions, withType: boolean): string {
  return [
    withType ? `AS ${o.dataType}` : "",
    `START WITH ${o.start} INCREMENT BY ${o.increment} MINVALUE ${o.min} MAXVALUE ${o.max} CACHE ${o.cache}`,
    o.cycle ? "CYCLE" : "NO CYCLE",
  ]
    .filter(Boolean)
    .join(" ");
}

function setSequenceValue(s: Sequence, target: QualifiedName): string {
  const regclass = `${quoteLiteral(qualify(target.schema, target.name))}::pg_catalog.regclass`;
  return s.lastValue === null
    ? `SELECT pg_catalog.setval(${regclass}, ${s.options.start}, false)`
    : `SELECT pg_catalog.setval(${regclass}, ${s.lastValue}, true)`;
}
