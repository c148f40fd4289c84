import type { CatalogModel, RangeType } from "../../introspect/model.js";
import { qualify } from "../../sql/quote.js";
import { renderContext, stagedKey } from "../render/context.js";
import { createRange } from "../render/types.js";
import type { Refusal } from "../version-rules.js";

/** The destination's role and live range types (src/introspect/queries/live-ranges.ts). */
export interface RangeFacts {
  readonly superuser: boolean;
  readonly live: readonly RangeType[];
}

/**
 * For a destination role that is no superuser, which cannot move a range type's constructor
 * functions between schemas: a range type the destination's live schema has, defined exactly as
 * the source's and on nothing the sync replaces, stays in place (as objects owned by an extension
 * do), and the staged objects use it. Any other is refused, naming the one step that makes it
 * carried: creating it on the destination as the source has it.
 */
export function keptRangeTypes(
  model: CatalogModel,
  facts: RangeFacts | undefined,
): { kept: ReadonlySet<string>; refusals: Refusal[] } {
  if (!facts || facts.superuser) return { kept: new Set(), refusals: [] };
  const live = new Map(facts.live.map((r) => [stagedKey(r.schema, r.name), r]));
  // The live schemas' names, as deparsed text starts a name in one of them.
  const synced = model.schemas.map((s) => s.name);
  const inSynced = (text: string | undefined) =>
    text !== undefined &&
    synced.some((s) => text.startsWith(`${s}.`) || text.startsWith(`"${s.replace(/"/g, '""')}".`));
  const asIs = renderContext(0, new Map(), new Set());
  const kept = new Set<string>();
  const refusals: Refusal[] = [];
  for (const r of model.ranges) {
    const object = `range type ${qualify(r.schema, r.name)}`;
    const twin = live.get(stagedKey(r.schema, r.name));
    const definition = createRange(r, asIs);
    if ([r.subtype, r.subtypeOpclass, r.collation, r.subtypeDiff, r.canonical].some(inSynced)) {
      refusals.push({
        object,
        reason:
          "it is defined on objects of the synced schemas, which the cut-over replaces, and a role that is no superuser cannot move a range type (its constructor functions belong to the bootstrap superuser): run the sync as a superuser of the destination",
      });
    } else if (!twin) {
      refusals.push({
        object,
        reason: `a role that is no superuser cannot move a range type into place (its constructor functions belong to the bootstrap superuser); create it on the destination first, as the source has it: ${definition}`,
      });
    } else if (createRange(twin, asIs) !== definition) {
      refusals.push({
        object,
        reason: `the destination's differs from the source's (${createRange(twin, asIs)}), and a role that is no superuser cannot replace it; drop it on the destination and create it as the source has it: ${definition}`,
      });
    } else {
      kept.add(stagedKey(r.schema, r.name));
      if (r.multirange) kept.add(stagedKey(r.multirange.schema, r.multirange.name));
    }
  }
  return { kept, refusals };
}
