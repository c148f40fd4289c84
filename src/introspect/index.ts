import type pg from "pg";
import { readModelComments } from "./comment-targets.js";
import type { CatalogModel, ServerInfo, Table } from "./model.js";
import { parseAccessMethod, readAccessMethods } from "./queries/access-methods.js";
import { parseBaseType, readBaseTypes } from "./queries/base-types.js";
import { readBuiltinFunctionUses } from "./queries/builtin-functions.js";
import { parseCast, readCasts } from "./queries/casts.js";
import { parseCollation, readCollations } from "./queries/collations.js";
import { readColumns } from "./queries/columns.js";
import { parseConstraint, readConstraints } from "./queries/constraints.js";
import { readDatabaseSettings } from "./queries/database-settings.js";
import { readDependencies } from "./queries/dependencies.js";
import { readEnums } from "./queries/enums.js";
import { readExtensions } from "./queries/extensions.js";
import {
  parseForeignServer,
  parseForeignTable,
  readForeignServers,
  readForeignTables,
} from "./queries/foreign-tables.js";
import { parseIndex, readIndexes } from "./queries/indexes.js";
import { readNotCarried } from "./queries/inventory.js";
import { largeObjectsNotCarried, readLargeObjects } from "./queries/large-objects.js";
import {
  parseOperator,
  parseOperatorClass,
  parseOperatorFamily,
  readOperatorClasses,
  readOperatorFamilies,
  readOperators,
} from "./queries/operators.js";
import { readPrivileges } from "./queries/privileges.js";
import { parseRoutine, readAggregates, readRoutines } from "./queries/routines.js";
import { parseRule, readRules } from "./queries/rules.js";
import { readSchemaInventory } from "./queries/schemas.js";
import { parseSequence, readSequences } from "./queries/sequences.js";
import { readServerInfo } from "./queries/server.js";
import { parseStatistics, readStatistics } from "./queries/statistics.js";
import { parsePolicy, parseTrigger, readPolicies, readTriggers } from "./queries/table-objects.js";
import { parseTable, readTables } from "./queries/tables.js";
import {
  parseTextSearchConfiguration,
  parseTextSearchDictionary,
  readTextSearchConfigurations,
  readTextSearchDictionaries,
} from "./queries/text-search.js";
import {
  parseComposite,
  parseDomain,
  parseRange,
  readComposites,
  readDomains,
  readRanges,
} from "./queries/types.js";
import { parseView, readViews } from "./queries/views.js";

export type { CatalogModel } from "./model.js";
export { readServerInfo };

export interface IntrospectOptions {
  /** Only these schemas (by name); all user schemas when absent. */
  readonly schemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
  /** Also read owners and grants (off by default: roles differ between servers). */
  readonly withPrivileges?: boolean;
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
  const major = info.major;
  const inventory = await readSchemaInventory(client);
  const schemas = inventory.schemas.filter(
    (s) =>
      (!options.schemas || options.schemas.includes(s.name)) && !options.excludeSchemas?.includes(s.name),
  );
  const schemaOids = schemas.map((s) => s.oid);
  // One query at a time: a connection runs one statement at a time anyway.
  const extensions = await readExtensions(client);
  const enums = await readEnums(client, schemaOids);
  const domains = (await readDomains(client, schemaOids, major)).map(parseDomain);
  const composites = (await readComposites(client, schemaOids, major)).map(parseComposite);
  const ranges = (await readRanges(client, schemaOids)).map(parseRange);
  const baseTypes = (await readBaseTypes(client, schemaOids)).map(parseBaseType);
  const routineRows = await readRoutines(client, schemaOids);
  const aggregateRows = await readAggregates(
    client,
    routineRows.filter((r) => r.kind === "a").map((r) => r.oid),
  );
  const aggregates = new Map(aggregateRows.map((a) => [a.oid, a]));
  const routines = routineRows.map((r) => parseRoutine(r, aggregates));
  const tableRows = await readTables(client, schemaOids, major);
  const sequences = (await readSequences(client, schemaOids, major)).map(parseSequence);
  const views = (await readViews(client, schemaOids, major)).map(parseView);
  const notCarried = await readNotCarried(client, schemaOids);
  const largeObjects = await readLargeObjects(client);
  const collations = (await readCollations(client, schemaOids, major)).map(parseCollation);
  const textSearchDictionaries = (await readTextSearchDictionaries(client, schemaOids)).map(
    parseTextSearchDictionary,
  );
  const textSearchConfigurations = (await readTextSearchConfigurations(client, schemaOids)).map(
    parseTextSearchConfiguration,
  );
  const casts = (await readCasts(client, schemaOids)).map(parseCast);
  const operators = (await readOperators(client, schemaOids)).map(parseOperator);
  const operatorClasses = (await readOperatorClasses(client, schemaOids)).map(parseOperatorClass);
  const operatorFamilies = (await readOperatorFamilies(client, schemaOids)).map(parseOperatorFamily);
  const accessMethods = (await readAccessMethods(client)).map(parseAccessMethod);
  const foreignRows = await readForeignTables(client, schemaOids);
  const foreignOids = foreignRows.map((f) => f.oid);
  const foreignColumns = groupBy(await readColumns(client, foreignOids, major), (c) => c.table_oid);
  const foreignTables = foreignRows.map((f) => parseForeignTable(f, foreignColumns.get(f.oid) ?? []));
  const foreignServers = (
    await readForeignServers(client, [...new Set(foreignTables.map((f) => f.server))])
  ).map(parseForeignServer);
  const databaseSettings = await readDatabaseSettings(client);

