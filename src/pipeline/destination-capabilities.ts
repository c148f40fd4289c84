import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../db/rows.js";
import type { DestinationCapabilities, DestinationExtensions } from "../ddl/plan/destination-refusals.js";
import type { CatalogModel } from "../introspect/model.js";

const Named = z.object({ name: text });

/** What the destination's server has for the plan's capability refusals (src/ddl/plan/destination-refusals.ts). */
export async function readDestinationCapabilities(
  client: pg.Client,
  model: CatalogModel,
): Promise<DestinationCapabilities> {
  const languages = await queryRows(
    client,
    "languages",
    "SELECT lanname AS name FROM pg_catalog.pg_language",
    [],
    Named,
  );
  const compression = await queryRows(
    client,
    "compression methods",
    "SELECT pg_catalog.unnest(enumvals) AS name FROM pg_catalog.pg_settings WHERE name = 'default_toast_compression'",
    [],
    Named,
  );
  return {
    extensions: await readDestinationExtensions(
      client,
      model.extensions.map((e) => e.name),
    ),
    languages: new Set(languages.map((r) => r.name)),
    compressionMethods: new Set(compression.map((r) => r.name)),
  };
}

/** Which of these extensions the destination has installed (and where), and which it could create. */
export async function readDestinationExtensions(
  client: pg.Client,
  names: readonly string[],
): Promise<DestinationExtensions & { readonly versions: ReadonlyMap<string, string> }> {
  const installed = await queryRows(
    client,
    "installed extensions",
    `SELECT e.extname AS name, n.nspname AS schema, e.extversion AS version FROM pg_catalog.pg_extension e
     JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = ANY($1::text[])`,
    [names],
    z.object({ name: text, schema: text, version: text }),
    "destination",
  );
  const available = await queryRows(
    client,
    "available extensions",
    "SELECT DISTINCT name FROM pg_catalog.pg_available_extension_versions WHERE name = ANY($1::text[])",
    [names],
    Named,
    "destination",
  );
  return {
    installed: new Map(installed.map((r) => [r.name, { schema: r.schema }])),
    versions: new Map(installed.map((r) => [r.name, r.version])),
    available: new Set(available.map((r) => r.name)),
  };
}
