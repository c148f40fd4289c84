import { connectBoth } from "../db/connect.js";
import { baseSettings, begin } from "../db/session.js";
import { planSync, type Statement } from "../ddl/plan.js";
import { introspect, readServerInfo } from "../introspect/index.js";
import type { NotCarried } from "../introspect/model.js";
import { STAGING_PREFIX } from "../restore/meta.js";
import { qualify } from "../sql/quote.js";
import { maskConnectionString, redactDeep } from "../util/redact.js";
import { selectedSchemas } from "./selection.js";
import { destinationFacts, unportableObjects } from "./steps/plan.js";

export interface PlanOptions {
  readonly sourceUrl: string;
  readonly destinationUrl: string;
  readonly connectSeconds?: number;
  readonly schemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
  readonly structureOnly?: readonly string[];
  readonly includeTables?: readonly string[];
  readonly excludeTables?: readonly string[];
}

export interface PlanReport {
  readonly source: string;
  readonly destination: string;
  readonly sourceVersion: string;
  readonly destinationVersion: string;
  readonly schemas: readonly string[];
  readonly tables: readonly {
    readonly table: string;
    readonly bytes: number;
    readonly estimatedRows: number;
    readonly format: string;
    readonly data: boolean;
  }[];
  /** The DDL a run would execute, in order, rendered for the destination's version (with staging names). */
  readonly ddl: readonly Statement[];
  readonly refused: readonly string[];
  readonly notCarried: readonly NotCarried[];
}

/** What a run would do, without changing the destination (it only reads both catalogs). */
export async function planRun(options: PlanOptions): Promise<PlanReport> {
  const { source, destination, close } = await connectBoth(
    options.sourceUrl,
    options.destinationUrl,
    options.connectSeconds ?? 30,
  );
  try {
    await begin(source.client, baseSettings(300), "ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const dstInfo = await readServerInfo(destination.client);
    const model = await introspect(source.client, {
      ...(selectedSchemas(options) ? { schemas: selectedSchemas(options) } : {}),
      ...(options.excludeSchemas ? { excludeSchemas: options.excludeSchemas } : {}),
    });
    const plan = planSync(model, {
      targetMajor: dstInfo.major,
      ...(await destinationFacts(destination.client, model)),
      stagingPrefix: `${STAGING_PREFIX}plan`,
      ...(options.structureOnly ? { structureOnly: options.structureOnly } : {}),
      selection: {
        ...(options.includeTables ? { includeTables: options.includeTables } : {}),
        ...(options.includeTables && options.schemas ? { includeSchemas: options.schemas } : {}),
        ...(options.excludeTables ? { excludeTables: options.excludeTables } : {}),
      },
    });
    return redactDeep({
      source: maskConnectionString(options.sourceUrl),
      destination: maskConnectionString(options.destinationUrl),
      sourceVersion: model.server.version,
      destinationVersion: dstInfo.version,
      schemas: plan.schemas.map((s) => s.name),
      tables: plan.tables.map((t) => ({
        table: qualify(t.table.schema, t.table.name),
        bytes: t.table.bytes,
        estimatedRows: t.table.estimatedRows,
        format: t.format,
        data: t.copyData,
      })),
      ddl: [
        ...plan.preData,
        ...plan.tables.flatMap((t) => [...t.keys, ...t.indexes]),
        ...plan.foreignKeys,
        ...plan.postData,
      ],
      refused: unportableObjects(plan, model),
      notCarried: model.notCarried,
    });
  } finally {
    await close();
  }
}
