import type pg from "pg";
import type { CatalogModel, Comment, Index, ServerInfo, Table } from "./model.js";
import {
  parseCast,
  parseCollation,
  parseConstraint,
  parseDomain,
  parseForeignServer,
  parseForeignTable,
  parseOperator,
  parseOperatorClass,
  parseOperatorFamily,
  parsePolicy,
  parseRange,
  parseRoutine,
  parseRule,
  parseSequence,
  parseStatistics,
  parseTable,
  parseTextSearchConfiguration,
  parseTextSearchDictionary,
  parseTrigger,
  parseView,
} from "./parse.js";
import { readBuiltinFunctionUses } from "./queries/builtin-functions.js";
import { readCasts } from "./queries/casts.js";
import { readCollations } from "./queries/collations.js";
import { readColumns } from "./queries/columns.js";
import { readComments } from "./queries/comments.js";
import { readConstraints } from "./queries/constraints.js";
import { readDatabaseSettings } from "./queries/database-settings.js";
import { readDependencies } from "./queries/dependencies.js";
import { readEnums } from "./queries/enums.js";
import { readExtensions } from "./queries/extensions.js";
import { readForeignServers, readForeignTables } from "./queries/foreign-tables.js";
import { readIndexes } from "./queries/indexes.js";
import { readNotCarried } from "./queries/inventory.js";
import { largeObjectsNotCarried, readLargeObjects } from "./queries/large-objects.js";
import { readOperatorClasses, readOperatorFamilies, readOperators } from "./queries/operators.js";
import { readPrivileges } from "./queries/privileges.js";
import { readAggregates, readRoutines } from "./queries/routines.js";
import { readRules } from "./queries/rules.js";
import { readSchemas } from "./queries/schemas.js";
import { readSequences } from "./queries/sequences.js";
import { readServerInfo } from "./queries/server.js";
import { readStatistics } from "./queries/statistics.js";
import { readPolicies, readTriggers } from "./queries/table-objects.js";
import { readTables } from "./queries/tables.js";
import { readTextSearchConfigurations, readTextSearchDictionaries } from "./queries/text-search.js";
import { readComposites, readDomains, readRanges } from "./queries/types.js";
import { readViews } from "./queries/views.js";

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
  const schemas = (await readSchemas(client)).filter(
    (s) =>
      (!options.schemas || options.schemas.includes(s.name)) && !options.excludeSchemas?.includes(s.name),
  );
  const schemaOids = schemas.map((s) => s.oid);
  // One query at a time: a connection runs one statement at a time anyway.
  const extensions = await readExtensions(client);
  const enums = await readEnums(client, schemaOids);
  const domains = (await readDomains(client, schemaOids)).map(parseDomain);
  const composites = (await readComposites(client, schemaOids)).map((c) => ({
    oid: c.oid,
    schema: c.schema,
    name: c.name,
    attributes: c.attributes.map((a) => ({
      name: a.name,
      type: a.type,
      ...(a.collation !== null ? { collation: a.collation } : {}),
    })),
  }));
  const ranges = (await readRanges(client, schemaOids)).map(parseRange);
  const routineRows = await readRoutines(client, schemaOids);
  const aggregateRows = await readAggregates(
    client,
    routineRows.filter((r) => r.kind === "a").map((r) => r.oid),
  );
  const aggregates = new Map(aggregateRows.map((a) => [a.oid, a]));
  const routines = routineRows.map((r) => parseRoutine(r, aggregates));
  const tableRows = await readTables(client, schemaOids);
  const sequences = (await readSequences(client, schemaOids)).map(parseSequence);
  const views = (await readViews(client, schemaOids)).map(parseView);
  const inventory = await readNotCarried(client, schemaOids);
  const largeObjects = await readLargeObjects(client);
  const collations = (await readCollations(client, schemaOids, info.major)).map(parseCollation);
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
  const foreignRows = await readForeignTables(client, schemaOids);
  const foreignOids = foreignRows.map((f) => f.oid);
  const foreignColumns = groupBy(await readColumns(client, foreignOids), (c) => c.table_oid);
  const foreignTables = foreignRows.map((f) => parseForeignTable(f, foreignColumns.get(f.oid) ?? []));
  const foreignServers = (
    await readForeignServers(client, [...new Set(foreignTables.map((f) => f.server))])
  ).map(parseForeignServer);
  const databaseSettings = await readDatabaseSettings(client);

  const tableOids = tableRows.map((t) => t.oid);
  const relationOids = [...tableOids, ...views.map((v) => v.oid)];
  const columnRows = await readColumns(client, tableOids);
  // Foreign tables can have CHECK constraints (not enforced on the remote data, but kept).
  const constraintRows = await readConstraints(client, [...tableOids, ...foreignOids]);
  const indexRows = await readIndexes(client, relationOids);
  const sequenceByOid = new Map(sequences.map((s) => [s.oid, s]));
  const columnsByTable = groupBy(columnRows, (c) => c.table_oid);
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
  const constraints = constraintRows.map(parseConstraint);
  const statistics = (await readStatistics(client, [...relationOids, ...foreignOids], schemaOids)).map(
    parseStatistics,
  );
  const rules = (await readRules(client, relationOids)).map(parseRule);
  const indexes = indexRows.map(
    (r): Index => ({
      oid: r.oid,
      table: { schema: r.schema, name: r.table_name },
      tableOid: r.table_oid,
      name: r.name,
      definition: r.definition,
    }),
  );

  const commentTargets = [
    ...schemas.map((s) => ({ classid: "pg_catalog.pg_namespace", oid: s.oid })),
    ...[...tables, ...views, ...sequences].map((o) => ({ classid: "pg_catalog.pg_class", oid: o.oid })),
    ...indexes.map((o) => ({ classid: "pg_catalog.pg_class", oid: o.oid })),
    ...[...enums, ...domains, ...composites, ...ranges].map((o) => ({
      classid: "pg_catalog.pg_type",
      oid: o.oid,
    })),
    ...routines.map((o) => ({ classid: "pg_catalog.pg_proc", oid: o.oid })),
    ...constraints.map((o) => ({ classid: "pg_catalog.pg_constraint", oid: o.oid })),
    ...triggers.map((o) => ({ classid: "pg_catalog.pg_trigger", oid: o.oid })),
    ...policies.map((o) => ({ classid: "pg_catalog.pg_policy", oid: o.oid })),
    ...foreignTables.map((o) => ({ classid: "pg_catalog.pg_class", oid: o.oid })),
    ...collations.map((o) => ({ classid: "pg_catalog.pg_collation", oid: o.oid })),
    ...statistics.map((o) => ({ classid: "pg_catalog.pg_statistic_ext", oid: o.oid })),
    ...rules.map((o) => ({ classid: "pg_catalog.pg_rewrite", oid: o.oid })),
    ...textSearchDictionaries.map((o) => ({ classid: "pg_catalog.pg_ts_dict", oid: o.oid })),
    ...textSearchConfigurations.map((o) => ({ classid: "pg_catalog.pg_ts_config", oid: o.oid })),
    ...casts.map((o) => ({ classid: "pg_catalog.pg_cast", oid: o.oid })),
    ...operators.map((o) => ({ classid: "pg_catalog.pg_operator", oid: o.oid })),
    ...operatorClasses.map((o) => ({ classid: "pg_catalog.pg_opclass", oid: o.oid })),
    ...operatorFamilies.map((o) => ({ classid: "pg_catalog.pg_opfamily", oid: o.oid })),
  ];
  const domainOids = new Set(domains.map((d) => d.oid));
  const comments: Comment[] = (await readComments(client, commentTargets)).map((c) => ({
    kind: c.class === "pg_type" && domainOids.has(c.oid) ? "domain" : c.kind,
    identity: c.identity,
    text: c.description,
    target: `${c.class}:${c.oid}`,
  }));
  // Comments on domain constraints are found through their domain.
  const domainConstraintComments = await readDomainConstraintComments(
    client,
    domains.map((d) => d.oid),
  );
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
        types: [...enums, ...domains, ...composites, ...ranges].map((t) => t.oid),
        schemas: schemaOids,
      })
    : undefined;

  return {
    server: info,
    ...(privileges
      ? {
          privileges: {
            objects: privileges.objects.map((o) => ({
              kind: o.kind,
              name: o.name,
              owner: o.owner,
              hasAcl: o.has_acl,
              grants: o.grants,
            })),
            columns: privileges.columns.map((c) => ({
              name: c.name,
              column: c.column_name,
              grants: c.grants,
            })),
            defaults: privileges.defaults.map((d) => ({
              role: d.role,
              schema: d.schema,
              objects: DEFAULT_ACL_OBJECTS[d.object_type],
              grants: d.grants,
            })),
          },
        }
      : {}),
    schemas,
    extensions,
    enums,
    domains,
    composites,
    ranges,
    routines,
    tables,
    views,
    sequences,
    constraints,
    indexes,
    triggers,
    policies,
    comments: [...comments, ...domainConstraintComments].sort(
      (a, b) => a.kind.localeCompare(b.kind) || a.identity.localeCompare(b.identity),
    ),
    dependencies,
    builtinFunctionUses,
    notCarried: inventory
      .map((r) => ({
        kind: r.kind,
        identity: r.identity,
        holdsRows: r.holds_rows,
        reason:
          r.reason ??
          (r.holds_rows
            ? "this object kind is not supported yet; its rows would not be copied"
            : "this object kind is not supported yet"),
      }))
      .concat(options.schemas ? largeObjectsNotCarried(largeObjects) : []),
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
    foreignServers,
    foreignTables,
    databaseSettings,
  };
}

async function readDomainConstraintComments(
  client: pg.Client,
  domainOids: readonly number[],
): Promise<Comment[]> {
  if (domainOids.length === 0) return [];
  const result = await client.query<{ oid: number }>(
    "SELECT oid FROM pg_catalog.pg_constraint WHERE contypid = ANY($1::oid[])",
    [domainOids],
  );
  const rows = await readComments(
    client,
    result.rows.map((r) => ({ classid: "pg_catalog.pg_constraint", oid: r.oid })),
  );
  return rows.map((c) => ({
    kind: c.kind,
    identity: c.identity,
    text: c.description,
    target: `${c.class}:${c.oid}`,
  }));
}

const DEFAULT_ACL_OBJECTS = {
  r: "TABLES",
  S: "SEQUENCES",
  f: "FUNCTIONS",
  T: "TYPES",
  n: "SCHEMAS",
} as const;

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
