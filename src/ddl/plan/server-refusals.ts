import type { CatalogModel, ForeignServer } from "../../introspect/model.js";
import { describeObject } from "../../sql/describe.js";
import { quoteIdent } from "../../sql/quote.js";
import type { Refusal } from "../version-rules.js";

/** The destination's foreign servers and wrappers, by name (src/introspect/queries/foreign-servers.ts). */
export interface ForeignServerFacts {
  readonly servers: ReadonlySet<string>;
  readonly wrappers: ReadonlySet<string>;
  /** The handler and validator functions of the source's wrappers (regproc text) the destination has. */
  readonly functions: ReadonlySet<string>;
}

/**
 * A foreign server the destination lacks is created in the staging transaction, with its wrapper
 * when that is missing too. Either fails when the wrapper comes from no extension of the sync and
 * is not made by hand on the source, or when a wrapper made by hand names a handler or validator
 * that neither the destination has nor the sync creates: refused here instead, with every server
 * and foreign table that needs it, before anything is written.
 */
export function foreignServerRefusals(
  model: CatalogModel,
  facts: ForeignServerFacts | undefined,
  createdBySync: (regproc: string) => boolean,
): Refusal[] {
  if (!facts) return [];
  const extensions = new Set(model.extensions.map((e) => e.name));
  const wrappers = new Map((model.foreignDataWrappers ?? []).map((w) => [w.name, w]));
  const refusals: Refusal[] = [];
  const refuse = (servers: readonly ForeignServer[], reason: string) => {
    for (const s of servers) {
      refusals.push({ object: describeObject("server", s.name), reason });
      for (const f of model.foreignTables.filter((t) => t.server === s.name))
        refusals.push({
          object: describeObject("foreign table", f),
          reason: `its server ${quoteIdent(s.name)} cannot be created on the destination: ${reason}`,
        });
    }
  };
  for (const w of wrappers.values()) {
    if (facts.wrappers.has(w.name)) continue;
    const missing = [w.handler, w.validator].filter(
      (f): f is string => f !== undefined && !createdBySync(f) && !facts.functions.has(f),
    );
    if (missing.length === 0) continue;
    const needs = `${missing.join(" and ")}, which the destination does not have and the sync does not create: create the wrapper there, or sync the schema of ${missing.join(" and ")} too`;
    refusals.push({ object: describeObject("foreign-data wrapper", w.name), reason: `it needs ${needs}` });
    refuse(
      model.foreignServers.filter((s) => s.wrapper === w.name && !facts.servers.has(s.name)),
      `its foreign-data wrapper ${quoteIdent(w.name)} needs ${needs}`,
    );
  }
  const unknown = model.foreignServers.filter((s) => {
    const brought = s.wrapperExtension !== undefined && extensions.has(s.wrapperExtension);
    return (
      !facts.servers.has(s.name) && !facts.wrappers.has(s.wrapper) && !brought && !wrappers.has(s.wrapper)
    );
  });
  for (const s of unknown)
    refuse(
      [s],
      `its foreign-data wrapper ${quoteIdent(s.wrapper)} does not exist on the destination, and no extension of the sync brings it: create the wrapper there, or the server ${quoteIdent(s.name)} itself`,
    );
  return refusals;
}
