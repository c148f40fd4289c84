import type { ForeignKeyPlan } from "../ddl/plan.js";

/**
 * Foreign keys that a small table's one task adds in its own load transaction, behind its keys and
 * ANALYZE, instead of as a task of its own (a transaction and a round trip each: at 10,000 tables,
 * one a table). A key on or to the table goes in when the other table is the same one, or another
 * small table whose one task has already committed (its rows, key and statistics are there). Keys
 * whose two tables both finished before either could take them (they loaded side by side) wait in a
 * queue, and the next small tables' loads take a few each; the last ones left run as their own
 * tasks. Each key is taken once (`added`, which its own task claims too), and its own task then
 * has nothing left to do.
 *
 * A load that takes a key locks the key's tables (SHARE ROW EXCLUSIVE) until its commit. Whatever
 * holds one of them meanwhile (another key's check) holds nothing of this load's table, which is
 * still loading (only finished tables are waited for): they cannot deadlock.
 */
export class InlineForeignKeys {
  /** Each small table's foreign keys, its own and those that reference it. */
  private readonly touching = new Map<number, ForeignKeyPlan[]>();
  private readonly committed = new Set<number>();
  private readonly added = new Set<ForeignKeyPlan>();
  /** Keys between two committed tables that neither load took, oldest first. */
  private readonly waiting: ForeignKeyPlan[] = [];

  /** `small`: the tables loaded in one task (load-tasks.ts, ONE_TASK_MAX_BYTES). */
  constructor(foreignKeys: readonly ForeignKeyPlan[], small: ReadonlySet<number>) {
    for (const fk of foreignKeys) {
      if (!small.has(fk.tableOid) || !small.has(fk.referencedTableOid)) continue;
      for (const oid of new Set([fk.tableOid, fk.referencedTableOid])) {
        const list = this.touching.get(oid);
        if (list) list.push(fk);
        else this.touching.set(oid, [fk]);
      }
    }
  }

  /** Whether a load of this table may take foreign keys (it has some, or others wait). */
  mayTake(tableOid: number): boolean {
    return this.touching.has(tableOid) || this.touching.size > 0;
  }

  /**
   * The foreign keys the table's load takes now, marked as taken: its own that may go (the other
   * table is itself or committed), then up to `queued` of the waiting ones.
   */
  take(tableOid: number, queued: number): readonly ForeignKeyPlan[] {
    const own = (this.touching.get(tableOid) ?? []).filter((fk) => {
      const other = fk.tableOid === tableOid ? fk.referencedTableOid : fk.tableOid;
      return !this.added.has(fk) && (other === tableOid || this.committed.has(other));
    });
    const taken = [...own];
    while (taken.length < own.length + queued && this.waiting.length > 0) {
      const fk = this.waiting.shift() as ForeignKeyPlan;
      if (!this.added.has(fk)) taken.push(fk);
    }
    for (const fk of taken) this.added.add(fk);
    return taken;
  }

  /** The table's load committed: its keys to other committed tables that nobody took now wait. */
  committedLoad(tableOid: number): void {
    this.committed.add(tableOid);
    for (const fk of this.touching.get(tableOid) ?? []) {
      const other = fk.tableOid === tableOid ? fk.referencedTableOid : fk.tableOid;
      if (!this.added.has(fk) && this.committed.has(other)) this.waiting.push(fk);
    }
  }

  /**
   * For the key's own task, as it starts: true if no load took the key, which is then no longer
   * offered to one (a key whose two tables are both loaded may be offered and started at once).
   */
  claim(fk: ForeignKeyPlan): boolean {
    if (this.added.has(fk)) return false;
    this.added.add(fk);
    return true;
  }
}
