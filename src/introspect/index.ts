import type pg from "pg";
import type {
  CatalogModel,
  Column,
  Constraint,
  ConstraintKind,
  Index,
  Sequence,
  SequenceOptions,
  ServerInfo,
  Table,
} from "./model.js";
import type { ColumnRow } from "./queries/columns.js";
import { readColumns } from "./queries/columns.js";
import { type ConstraintRow, readConstraints } from "./queries/constraints.js";
import { readEnums } from "./queries/enums.js";
import { readIndexes } from "./queries/indexes.js";
import { readNotCarried } from "./queries/inventory.js";
import { readSchemas } from "./queries/schemas.js";
import { readSequences, type SequenceRow } from "./queries/sequences.js";
import { readServerInfo } from "./queries/server.js";
import { readTables, type TableRow } from "./queries/tables.js";

export type { CatalogModel } from "./model.js";
export { readServerInfo };

export interface IntrospectOptions {
  /** Only these schemas (by name); all user schemas when absent. */
  readonly schemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
}

/**
 * Reads the catalog into the typed model. Must run with search_path = pg_catalog (the tool's sessions
 * set it), so that every user object in deparsed text is schema-qualified.
 */
export async function introspect(
  client: pg.Client,
  options: IntrospectOptions = {},
  server?: ServerInfo,
): Promise<CatalogModel> {
  const info = server ?? (await readServerInfo(client));
  const schemas = (await readSchemas(client)).filter(
    (s) =>
      (!options.schemas || options.schemas.includes(s.name)) && !options.excludeSchemas?.includes(s.name),
  );
  const schemaOids = schemas.map((s) => s.oid);
  const [enums, tableRows, sequenceRows, inventory] = [
    await readEnums(client, schemaOids),
    await readTables(client, schemaOids),
    await readSequences(client, schemaOids),
    await readNotCarried(client, schemaOids),
  ];
  const tableOids = tableRows.map((t) => t.oid);
  const columnRows = await readColumns(client, tableOids);
  const constraintRows = await readConstraints(client, tableOids);
  const indexRows = await readIndexes(client, tableOids);

  const sequences = sequenceRows.map(parseSequence);
  const sequenceByOid = new Map(sequences.map((s) => [s.oid, s]));
  const columnsByTable = groupBy(columnRows, (c) => c.table_oid);
  const tables = tableRows.map((t) => parseTable(t, columnsByTable.get(t.oid) ?? [], sequenceByOid));

  return {
    server: info,
    schemas,
    enums,
    tables,
    sequences,
    constraints: constraintRows.map(parseConstraint),
    indexes: indexRows.map(
      (r): Index => ({
        oid: r.oid,
        table: { schema: r.schema, name: r.table_name },
        tableOid: r.table_oid,
        name: r.name,
        definition: r.definition,
      }),
    ),
    notCarried: inventory.map((r) => ({
      kind: r.kind,
      identity: r.identity,
      holdsRows: r.holds_rows,
      reason: r.holds_rows
        ? "this object kind is not supported yet; its rows would not be copied"
        : "this object kind is not supported yet",
    })),
  };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

function sequenceOptions(r: SequenceRow): SequenceOptions {
  return {
    dataType: r.data_type,
    start: r.start,
    increment: r.increment,
    min: r.min,
    max: r.max,
    cache: r.cache,
    cycle: r.cycle,
  };
}

function parseSequence(r: SequenceRow): Sequence {
  const owned =
    r.owner_schema !== null && r.owner_table !== null && r.owner_column !== null
      ? { table: { schema: r.owner_schema, name: r.owner_table }, column: r.owner_column }
      : undefined;
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    options: sequenceOptions(r),
    lastValue: r.last_value,
    isIdentity: r.owner_dep === "i",
    ...(owned ? { ownedBy: owned } : {}),
  };
}

function parseTable(
  t: TableRow,
  columns: readonly ColumnRow[],
  sequences: ReadonlyMap<number, Sequence>,
): Table {
  return {
    oid: t.oid,
    schema: t.schema,
    name: t.name,
    persistence: t.persistence === "u" ? "unlogged" : "permanent",
    options: t.options,
    bytes: t.bytes,
    estimatedRows: Math.max(0, t.estimated_rows),
    columns: columns.map((c) => parseColumn(t, c, sequences)),
  };
}

function parseColumn(t: TableRow, c: ColumnRow, sequences: ReadonlyMap<number, Sequence>): Column {
  const base = {
    name: c.name,
    position: c.position,
    type: c.type,
    typeOid: c.type_oid,
    binarySafe: c.binary_safe,
    notNull: c.not_null,
    ...(c.collation_schema !== null && c.collation_name !== null
      ? { collation: { schema: c.collation_schema, name: c.collation_name } }
      : {}),
  };
  if (c.identity !== "") {
    const seq = c.identity_sequence_oid === null ? undefined : sequences.get(c.identity_sequence_oid);
    if (!seq) throw new Error(`identity column ${t.schema}.${t.name}.${c.name} has no identity sequence`);
    return {
      ...base,
      identity: {
        kind: c.identity === "a" ? "always" : "by default",
        sequence: { schema: seq.schema, name: seq.name },
        options: seq.options,
      },
    };
  }
  if (c.generated !== "") {
    return {
      ...base,
      generated: { kind: c.generated === "s" ? "stored" : "virtual", expr: c.default_expr ?? "" },
    };
  }
  return c.default_expr === null ? base : { ...base, defaultExpr: c.default_expr };
}

const CONSTRAINT_KINDS: Record<ConstraintRow["kind"], ConstraintKind> = {
  p: "primary key",
  u: "unique",
  c: "check",
  f: "foreign key",
  x: "exclusion",
};

function parseConstraint(r: ConstraintRow): Constraint {
  return {
    oid: r.oid,
    table: { schema: r.schema, name: r.table_name },
    tableOid: r.table_oid,
    name: r.name,
    kind: CONSTRAINT_KINDS[r.kind],
    definition: r.definition,
    ...(r.referenced_table_oid !== 0 ? { referencedTableOid: r.referenced_table_oid } : {}),
  };
}
