/**
 * Which rows of a table the source sends, and how each column is computed: the one description the
 * COPY of a table (copy-table.ts) and the source side of its checksum (src/verify/digest.ts) both
 * read, so a masked or subsetted table is verified over exactly what was copied.
 */

/** A column computed on the source instead of read (masking): the expression and the type it is cast to. */
export interface ColumnExpression {
  readonly sql: string;
  readonly type: string;
}

/** One statement's worth of rows: a condition over the table (alias `t`) and the settings it reads. */
export interface RowRead {
  readonly filter?: string;
  /** Bound with set_config(name, value, true) before the statement (never in its text). */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface SourceRows {
  /** Masked columns by name. */
  readonly expressions?: ReadonlyMap<string, ColumnExpression>;
  /** Bound before every statement that reads the table (the masking key's padded blocks). */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * The reads that together give the table's rows, each a statement of its own (a subset's kept
   * tuple ids go in chunks); none: no rows at all. Absent: every row, in one read.
   */
  readonly reads?: () => Iterable<RowRead>;
}

/** The reads of a table: its own, or one read of every row. */
export function readsOf(rows: SourceRows | undefined): Iterable<RowRead> {
  return rows?.reads ? rows.reads() : [{}];
}

/** The settings one read binds: the table's, then the read's own. */
export function readSettings(rows: SourceRows | undefined, read: RowRead): Record<string, string> {
  return { ...rows?.settings, ...read.settings };
}
