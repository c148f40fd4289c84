import type { PlanGraph } from "./graph.js";
import type { DdlItem } from "./item.js";
import type { ModelIndex } from "./model-index.js";
import { parentsOf } from "./model-index.js";
import type { StagingBlock, Statement } from "./types.js";

/**
 * Fewest tables in a row worth spreading over several connections: below it, the block's
 * transactions would cost more round trips than the spread saves.
 */
export const MIN_CONCURRENT_TABLES = 50;

/**
 * Cuts pre-data into blocks that run one after another, each committed before the next starts. A
 * concurrent block holds plain tables, in sort order, none of which depends on another of the
 * block, so that the create-staging step may create them on several connections at once. What
 * pg_depend records is not all that could go wrong then, so a table stays out of such a block when:
 * - it has a parent (inheritance, a partition) or is created with its inheritance tree: CREATE
 *   TABLE locks the parent in a mode that conflicts with itself, and two connections each holding
 *   one parent while waiting for the other's would deadlock;
 * - its name starts with "_" or is longer than 62 bytes: PostgreSQL names a table's array type "_"
 *   and the name (cut to 63 bytes), and picks another name only for a type it can see, so two
 *   uncommitted tables could claim one type name.
 */
export function stagingBlocks(
  leading: readonly Statement[],
  pre: readonly DdlItem[],
  graph: PlanGraph,
  index: ModelIndex,
): StagingBlock[] {
  const blocks: StagingBlock[] = [];
  let inOrder: (readonly Statement[])[] = leading.map((s) => [s]);
  let run: DdlItem[] = [];
  const members = new Set<DdlItem>();
  const endRun = () => {
    if (run.length >= MIN_CONCURRENT_TABLES) {
      if (inOrder.length > 0) blocks.push({ concurrent: false, items: inOrder });
      blocks.push({ concurrent: true, items: run.map((i) => i.statements) });
      inOrder = [];
    } else inOrder.push(...run.map((i) => i.statements));
    run = [];
    members.clear();
  };
  for (const item of pre) {
    if (!standaloneTable(item, index)) {
      endRun();
      inOrder.push(item.statements);
      continue;
    }
    if (graph.dependencies(item).some((d) => members.has(d))) endRun();
    run.push(item);
    members.add(item);
  }
  endRun();
  if (inOrder.length > 0) blocks.push({ concurrent: false, items: inOrder });
  return blocks;
}

function standaloneTable(item: DdlItem, index: ModelIndex): boolean {
  if (item.kind !== "table" || item.statements.length === 0) return false;
  const table = index.tableByOid.get(oidOf(item.key) ?? -1);
  if (!table || parentsOf(table).length > 0) return false;
  // A claim of another table: the item replays an inheritance tree.
  if (item.claims.some((c) => c !== item.key && index.tableByOid.has(oidOf(c) ?? -1))) return false;
  return !table.name.startsWith("_") && Buffer.byteLength(table.name, "utf8") <= 62;
}

function oidOf(key: string): number | undefined {
  const match = /^pg_class:(\d+)$/.exec(key);
  return match ? Number(match[1]) : undefined;
}
