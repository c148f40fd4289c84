import type { Table } from "../introspect/model.js";
import type { ForeignKeyColumns } from "./catalog.js";

/**
 * Columns that must be masked alike: the two sides of each foreign key (a masked email in `users`
 * must still match the same masked email in `invoices`), and a parent's column with the same column
 * of its partitions and inheritance children (their rows are the parent's rows). Joined with a
 * union-find; each class then carries one rule, or none.
 */

/** A column of a table, as one string key. */
export type ColumnKey = string;

export function columnKey(tableOid: number, column: string): ColumnKey {
  return `${tableOid}\u0000${column}`;
}

export function splitColumnKey(key: ColumnKey): { readonly tableOid: number; readonly column: string } {
  const at = key.indexOf("\u0000");
  return { tableOid: Number(key.slice(0, at)), column: key.slice(at + 1) };
}

export interface ColumnLink {
  readonly a: ColumnKey;
  readonly b: ColumnKey;
  /** What joins them, for messages: `foreign key invoices_email_fkey`, `partition of public.events`. */
  readonly why: string;
}

export class ColumnClasses {
  private readonly parent = new Map<ColumnKey, ColumnKey>();
  private readonly links: ColumnLink[] = [];
  private grouped: Map<ColumnKey, { members: Set<ColumnKey>; reasons: Set<string> }> | undefined;

  link(link: ColumnLink): void {
    this.links.push(link);
    this.grouped = undefined;
    const ra = this.find(link.a);
    const rb = this.find(link.b);
    if (ra !== rb) this.parent.set(ra, rb);
  }

  find(key: ColumnKey): ColumnKey {
    let root = key;
    for (let next = this.parent.get(root); next !== undefined; next = this.parent.get(root)) root = next;
    // Path compression: later finds are one step.
    for (let k = key; k !== root; ) {
      const next = this.parent.get(k) as ColumnKey;
      this.parent.set(k, root);
      k = next;
    }
    return root;
  }

  /** Every key linked to `key` (itself included). */
  members(key: ColumnKey): ColumnKey[] {
    return [...new Set([key, ...(this.groups().get(this.find(key))?.members ?? [])])];
  }

  /** The links inside the class of `key`, for a message that says what joins its columns. */
  reasons(key: ColumnKey): string[] {
    return [...(this.groups().get(this.find(key))?.reasons ?? [])];
  }

  private groups() {
    if (!this.grouped) {
      const grouped = new Map<ColumnKey, { members: Set<ColumnKey>; reasons: Set<string> }>();
      for (const l of this.links) {
        const root = this.find(l.a);
        let g = grouped.get(root);
        if (!g) {
          g = { members: new Set(), reasons: new Set() };
          grouped.set(root, g);
        }
        g.members.add(l.a);
        g.members.add(l.b);
        g.reasons.add(l.why);
      }
      this.grouped = grouped;
    }
    return this.grouped;
  }
}

/**
 * The classes of the run's tables: foreign keys between two of them, and each parent's columns with
 * its partitions' and inheritance children's (`tables` are the planned tables).
 */
export function columnClasses(
  tables: readonly Table[],
  foreignKeys: readonly ForeignKeyColumns[],
  name: (oid: number) => string,
): ColumnClasses {
  const classes = new ColumnClasses();
  const byName = new Map(tables.map((t) => [`${t.schema}\u0000${t.name}`, t]));
  for (const t of tables) {
    const parents = [...(t.partitionOf ? [t.partitionOf.parent] : []), ...t.inherits];
    for (const p of parents) {
      const parent = byName.get(`${p.schema}\u0000${p.name}`);
      if (!parent) continue;
      const kind = t.partitionOf ? "partition" : "inheritance child";
      for (const c of parent.allColumns) {
        if (!t.allColumns.some((x) => x.name === c.name)) continue;
        classes.link({
          a: columnKey(t.oid, c.name),
          b: columnKey(parent.oid, c.name),
          why: `${name(t.oid)} is a ${kind} of ${name(parent.oid)}`,
        });
      }
    }
  }
  for (const fk of foreignKeys) {
    fk.columns.forEach((column, i) => {
      const referenced = fk.referencedColumns[i];
      if (referenced === undefined) return;
      classes.link({
        a: columnKey(fk.tableOid, column),
        b: columnKey(fk.referencedTableOid, referenced),
        why: `foreign key ${fk.name} of ${name(fk.tableOid)}`,
      });
    });
  }
  return classes;
}
