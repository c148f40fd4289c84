import { connect } from "../db/connect.js";
import { baseSettings, begin } from "../db/session.js";
import { introspect } from "../introspect/index.js";
import { readMaskCatalog } from "./catalog.js";
import { type SuggestResult, suggestMasking } from "./suggest.js";

export interface SuggestOptions {
  readonly sourceUrl: string;
  readonly connectSeconds: number;
  readonly schemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
  /** `schema.table` names the profile leaves out. */
  readonly excludeTables?: readonly string[];
}

/**
 * `mask suggest` against a source: one read-only transaction on the source only (the destination
 * is never touched), with row security off like a run's, so the sample sees what a run would copy.
 */
export async function suggestForSource(options: SuggestOptions): Promise<SuggestResult> {
  const source = await connect({
    url: options.sourceUrl,
    side: "source",
    connectSeconds: options.connectSeconds,
  });
  try {
    await begin(
      source.client,
      { ...baseSettings(0), row_security: "off" },
      "ISOLATION LEVEL REPEATABLE READ READ ONLY",
    );
    const model = await introspect(source.client, {
      ...(options.schemas ? { schemas: options.schemas } : {}),
      ...(options.excludeSchemas ? { excludeSchemas: options.excludeSchemas } : {}),
    });
    const excluded = new Set(options.excludeTables ?? []);
    const tables = model.tables.filter((t) => !excluded.has(`${t.schema}.${t.name}`));
    const catalog = await readMaskCatalog(
      source.client,
      tables.map((t) => t.oid),
    );
    const result = await suggestMasking(source.client, tables, catalog);
    await source.client.query("ROLLBACK");
    return result;
  } finally {
    await source.close();
  }
}
