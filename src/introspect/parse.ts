import type {
  Cast,
  Collation,
  Column,
  Constraint,
  ConstraintKind,
  Domain,
  ForeignServer,
  ForeignTable,
  Operator,
  OperatorClass,
  OperatorFamily,
  OperatorMember,
  Policy,
  PolicyCommand,
  QualifiedName,
  RangeType,
  Routine,
  Rule,
  Sequence,
  SequenceOptions,
  StatisticsObject,
  SupportFunction,
  Table,
  TextSearchConfiguration,
  TextSearchDictionary,
  Trigger,
  TriggerState,
  View,
} from "./model.js";
import type { CastRow } from "./queries/casts.js";
import type { CollationRow } from "./queries/collations.js";
import type { ColumnRow } from "./queries/columns.js";
import type { ConstraintRow } from "./queries/constraints.js";
import type { ForeignServerRow, ForeignTableRow } from "./queries/foreign-tables.js";
import type { OperatorClassRow, OperatorFamilyRow, OperatorRow } from "./queries/operators.js";
import type { AggregateRow, RoutineRow } from "./queries/routines.js";
import type { RuleRow } from "./queries/rules.js";
import type { SequenceRow } from "./queries/sequences.js";
import type { StatisticsRow } from "./queries/statistics.js";
import type { PolicyRow, TriggerRow } from "./queries/table-objects.js";
import type { TableRow } from "./queries/tables.js";
import type { TextSearchConfigurationRow, TextSearchDictionaryRow } from "./queries/text-search.js";
import type { DomainRow, RangeRow } from "./queries/types.js";
import type { ViewRow } from "./queries/views.js";
import { renderAggregate } from "./render-aggregate.js";

/** Raw catalog rows to domain objects: catalog codes are decoded here, once. */

export function parseSequence(r: SequenceRow): Sequence {
  const options: SequenceOptions = {
    dataType: r.data_type,
    start: r.start,
    increment: r.increment,
    min: r.min,
    max: r.max,
    cache: r.cache,
    cycle: r.cycle,
  };
  const owned =
    r.owner_schema !== null && r.owner_table !== null && r.owner_column !== null
      ? { table: { schema: r.owner_schema, name: r.owner_table }, column: r.owner_column }
      : undefined;
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    options,
    lastValue: r.last_value,
    isIdentity: r.owner_dep === "i",
    ...(owned ? { ownedBy: owned } : {}),
  };
}

export function parseTable(
  t: TableRow,
  columns: readonly ColumnRow[],
  sequences: ReadonlyMap<number, Sequence>,
): Table {
  const all = columns.map((c) => parseColumn(t, c, sequences));
  const parent = t.parents[0];
  return {
    oid: t.oid,
    schema: t.schema,
    name: t.name,
    persistence: t.persistence === "u" ? "unlogged" : "permanent",
    options: t.options,
    bytes: t.bytes,
    estimatedRows: Math.max(0, t.estimated_rows),
    allColumns: all,
    columns: all.filter((_c, i) => columns[i]?.is_local),
    inherits: t.is_partition ? [] : t.parents,
    rowSecurity: t.row_security,
    forceRowSecurity: t.force_row_security,
    ...(t.partition_key !== null ? { partitionKey: t.partition_key } : {}),
    ...(t.is_partition && parent && t.partition_bound !== null
      ? { partitionOf: { parent, bound: t.partition_bound } }
      : {}),
  };
}

export function parseColumn(
  t: { readonly schema: string; readonly name: string },
  c: ColumnRow,
  sequences: ReadonlyMap<number, Sequence>,
): Column {
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

export function parseConstraint(r: ConstraintRow): Constraint {
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

export function parseDomain(r: DomainRow): Domain {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    baseType: r.base_type,
    notNull: r.not_null,
    checks: r.checks,
    ...(r.default_expr !== null ? { defaultExpr: r.default_expr } : {}),
    ...(r.collation_schema !== null && r.collation_name !== null
      ? { collation: { schema: r.collation_schema, name: r.collation_name } }
      : {}),
  };
}

export function parseRange(r: RangeRow): RangeType {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    subtype: r.subtype,
    ...(r.subtype_opclass !== null ? { subtypeOpclass: r.subtype_opclass } : {}),
    ...(r.collation !== null ? { collation: r.collation } : {}),
    ...(r.subtype_diff !== null ? { subtypeDiff: r.subtype_diff } : {}),
    ...(r.canonical !== null ? { canonical: r.canonical } : {}),
    ...(r.multirange_schema !== null && r.multirange_name !== null
      ? { multirange: { schema: r.multirange_schema, name: r.multirange_name } }
      : {}),
  };
}

