/**
 * What verify reads of a catalog beyond the tool's own model: properties the plan does not need but
 * a copy must still match (an index's validity, a procedural language, extension configuration
 * tables), and the kinds a run does not carry, read so that verify can list them (see
 * not-carried.ts). One plain query per kind; every row is (object, property, value).
 */
import type pg from "pg";
import { z } from "zod";
import { queryRows, text, textOrNull } from "../db/rows.js";
import { type ObjectProperties, type Properties, plainProperties } from "./properties.js";

const Row = z.object({ object: text, property: text, value: textOrNull });
type Row = z.infer<typeof Row>;

export interface ExtraQuery {
  readonly name: string;
  /** $1: the OIDs of the schemas compared. */
  readonly sql: string;
  /** Database-wide kinds: read only when the whole database is compared. */
  readonly wholeDatabase?: boolean;
}

const USER_OBJECT = (catalog: string, oid: string) =>
  `${oid} >= 16384 AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.${catalog}'::pg_catalog.regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

/** Compared like the model's properties: a difference here is a difference of the copy. */
export const COMPARED_EXTRAS: readonly ExtraQuery[] = [
  {
    name: "index states",
    // indisvalid: an index left invalid (a failed CREATE INDEX CONCURRENTLY) answers no query.
    // attstattarget of an index's expression columns (ALTER INDEX ... ALTER COLUMN n SET STATISTICS).
    sql: `SELECT pg_catalog.format('index "%s"."%s"', n.nspname, c.relname) AS object, p.property, p.value
          FROM pg_catalog.pg_index i
          JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          CROSS JOIN LATERAL (
            SELECT 'valid' AS property, i.indisvalid::text AS value
            UNION ALL
            SELECT pg_catalog.format('column %s statistics', a.attnum), a.attstattarget::text
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = i.indexrelid AND a.attnum > 0 AND coalesce(a.attstattarget, -1) >= 0) p
          WHERE c.relnamespace = ANY($1::oid[])`,
  },
  {
    name: "procedural languages",
    wholeDatabase: true,
    sql: `SELECT pg_catalog.format('language "%s"', l.lanname) AS object, p.property, p.value
          FROM pg_catalog.pg_language l
          CROSS JOIN LATERAL (VALUES
            ('trusted', l.lanpltrusted::text),
            ('handler', l.lanplcallfoid::pg_catalog.regprocedure::text),
            ('inline handler', nullif(l.laninline, 0)::pg_catalog.regprocedure::text),
            ('validator', nullif(l.lanvalidator, 0)::pg_catalog.regprocedure::text)) p(property, value)
          WHERE l.lanispl AND ${USER_OBJECT("pg_language", "l.oid")}`,
  },
  {
    name: "extension configuration tables",
    // pg_extension_config_dump: the tables (and row filters) whose rows belong to the database.
    sql: `SELECT pg_catalog.format('extension "%s"', x.extname) AS object, 'configuration tables' AS property,
                 pg_catalog.string_agg(pg_catalog.format('%s%s', t.rel::pg_catalog.regclass,
                   coalesce(' ' || nullif(x.extcondition[t.n], ''), '')), ', ' ORDER BY t.rel::pg_catalog.regclass::text) AS value
          FROM pg_catalog.pg_extension x
          CROSS JOIN LATERAL pg_catalog.unnest(x.extconfig) WITH ORDINALITY t(rel, n)
          GROUP BY x.extname`,
  },
];

/** Read only to be listed: a run does not carry these kinds (docs/schema.md). */
export const NOT_CARRIED_EXTRAS: readonly ExtraQuery[] = [
  {
    name: "extension versions",
    // A run creates an extension at the destination's default version (another major may not
    // have the source's): listed, not a difference of the copy.
    sql: `SELECT pg_catalog.format('extension "%s"', x.extname) AS object, 'version' AS property, x.extversion AS value
          FROM pg_catalog.pg_extension x`,
  },
  {
    name: "publications",
    wholeDatabase: true,
    sql: `SELECT pg_catalog.format('publication "%s"', p.pubname) AS object, a.property, a.value
          FROM pg_catalog.pg_publication p
          CROSS JOIN LATERAL (VALUES
            ('all tables', p.puballtables::text),
            ('publishes', pg_catalog.concat_ws(', ', CASE WHEN p.pubinsert THEN 'insert' END,
              CASE WHEN p.pubupdate THEN 'update' END, CASE WHEN p.pubdelete THEN 'delete' END,
              CASE WHEN p.pubtruncate THEN 'truncate' END)),
            ('via root', p.pubviaroot::text),
            ('tables', (SELECT pg_catalog.string_agg(r.prrelid::pg_catalog.regclass::text, ', ' ORDER BY 1)
                        FROM pg_catalog.pg_publication_rel r WHERE r.prpubid = p.oid))) a(property, value)`,
  },
  {
    name: "subscriptions",
    wholeDatabase: true,
    // Never the connection string (it may hold a password).
    sql: `SELECT pg_catalog.format('subscription "%s"', s.subname) AS object, a.property, a.value
          FROM pg_catalog.pg_subscription s
          CROSS JOIN LATERAL (VALUES
            ('enabled', s.subenabled::text),
            ('publications', pg_catalog.array_to_string(s.subpublications, ', ')),
            ('slot', s.subslotname::text),
            ('synchronous commit', s.subsynccommit)) a(property, value)
          WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())`,
  },
  {
    name: "event triggers",
    wholeDatabase: true,
    sql: `SELECT pg_catalog.format('event trigger "%s"', t.evtname) AS object, a.property, a.value
          FROM pg_catalog.pg_event_trigger t
          CROSS JOIN LATERAL (VALUES
            ('event', t.evtevent::text),
            ('function', t.evtfoid::pg_catalog.regprocedure::text),
            ('enabled', t.evtenabled::text),
            ('tags', pg_catalog.array_to_string(t.evttags, ', '))) a(property, value)
          WHERE ${USER_OBJECT("pg_event_trigger", "t.oid")}`,
  },
  {
    name: "user mappings",
    wholeDatabase: true,
    // The option names only: their values are credentials.
    sql: `SELECT pg_catalog.format('user mapping for "%s" server "%s"', m.usename, m.srvname) AS object,
                 'option names' AS property,
                 (SELECT pg_catalog.string_agg(pg_catalog.split_part(o, '=', 1), ', ' ORDER BY 1)
                  FROM pg_catalog.unnest(m.umoptions) o) AS value
          FROM pg_catalog.pg_user_mappings m`,
  },
  {
    name: "settings for one role in the database",
    wholeDatabase: true,
    sql: `SELECT pg_catalog.format('settings of role "%s" in the database', pg_catalog.pg_get_userbyid(s.setrole)) AS object,
                 pg_catalog.split_part(c, '=', 1) AS property, pg_catalog.substr(c, pg_catalog.strpos(c, '=') + 1) AS value
          FROM pg_catalog.pg_db_role_setting s CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) c
          WHERE s.setrole <> 0
            AND s.setdatabase = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())`,
  },
  {
    name: "the database's comment",
    wholeDatabase: true,
    sql: `SELECT 'database' AS object, 'comment' AS property, pg_catalog.shobj_description(d.oid, 'pg_database') AS value
          FROM pg_catalog.pg_database d
          WHERE d.datname = pg_catalog.current_database() AND pg_catalog.shobj_description(d.oid, 'pg_database') IS NOT NULL`,
  },
  {
    name: "security labels",
    sql: `SELECT pg_catalog.format('security label on %s %s', o.type, o.identity) AS object, s.provider AS property, s.label AS value
          FROM pg_catalog.pg_seclabel s CROSS JOIN LATERAL pg_catalog.pg_identify_object(s.classoid, s.objoid, s.objsubid) o
          WHERE o.schema IS NULL OR o.schema IN (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = ANY($1::oid[]))`,
  },
  {
    name: "conversions",
    sql: `SELECT pg_catalog.format('conversion "%s"."%s"', n.nspname, c.conname) AS object, a.property, a.value
          FROM pg_catalog.pg_conversion c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace
          CROSS JOIN LATERAL (VALUES
            ('from', pg_catalog.pg_encoding_to_char(c.conforencoding)::text),
            ('to', pg_catalog.pg_encoding_to_char(c.contoencoding)::text),
            ('function', c.conproc::pg_catalog.regprocedure::text),
            ('default', c.condefault::text)) a(property, value)
          WHERE c.connamespace = ANY($1::oid[]) AND ${USER_OBJECT("pg_conversion", "c.oid")}`,
  },
  {
    name: "text search parsers",
    sql: `SELECT pg_catalog.format('text search parser "%s"."%s"', n.nspname, p.prsname) AS object, a.property, a.value
          FROM pg_catalog.pg_ts_parser p JOIN pg_catalog.pg_namespace n ON n.oid = p.prsnamespace
          CROSS JOIN LATERAL (VALUES
            ('start', p.prsstart::pg_catalog.regprocedure::text),
            ('gettoken', p.prstoken::pg_catalog.regprocedure::text),
            ('end', p.prsend::pg_catalog.regprocedure::text),
            ('headline', nullif(p.prsheadline, 0)::pg_catalog.regprocedure::text),
            ('lextypes', p.prslextype::pg_catalog.regprocedure::text)) a(property, value)
          WHERE p.prsnamespace = ANY($1::oid[]) AND ${USER_OBJECT("pg_ts_parser", "p.oid")}`,
  },
  {
    name: "text search templates",
    sql: `SELECT pg_catalog.format('text search template "%s"."%s"', n.nspname, t.tmplname) AS object, a.property, a.value
          FROM pg_catalog.pg_ts_template t JOIN pg_catalog.pg_namespace n ON n.oid = t.tmplnamespace
          CROSS JOIN LATERAL (VALUES
            ('init', nullif(t.tmplinit, 0)::pg_catalog.regprocedure::text),
            ('lexize', t.tmpllexize::pg_catalog.regprocedure::text)) a(property, value)
          WHERE t.tmplnamespace = ANY($1::oid[]) AND ${USER_OBJECT("pg_ts_template", "t.oid")}`,
  },
];

/**
 * Runs the queries on one side (inside its REPEATABLE READ transaction) and groups the rows by
 * object. `wholeDatabase` false leaves out the database-wide kinds (a schema selection).
 */
export async function readExtras(
  client: pg.Client,
  queries: readonly ExtraQuery[],
  schemaOids: readonly number[],
  wholeDatabase: boolean,
): Promise<ObjectProperties> {
  const values = new Map<string, Map<string, string>>();
  for (const q of queries.filter((x) => wholeDatabase || !x.wholeDatabase)) {
    const rows: Row[] = await queryRows(client, q.name, q.sql, q.sql.includes("$1") ? [schemaOids] : [], Row);
    for (const r of rows) {
      const props = values.get(r.object) ?? new Map<string, string>();
      props.set(r.property, JSON.stringify(r.value));
      values.set(r.object, props);
    }
  }
  return new Map([...values].map(([object, v]) => [object, plainProperties(v)]));
}

/** Both maps' objects; the properties of an object both have are merged (the extras add to the model's). */
export function mergeObjects(a: ObjectProperties, b: ObjectProperties): ObjectProperties {
  const out = new Map<string, Properties>(a);
  for (const [object, props] of b) {
    const mine = out.get(object);
    out.set(
      object,
      mine
        ? {
            values: new Map([...mine.values, ...props.values]),
            parts: new Map([...mine.parts, ...props.parts]),
          }
        : props,
    );
  }
  return out;
}
