import type { Column, Table } from "../../introspect/model.js";
import { quoteIdent } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";
import { parentColumn, type TableShape } from "./table-forms.js";
import { addNotNull } from "./table-parts.js";

const STORAGE = { plain: "PLAIN", external: "EXTERNAL", extended: "EXTENDED", main: "MAIN" } as const;

/** What a column has once the statements that create it ran: the properties set afterwards compare to it. */
export interface CreatedColumn {
  readonly defaultExpr?: string;
  readonly notNull: boolean;
  /** Absent: the type's default storage. */
  readonly storage?: Column["storage"];
  readonly compression?: Column["compression"];
}

/**
 * A column that PARTITION OF or INHERITS creates (or merges with a column the child writes itself)
 * takes its parent's default, NOT NULL, storage and compression; one the CREATE writes has its own
 * default and NOT NULL and the type's storage.
 */
export function createdByShape(t: Table, shape: TableShape, c: Column): CreatedColumn {
  const from = parentColumn(shape, c.name);
  const written =
    shape.form !== "partition of" && (shape.form !== "inherits" || t.columns.some((x) => x.name === c.name));
  return {
    ...(written && c.defaultExpr !== undefined
      ? { defaultExpr: c.defaultExpr }
      : from?.defaultExpr !== undefined
        ? { defaultExpr: from.defaultExpr }
        : {}),
    notNull: (written && c.notNull) || from?.notNull === true,
    ...(from?.storage ? { storage: from.storage } : {}),
    ...(from?.compression ? { compression: from.compression } : {}),
  };
}

/**
 * The ALTER COLUMN clauses that bring a column from what its creation gave it to the source's: a
 * partition's or child's own default (or one dropped there), storage, compression, and
 * the statistics targets and attribute options, which are never inherited.
 */
export function columnClauses(c: Column, created: CreatedColumn, ctx: RenderContext): string[] {
  const out: string[] = [];
  if (!c.identity && !c.generated && c.defaultExpr !== created.defaultExpr)
    out.push(c.defaultExpr === undefined ? "DROP DEFAULT" : `SET DEFAULT ${ctx.sql(c.defaultExpr)}`);
  const typeDefault = c.storage?.typeDefault ?? created.storage?.typeDefault;
  const storage = c.storage?.kind ?? typeDefault;
  if (storage !== undefined && storage !== (created.storage?.kind ?? typeDefault))
    out.push(`SET STORAGE ${STORAGE[storage]}`);
  if (c.compression !== created.compression) out.push(`SET COMPRESSION ${c.compression ?? "default"}`);
  if (c.statisticsTarget !== undefined) out.push(`SET STATISTICS ${c.statisticsTarget}`);
  if (c.options && c.options.length > 0) out.push(`SET (${c.options.join(", ")})`);
  return out;
}

/** One ALTER TABLE with every column's clauses and NOT NULL (addNotNull), or nothing. `only`: not into children that exist. */
export function alterColumns(
  t: Table,
  created: (c: Column) => CreatedColumn,
  ctx: RenderContext,
  only = false,
): string[] {
  const clauses = t.allColumns.flatMap((c) => [
    ...columnClauses(c, created(c), ctx).map((clause) => `ALTER COLUMN ${quoteIdent(c.name)} ${clause}`),
    ...(c.notNull && !created(c).notNull ? [addNotNull(c, ctx)] : []),
  ]);
  return clauses.length > 0
    ? [`ALTER TABLE ${only ? "ONLY " : ""}${ctx.staged(t)} ${clauses.join(", ")}`]
    : [];
}

/** The column properties that the table's CREATE (in its shape) did not give. */
export function columnAlterations(t: Table, shape: TableShape, ctx: RenderContext): string[] {
  return alterColumns(t, (c) => createdByShape(t, shape, c), ctx);
}
