import type pg from "pg";
import { readModelComments } from "./comment-targets.js";
import type { CatalogModel, NotCarried, ServerInfo, Table } from "./model.js";
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
import { readFamilyMembers } from "./queries/family-members.js";
import {
  parseForeignDataWrapper,
  parseForeignServer,
  parseForeignTable,
  readForeignDataWrappers,
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
  parseShellOperator,
  readOperatorClasses,
  readOperatorFamilies,
  readOperators,
  readShellOperators,
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
import { parseTransform, readTransforms } from "./queries/transforms.js";
import {
  parseComposite,
  parseDomain,
  parseRange,
  parseShellType,
  readComposites,
  readDomains,
  readRanges,
  readShellTypes,
} from "./queries/types.js";
import { parseView, readViews } from "./queries/views.js";
import { readerPool } from "./reader-pool.js";

export type { CatalogModel } from "./model.js";
export { readServerInfo };

export interface IntrospectOptions {
  /** Only these schemas (by name); all user schemas when absent. */
  readonly schemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
  /** Also read owners and grants (off by default: roles differ between servers). */
  readonly withPrivileges?: boolean;
  /**
   * More source connections inside the same snapshot as `client` (a run's workers): the per-kind
   * queries then run on all of them at once. Without them every query runs on `client`.
   */
  readonly readers?: readonly pg.Client[];
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
  // Each per-kind query starts as soon as what it needs is known, on whichever connection of the
  // snapshot is free; the results are awaited where they are used.
  const read = readerPool([client, ...(options.readers ?? [])]);
  const whole = options.schemas === undefined;
  const tableRowsRead = read((c) => readTables(c, schemaOids, major));
  const routineRowsRead = read((c) => readRoutines(c, schemaOids));
  const viewsRead = read((c) => readViews(c, schemaOids, major));
  const foreignRowsRead = read((c) => readForeignTables(c, schemaOids));
  const dependenciesRead = read((c) => readDependencies(c));
  const sequencesRead = read((c) => readSequences(c, schemaOids, major));
  const extensionsRead = read((c) => readExtensions(c));
  const enumsRead = read((c) => readEnums(c, schemaOids));
  const domainsRead = read((c) => readDomains(c, schemaOids, major));
  const compositesRead = read((c) => readComposites(c, schemaOids, major));
  const rangesRead = read((c) => readRanges(c, schemaOids));
  const baseTypesRead = read((c) => readBaseTypes(c, schemaOids));
  const notCarriedRead = read((c) => readNotCarried(c, schemaOids));
  const largeObjectsRead = read((c) => readLargeObjects(c));
  const collationsRead = read((c) => readCollations(c, schemaOids, major));
  const dictionariesRead = read((c) => readTextSearchDictionaries(c, schemaOids));
  const configurationsRead = read((c) => readTextSearchConfigurations(c, schemaOids));
  const castsRead = read((c) => readCasts(c, schemaOids));
  const operatorsRead = read((c) => readOperators(c, schemaOids));
  const operatorClassesRead = read((c) => readOperatorClasses(c, schemaOids));
  const operatorFamiliesRead = read((c) => readOperatorFamilies(c, schemaOids));
  const accessMethodsRead = read((c) => readAccessMethods(c));
  const transformsRead = read((c) => readTransforms(c, schemaOids, whole));
  const shellOperatorsRead = read((c) => readShellOperators(c, schemaOids));
  const familyMembersRead = read((c) => readFamilyMembers(c, schemaOids));
  const shellTypesRead = read((c) => readShellTypes(c, schemaOids));
  const databaseSettingsRead = read((c) => readDatabaseSettings(c));
  const builtinUsesRead = read((c) => readBuiltinFunctionUses(c, schemaOids));
  // Servers and wrappers belong to the database: a run of the whole database carries them all, one
  // of selected schemas those its foreign tables use (and reports the others).
  const foreignServersRead = foreignRowsRead.then((rows) =>
    read((c) => readForeignServers(c, whole ? null : [...new Set(rows.map((f) => f.server))])),
  );
  const aggregateRowsRead = routineRowsRead.then((rows) =>
    read((c) =>
      readAggregates(
        c,
        rows.filter((r) => r.kind === "a").map((r) => r.oid),
      ),
    ),
  );
  const tableRows = await tableRowsRead;
  const views = (await viewsRead).map(parseView);
  const foreignRows = await foreignRowsRead;
  const tableOids = tableRows.map((t) => t.oid);
  const relationOids = [...tableOids, ...views.map((v) => v.oid)];
  const foreignOids = foreignRows.map((f) => f.oid);
  const columnsRead = read((c) => readColumns(c, tableOids, major));
  // Foreign tables can have CHECK constraints (not enforced on the remote data, but kept).
  const constraintsRead = read((c) => readConstraints(c, [...tableOids, ...foreignOids], major));
  const indexesRead = read((c) => readIndexes(c, relationOids, major));
  const foreignColumnsRead = read((c) => readColumns(c, foreignOids, major));
  const triggersRead = read((c) => readTriggers(c, [...relationOids, ...foreignOids]));
  const policiesRead = read((c) => readPolicies(c, tableOids));
  const statisticsRead = read((c) => readStatistics(c, [...relationOids, ...foreignOids], schemaOids));
  const rulesRead = read((c) => readRules(c, relationOids));

  const extensions = await extensionsRead;
  const enums = await enumsRead;
  const domains = (await domainsRead).map(parseDomain);
  const composites = (await compositesRead).map(parseComposite);
  const ranges = (await rangesRead).map(parseRange);
  const baseTypes = (await baseTypesRead).map(parseBaseType);
  const routineRows = await routineRowsRead;
  const aggregates = new Map((await aggregateRowsRead).map((a) => [a.oid, a]));
  const routines = routineRows.map((r) => parseRoutine(r, aggregates));
  const sequences = (await sequencesRead).map(parseSequence);
  const notCarried = await notCarriedRead;
  const largeObjects = await largeObjectsRead;
  const collations = (await collationsRead).map(parseCollation);
  const textSearchDictionaries = (await dictionariesRead).map(parseTextSearchDictionary);
  const textSearchConfigurations = (await configurationsRead).map(parseTextSearchConfiguration);
  const casts = (await castsRead).map(parseCast);
  const operators = (await operatorsRead).map(parseOperator);
  const operatorClasses = (await operatorClassesRead).map(parseOperatorClass);
  const operatorFamilies = (await operatorFamiliesRead).map(parseOperatorFamily);
  const accessMethods = (await accessMethodsRead).map(parseAccessMethod);
  const foreignColumns = groupBy(await foreignColumnsRead, (c) => c.table_oid);
  const foreignTables = foreignRows.map((f) => parseForeignTable(f, foreignColumns.get(f.oid) ?? []));
  const foreignServers = (await foreignServersRead).map(parseForeignServer);
  const foreignDataWrappers = (
    await read((c) =>
      readForeignDataWrappers(c, whole ? null : [...new Set(foreignServers.map((s) => s.wrapper))]),
    )
  ).map(parseForeignDataWrapper);
  const transforms = (await transformsRead).map(parseTransform);
  const shellOperators = (await shellOperatorsRead).map(parseShellOperator);
  const shellTypes = (await shellTypesRead).map(parseShellType);
  const databaseSettings = await databaseSettingsRead;

  const columnsByTable = groupBy(await columnsRead, (c) => c.table_oid);
  const constraints = (await constraintsRead).map(parseConstraint);
  const indexes = (await indexesRead).map(parseIndex);
  const sequenceByOid = new Map(sequences.map((s) => [s.oid, s]));
  const tables = tableRows.map((t) => parseTable(t, columnsByTable.get(t.oid) ?? [], sequenceByOid));
  const tableByOid = new Map<number, Table>(tables.map((t) => [t.oid, t]));
  const relationByOid = new Map<number, { schema: string; name: string }>(
    [...tables, ...views, ...foreignTables].map((r) => [r.oid, r]),
  );
  const triggers = (await triggersRead).map((r) => parseTrigger(r, relationByOid)).sort(byTableThenName);
  const policies = (await policiesRead).map((r) => parsePolicy(r, tableByOid)).sort(byTableThenName);
  const statistics = (await statisticsRead).map(parseStatistics);
  const rules = (await rulesRead).map(parseRule);

  const privilegesRead = options.withPrivileges
    ? read((c) =>
        readPrivileges(c, {
          relations: [...tables, ...views, ...sequences.filter((s) => !s.isIdentity && !s.ownedBy)].map(
            (o) => o.oid,
          ),
          routines: routines.map((r) => r.oid),
          types: [...enums, ...domains, ...composites, ...ranges, ...baseTypes].map((t) => t.oid),
          schemas: schemaOids,
        }),
      )
    : undefined;
  const unusedServersRead = whole ? undefined : read((c) => unusedServersNotCarried(c, foreignServers));
  const comments = await read((c) =>
    readModelComments(c, {
      ...{ schemas, tables, views, sequences, indexes, constraints, enums, domains, composites, ranges },
      ...{ routines, triggers, policies, foreignTables, collations, statistics, rules, casts },
      ...{ textSearchDictionaries, textSearchConfigurations, operatorClasses, operatorFamilies },
      operators: [...operators, ...shellOperators],
    }),
  );
  const dependencies = await dependenciesRead;
  const builtinFunctionUses = (await builtinUsesRead).map((u) => ({
    signature: u.signature,
    usedBy: u.used_by,
  }));
  const privileges = await privilegesRead;

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
      ...((await unusedServersRead) ?? []),
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
    familyMembers: await familyMembersRead,
    accessMethods,
    foreignServers,
    foreignDataWrappers,
    transforms,
    shellTypes,
    shellOperators,
    foreignTables,
    databaseSettings,
  };
}

/** What a run of selected schemas leaves of the database's servers: those no foreign table of its uses. */
async function unusedServersNotCarried(
  client: pg.Client,
  carried: readonly { readonly name: string }[],
): Promise<NotCarried[]> {
  const names = new Set(carried.map((s) => s.name));
  return (await readForeignServers(client, null))
    .filter((s) => !names.has(s.name))
    .map((s) => ({
      kind: "server",
      identity: s.name,
      holdsRows: false,
      reason: "database-wide; no foreign table of the synced schemas uses it",
    }));
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