export function parseRoutine(r: RoutineRow, aggregates: ReadonlyMap<number, AggregateRow>): Routine {
  const kind = r.kind === "a" ? "aggregate" : r.kind === "p" ? "procedure" : "function";
  let definition = r.definition;
  if (r.kind === "a") {
    const agg = aggregates.get(r.oid);
    if (!agg) throw new Error(`aggregate ${r.schema}.${r.name} has no pg_aggregate row`);
    definition = renderAggregate(r, agg);
  }
  if (definition === null) throw new Error(`routine ${r.schema}.${r.name} has no definition`);
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    kind,
    identityArgs: r.identity_args,
    language: r.language,
    definition,
  };
}

export function parseView(r: ViewRow): View {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    materialized: r.kind === "m",
    definition: r.definition.trim().replace(/;$/, ""),
    columns: r.columns,
    options: r.options,
    populated: r.populated,
  };
}

const TRIGGER_STATES: Record<TriggerRow["enabled"], TriggerState> = {
  O: "origin",
  D: "disabled",
  R: "replica",
  A: "always",
};

export function parseTrigger(r: TriggerRow, relations: ReadonlyMap<number, QualifiedName>): Trigger {
  const table = relations.get(r.table_oid);
  if (!table) throw new Error(`trigger ${r.name} is on a relation that is not copied`);
  return {
    oid: r.oid,
    table: { schema: table.schema, name: table.name },
    tableOid: r.table_oid,
    name: r.name,
    definition: r.definition,
    state: TRIGGER_STATES[r.enabled],
  };
}

const POLICY_COMMANDS: Record<PolicyRow["command"], PolicyCommand> = {
  r: "select",
  a: "insert",
  w: "update",
  d: "delete",
  "*": "all",
};

export function parsePolicy(r: PolicyRow, tables: ReadonlyMap<number, Table>): Policy {
  const table = tables.get(r.table_oid);
  if (!table) throw new Error(`policy ${r.name} is on a table that is not copied`);
  return {
    oid: r.oid,
    table: { schema: table.schema, name: table.name },
    tableOid: r.table_oid,
    name: r.name,
    permissive: r.permissive,
    command: POLICY_COMMANDS[r.command],
    roles: r.roles,
    roleNames: r.role_names,
    ...(r.using_expr !== null ? { using: r.using_expr } : {}),
    ...(r.check_expr !== null ? { withCheck: r.check_expr } : {}),
  };
}

// Collations, statistics objects, rules, text search, casts, operators, foreign tables.

const COLLATION_PROVIDERS: Record<CollationRow["provider"], Collation["provider"]> = {
  c: "libc",
  i: "icu",
  b: "builtin",
};

/** The locale columns were already brought to one shape per version by the query (collationLocaleColumns). */
export function parseCollation(r: CollationRow): Collation {
  const provider = COLLATION_PROVIDERS[r.provider];
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    provider,
    deterministic: r.deterministic,
    ...(provider === "libc" && r.lc_collate !== null ? { lcCollate: r.lc_collate } : {}),
    ...(provider === "libc" && r.lc_ctype !== null ? { lcCtype: r.lc_ctype } : {}),
    ...(provider !== "libc" && r.locale !== null ? { locale: r.locale } : {}),
    ...(r.icu_rules !== null ? { icuRules: r.icu_rules } : {}),
  };
}

export function parseStatistics(r: StatisticsRow): StatisticsObject {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    table: { schema: r.table_schema, name: r.table_name },
    tableOid: r.table_oid,
    definition: r.definition,
    ...(r.target !== null ? { target: r.target } : {}),
  };
}

