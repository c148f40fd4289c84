/**
 * The schemas a run reads and swaps: the listed ones, plus those of the listed tables. A table-level
 * selection leaves every other schema of the destination alone.
 */
export function selectedSchemas(options: {
  schemas?: readonly string[];
  includeTables?: readonly string[];
}): readonly string[] | undefined {
  if (!options.includeTables) return options.schemas;
  const fromTables = options.includeTables.map((t) => t.slice(0, t.indexOf(".")));
  return [...new Set([...(options.schemas ?? []), ...fromTables])];
}
