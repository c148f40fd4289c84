import { compareNodes, dependencyOrder } from "../order.js";
import type { Refusal } from "../version-rules.js";
import { type BreakerContext, breakLoop, postpone, splitDefault, splitView } from "./breakers.js";
import { type DdlItem, PHASES, type Phase } from "./item.js";

export interface OrderedItems {
  readonly pre: readonly DdlItem[];
  readonly data: readonly DdlItem[];
  readonly post: readonly DdlItem[];
  /** Items that no breaker could place: each names what it waits for, or the loop it is part of. */
  readonly refusals: readonly Refusal[];
}

const phaseIndex = (p: Phase) => PHASES.indexOf(p);

/**
 * Orders every item of the graph: first every dependency on a later phase is repaired (a view
 * split, an item postponed), then each phase is sorted topologically, and each loop the sort
 * leaves is broken and the phases sorted again. What no breaker resolves is refused, by name,
 * before anything is written; it is still listed last in its phase, so that the plan shows it.
 */
export function orderItems(b: BreakerContext): OrderedItems {
  const refused = new Map<DdlItem, string>();
  for (;;) {
    repairBoundaries(b, refused);
    let broke = false;
    const phases = new Map<Phase, DdlItem[]>();
    for (const phase of PHASES) {
      const nodes = b.graph.items.filter((i) => i.phase === phase);
      const { ordered, loops } = dependencyOrder(nodes, (n) =>
        b.graph
          .dependencies(n)
          .filter((d) => d.phase === phase)
          .map((d) => d.key),
      );
      for (const loop of loops) {
        if (phase === "pre" && breakLoop(b, loop)) {
          broke = true;
          continue;
        }
        const names = loop.map((i) => i.name).join(", ");
        for (const member of loop)
          if (!refused.has(member))
            refused.set(member, `it is part of a dependency loop that no breaker resolves: ${names}`);
      }
      const emitted = new Set(ordered);
      phases.set(phase, [...ordered, ...nodes.filter((n) => !emitted.has(n)).sort(compareNodes)]);
    }
    if (!broke) {
      return {
        pre: phases.get("pre") ?? [],
        data: phases.get("data") ?? [],
        post: phases.get("post") ?? [],
        refusals: [...refused].map(([i, reason]) => ({ object: i.name, reason })),
      };
    }
  }
}

/**
 * Until no item depends on an item of a later phase: a view is split, a materialized view or a
 * routine that needs a key is postponed, so is a data-phase item that needs what the load does not
 * build before it, and a table's default that needs such a routine is split off and postponed.
 * Anything else is refused.
 */
function repairBoundaries(b: BreakerContext, refused: Map<DdlItem, string>): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const x of [...b.graph.items]) {
      if (refused.has(x)) continue;
      const blocker = b.graph.dependencies(x).find((y) => !orderedBefore(y, x));
      if (!blocker) continue;
      const later = (target: DdlItem) => !orderedBefore(target, x);
      if (splitView(b, x) || postpone(x) || splitDefault(b, x, later)) {
        changed = true;
        continue;
      }
      refused.set(
        x,
        `it needs ${blocker.name}, which is built only ${blocker.phase === "post" ? "after the load" : "with its table's load"}, and a ${x.kind} cannot wait for it`,
      );
    }
  }
}

/**
 * Whether the plan's phases put `y` before `x` by construction: an earlier phase, the same phase
 * outside the load (the sort orders them), or, within the load, what the task graph runs first:
 * a table's index builds (its keys' unique indexes among them) before its keys (one task, in sort
 * order), all before its foreign keys, and a foreign key after the referenced table's keys and
 * indexes.
 */
function orderedBefore(y: DdlItem, x: DdlItem): boolean {
  if (phaseIndex(y.phase) !== phaseIndex(x.phase)) return phaseIndex(y.phase) < phaseIndex(x.phase);
  if (x.phase !== "data") return true;
  if (y.kind === "foreign key") return false;
  if (x.kind === "foreign key") return y.tableOid === x.tableOid || y.tableOid === x.referencedTableOid;
  if (y.tableOid !== x.tableOid) return false;
  return x.kind === "key";
}
