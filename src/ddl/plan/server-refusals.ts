import type { CatalogModel } from "../../introspect/model.js";
import { qualify, quoteIdent } from "../../sql/quote.js";
import type { Refusal } from "../version-rules.js";

/** The destination's foreign servers and wrappers, by name (src/introspect/queries/foreign-servers.ts). */
export interface ForeignServerFacts {
  readonly servers: ReadonlySet<string>;
  readonly wrappers: ReadonlySet<string>;
}

/**
 * A foreign server the destination lacks is created in the staging transaction, which fails when
 * its wrapper is missing too (and no extension of the plan brings it): refused here instead, with
 * every foreign table on it, before anything is written.
 */
export function foreignServerRefusals(model: CatalogModel, facts: ForeignServerFacts | undefined): Refusal[] {
  if (!facts) return [];
  const extensions = new Set(model.extensions.map((e) => e.name));
  return model.foreignServers.flatMap((s) => {
    const brought = s.wrapperExtension !== undefined && extensions.has(s.wrapperExtension);
    if (facts.servers.has(s.name) || facts.wrappers.has(s.wrapper) || brought) return [];
    const reason = `its foreign-data wrapper ${quoteIdent(s.wrapper)} does not exist on the destination, and no extension of the sync brings it: create the wrapper there, or the server ${quoteIdent(s.name)} itself`;
    return [
      { object: `server ${quoteIdent(s.name)}`, reason },
      ...model.foreignTables
        .filter((f) => f.server === s.name)
        .map((f) => ({
          object: `foreign table ${qualify(f.schema, f.name)}`,
          reason: `its server ${quoteIdent(s.name)} cannot be created on the destination: ${reason}`,
        })),
    ];
  });
}