export function parseRule(r: RuleRow): Rule {
  return {
    oid: r.oid,
    table: { schema: r.table_schema, name: r.table_name },
    tableOid: r.table_oid,
    name: r.name,
    definition: r.definition.trim().replace(/;$/, ""),
    state: TRIGGER_STATES[r.enabled],
  };
}

export function parseTextSearchDictionary(r: TextSearchDictionaryRow): TextSearchDictionary {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    template: { schema: r.template_schema, name: r.template_name },
    ...(r.options !== null && r.options !== "" ? { options: r.options } : {}),
  };
}

export function parseTextSearchConfiguration(r: TextSearchConfigurationRow): TextSearchConfiguration {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    parser: { schema: r.parser_schema, name: r.parser_name },
    mappings: r.mappings.map((m) => ({ tokenType: m.token_type, dictionaries: m.dictionaries })),
  };
}

const CAST_CONTEXTS: Record<CastRow["context"], Cast["context"]> = {
  e: "explicit",
  a: "assignment",
  i: "implicit",
};
const CAST_METHODS: Record<CastRow["method"], Cast["method"]> = { f: "function", b: "binary", i: "inout" };

export function parseCast(r: CastRow): Cast {
  return {
    oid: r.oid,
    source: r.source,
    target: r.target,
    method: CAST_METHODS[r.method],
    context: CAST_CONTEXTS[r.context],
    rangeTypes: r.range_types,
    ...(r.function !== null ? { function: r.function } : {}),
  };
}

export function parseOperator(r: OperatorRow): Operator {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    right: r.right_type,
    result: r.result_type,
    function: r.function,
    hashes: r.hashes,
    merges: r.merges,
    ...(r.left_type !== null ? { left: r.left_type } : {}),
    ...(r.commutator_schema !== null && r.commutator_name !== null
      ? { commutator: { schema: r.commutator_schema, name: r.commutator_name } }
      : {}),
    ...(r.negator_schema !== null && r.negator_name !== null
      ? { negator: { schema: r.negator_schema, name: r.negator_name } }
      : {}),
    ...(r.restrict_function !== null ? { restrict: r.restrict_function } : {}),
    ...(r.join_function !== null ? { join: r.join_function } : {}),
  };
}

function parseMembers(r: Pick<OperatorClassRow, "operators" | "functions">): {
  operators: OperatorMember[];
  functions: SupportFunction[];
} {
  return {
    operators: r.operators.map((o) => ({
      strategy: o.strategy,
      operator: { schema: o.schema, name: o.name },
      left: o.left,
      right: o.right,
      ...(o.order_by_schema !== null && o.order_by_name !== null
        ? { orderBy: { schema: o.order_by_schema, name: o.order_by_name } }
        : {}),
    })),
    functions: r.functions.map((f) => ({
      number: f.number,
      left: f.left,
      right: f.right,
      function: f.function,
    })),
  };
}

export function parseOperatorClass(r: OperatorClassRow): OperatorClass {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    method: r.method,
    type: r.type,
    isDefault: r.is_default,
    family: { schema: r.family_schema, name: r.family_name },
    ...(r.storage !== null ? { storage: r.storage } : {}),
    ...parseMembers(r),
  };
}

export function parseOperatorFamily(r: OperatorFamilyRow): OperatorFamily {
  return { oid: r.oid, schema: r.schema, name: r.name, method: r.method, ...parseMembers(r) };
}

export function parseForeignServer(r: ForeignServerRow): ForeignServer {
  return {
    oid: r.oid,
    name: r.name,
    wrapper: r.wrapper,
    options: r.options,
    ...(r.type !== null ? { type: r.type } : {}),
    ...(r.version !== null ? { version: r.version } : {}),
  };
}

export function parseForeignTable(r: ForeignTableRow, columns: readonly ColumnRow[]): ForeignTable {
  const parent = r.parents[0];
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    server: r.server,
    options: r.options,
    // Foreign tables have no identity columns, so no sequences are needed.
    columns: columns.filter((c) => c.is_local).map((c) => parseColumn(r, c, new Map())),
    columnOptions: r.column_options,
    inherits: r.is_partition ? [] : r.parents,
    ...(r.is_partition && parent && r.partition_bound !== null
      ? { partitionOf: { parent, bound: r.partition_bound } }
      : {}),
  };
}
