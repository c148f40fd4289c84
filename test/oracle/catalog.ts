/**
 * The catalog fingerprint: one sorted line per object and property, read only from pg_catalog and
 * the server's pg_get_*def functions, one query per object kind (kinds/*.ts).
 */
import type pg from "pg";
import { accessMethodLines } from "./kinds/access-methods.js";
import { aggregateLines } from "./kinds/aggregates.js";
import { castLines } from "./kinds/casts.js";
import { collationLines } from "./kinds/collations.js";
import { columnLines } from "./kinds/columns.js";
import { commentLines } from "./kinds/comments.js";
import { constraintLines } from "./kinds/constraints.js";
import { conversionLines } from "./kinds/conversions.js";
import { databaseLines } from "./kinds/database.js";
import { eventTriggerLines } from "./kinds/event-triggers.js";
import { extensionLines } from "./kinds/extensions.js";
import { foreignLines } from "./kinds/foreign.js";
import { functionLines } from "./kinds/functions.js";
import { indexLines } from "./kinds/indexes.js";
import { languageLines } from "./kinds/languages.js";
import { largeObjectLines } from "./kinds/large-objects.js";
import { operatorLines } from "./kinds/operators.js";
import { opfamilyLines } from "./kinds/opfamilies.js";
import { policyLines } from "./kinds/policies.js";
import { privilegeLines } from "./kinds/privileges.js";
import { publicationLines } from "./kinds/publications.js";
import { relationLines } from "./kinds/relations.js";
import { ruleLines } from "./kinds/rules.js";
import { schemaLines } from "./kinds/schemas.js";
import { securityLabelLines } from "./kinds/security-labels.js";
import { sequenceLines } from "./kinds/sequences.js";
import { statisticsLines } from "./kinds/statistics.js";
import { textSearchLines } from "./kinds/text-search.js";
import { transformLines } from "./kinds/transforms.js";
import { triggerLines } from "./kinds/triggers.js";
import { typeLines } from "./kinds/types.js";
import { viewLines } from "./kinds/views.js";
import { sortLines } from "./line.js";
import { type OracleContext, type OracleOptions, oracleContext } from "./session.js";

export const CATALOG_KINDS: readonly ((ctx: OracleContext) => Promise<string[]>)[] = [
  schemaLines,
  relationLines,
  columnLines,
  constraintLines,
  indexLines,
  triggerLines,
  viewLines,
  ruleLines,
  policyLines,
  sequenceLines,
  functionLines,
  aggregateLines,
  typeLines,
  operatorLines,
  opfamilyLines,
  castLines,
  transformLines,
  statisticsLines,
  textSearchLines,
  collationLines,
  accessMethodLines,
  languageLines,
  conversionLines,
  foreignLines,
  publicationLines,
  eventTriggerLines,
  extensionLines,
  securityLabelLines,
  largeObjectLines,
  databaseLines,
  commentLines,
  privilegeLines,
];

/**
 * Fingerprints the database `client` is connected to. The client becomes an oracle session
 * (search_path = pg_catalog and fixed output settings); run it inside a REPEATABLE READ
 * transaction for one consistent view. Needs a superuser (subscriptions, user mappings, rows).
 */
export async function catalogFingerprint(client: pg.Client, opts: OracleOptions = {}): Promise<string[]> {
  const ctx = await oracleContext(client, opts);
  const lines: string[] = [];
  for (const kind of CATALOG_KINDS) lines.push(...(await kind(ctx)));
  return sortLines(lines);
}
