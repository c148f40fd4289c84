/**
 * The source-side catalog variants: where a catalog column or setting differs between the majors
 * the tool reads (14 to 18), the SQL for each major is chosen here, one function per variant, each
 * naming the version it depends on. Queries interpolate these fragments; they never test the
 * version themselves. (The destination's features are in `features.ts`.)
 */

/**
 * The locale columns of pg_collation `co`, as lc_collate, lc_ctype, locale and icu_rules.
 * - 14: collcollate and collctype are `name`; an ICU collation keeps its locale in both.
 * - 15: they become `text` (NULL for ICU), and colliculocale holds the ICU locale.
 * - 16: collicurules (ICU tailoring rules) is added.
 * - 17: colliculocale is renamed colllocale (it also holds the builtin provider's locale).
 */
export function collationLocaleColumns(major: number): string {
  if (major <= 14) {
    return `CASE WHEN co.collprovider = 'i' THEN NULL ELSE co.collcollate::text END AS lc_collate,
       CASE WHEN co.collprovider = 'i' THEN NULL ELSE co.collctype::text END AS lc_ctype,
       CASE WHEN co.collprovider = 'i' THEN co.collcollate::text END AS locale, NULL::text AS icu_rules`;
  }
  const locale = major >= 17 ? "co.colllocale" : "co.colliculocale";
  const rules = major >= 16 ? "co.collicurules" : "NULL::text";
  return `co.collcollate AS lc_collate, co.collctype AS lc_ctype, ${locale} AS locale, ${rules} AS icu_rules`;
}

/** Whether the index `indexOid` treats nulls as equal: pg_index.indnullsnotdistinct exists from 15 on. */
export function nullsNotDistinct(major: number, indexOid: string): string {
  return major >= 15
    ? `coalesce((SELECT ix.indnullsnotdistinct FROM pg_catalog.pg_index ix WHERE ix.indexrelid = ${indexOid}), false)`
    : "false";
}

/**
 * A relation's access method by name, or NULL for heap and for none. Partitioned tables have one
 * from 17 on (relam 0 before: they hold no data); `USING heap` is the default, never printed.
 */
export function relationAccessMethod(major: number, relation: string): string {
  const partitioned = major >= 17 ? "" : ` AND ${relation}.relkind <> 'p'`;
  return `(SELECT am.amname FROM pg_catalog.pg_am am WHERE am.oid = ${relation}.relam AND am.amname <> 'heap'${partitioned})`;
}

/** A column's statistics target, NULL for the default: -1 up to 16, NULL (nullable attstattarget) from 17 on. */
export function columnStatisticsTarget(major: number, attribute: string): string {
  return major >= 17 ? `${attribute}.attstattarget::int` : `NULLIF(${attribute}.attstattarget::int, -1)`;
}

/**
 * A sequence's persistence: unlogged sequences exist from 15 on (relpersistence 'u'); before, every
 * sequence is logged.
 */
export function sequencePersistence(major: number, relation: string): string {
  return major >= 15 ? `${relation}.relpersistence::text` : "'p'";
}

/**
 * Connection slots kept for pg_use_reserved_connections (reserved_connections, 16): on older servers
 * the setting does not exist, which reads as none.
 */
export function reservedConnectionSlots(): string {
  return "coalesce(pg_catalog.current_setting('reserved_connections', true)::int, 0)";
}

/**
 * Whether a type and typmod are numeric (or numeric[]) with a negative scale: numeric(5,-2) exists
 * from 15 on, where the scale is stored as an 11-bit two's complement in the typmod.
 */
export function negativeNumericScale(major: number, typeOid: string, typmod: string): string {
  if (major < 15) return "false";
  return `(${typeOid} IN ('pg_catalog.numeric'::pg_catalog.regtype, 'pg_catalog._numeric'::pg_catalog.regtype)
           AND ${typmod} >= 4 AND ((((${typmod} - 4) & 2047) # 1024) - 1024) < 0)`;
}

/**
 * A column's NOT NULL constraint as 18 and later store it (pg_constraint, contype 'n', one per
 * column): its name, whether it is validated (one added NOT VALID leaves attnotnull true over rows
 * that may hold NULLs) and NO INHERIT. NULL before 18, where NOT NULL is attnotnull alone.
 */
export function notNullConstraint(major: number, attribute: string): string {
  return major >= 18
    ? `(SELECT json_build_object('name', nn.conname, 'valid', nn.convalidated, 'no_inherit', nn.connoinherit)
          FROM pg_catalog.pg_constraint nn
         WHERE nn.conrelid = ${attribute}.attrelid AND nn.contype = 'n' AND nn.conkey[1] = ${attribute}.attnum)`
    : "NULL::json";
}