  const tableOids = tableRows.map((t) => t.oid);
  const relationOids = [...tableOids, ...views.map((v) => v.oid)];
  const columnsByTable = groupBy(await readColumns(client, tableOids, major), (c) => c.table_oid);
  // Foreign tables can have CHECK constraints (not enforced on the remote data, but kept).
  const constraints = (await readConstraints(client, [...tableOids, ...foreignOids], major)).map(
    parseConstraint,
  );
  const indexes = (await readIndexes(client, relationOids, major)).map(parseIndex);
  const sequenceByOid = new Map(sequences.map((s) => [s.oid, s]));
  const tables = tableRows.map((t) => parseTable(t, columnsByTable.get(t.oid) ?? [], sequenceByOid));
  const tableByOid = new Map<number, Table>(tables.map((t) => [t.oid, t]));
  const relationByOid = new Map<number, { schema: string; name: string }>(
    [...tables, ...views, ...foreignTables].map((r) => [r.oid, r]),
  );
  const triggers = (await readTriggers(client, [...relationOids, ...foreignOids]))
    .map((r) => parseTrigger(r, relationByOid))
    .sort(byTableThenName);
  const policies = (await readPolicies(client, tableOids))
    .map((r) => parsePolicy(r, tableByOid))
    .sort(byTableThenName);
  const statistics = (await readStatistics(client, [...relationOids, ...foreignOids], schemaOids)).map(
    parseStatistics,
  );
  const rules = (await readRules(client, relationOids)).map(parseRule);

  const comments = await readModelComments(client, {
    ...{ schemas, tables, views, sequences, indexes, constraints, enums, domains, composites, ranges },
    ...{ routines, triggers, policies, foreignTables, collations, statistics, rules, casts },
    ...{ textSearchDictionaries, textSearchConfigurations, operators, operatorClasses, operatorFamilies },
  });
  const dependencies = await readDependencies(client);
  const builtinFunctionUses = (await readBuiltinFunctionUses(client, schemaOids)).map((u) => ({
    signature: u.signature,
    usedBy: u.used_by,
  }));
  const privileges = options.withPrivileges
    ? await readPrivileges(client, {
        relations: [...tables, ...views, ...sequences.filter((s) => !s.isIdentity && !s.ownedBy)].map(
          (o) => o.oid,
        ),
        routines: routines.map((r) => r.oid),
        types: [...enums, ...domains, ...composites, ...ranges, ...baseTypes].map((t) => t.oid),
        schemas: schemaOids,
      })
    : undefined;

  return {
    server: info,
    ...(privileges ? { privileges } : {}),
    schemas,
    extensions,
    enums,
    domains,
    composites,
    ranges,
    baseTypes,
    routines,
    tables,
    views,
    sequences,
    constraints,
    indexes,
    triggers,
    policies,
    comments,
    dependencies,
    builtinFunctionUses,
    notCarried: [
      ...inventory.leftOut,
      ...notCarried.map((r) => ({
        kind: r.kind,
        identity: r.identity,
        holdsRows: r.holds_rows,
        reason:
          r.reason ??
          (r.holds_rows
            ? "this object kind is not supported yet; its rows would not be copied"
            : "this object kind is not supported yet"),
      })),
      ...(options.schemas ? largeObjectsNotCarried(largeObjects) : []),
    ],
    // Database-wide: carried only when the whole database is read.
    ...(options.schemas ? {} : { largeObjects }),
    collations,
    statistics,
    rules,
    textSearchDictionaries,
    textSearchConfigurations,
    casts,
    operators,
    operatorClasses,
    operatorFamilies,
    accessMethods,
    foreignServers,
    foreignTables,
    databaseSettings,
  };
}

/** Name order, so that two databases with the same schema produce the same model (OIDs differ). */
function byTableThenName(
  a: { table: { schema: string; name: string }; name: string },
  b: { table: { schema: string; name: string }; name: string },
): number {
  return (
    a.table.schema.localeCompare(b.table.schema) ||
    a.table.name.localeCompare(b.table.name) ||
    a.name.localeCompare(b.name)
  );
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
