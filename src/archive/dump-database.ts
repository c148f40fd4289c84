import { randomBytes } from "node:crypto";
import { DEFAULT_TIMEOUTS } from "../config/builtins.js";
import type { TimeoutsConfig } from "../config/types.js";
import { exportSnapshot, importSnapshot, lockSourceTables } from "../copy/source-snapshot.js";
import { type Connection, connect } from "../db/connect.js";
import { introspect, readServerInfo } from "../introspect/index.js";
import { type Compression, DEFAULT_COMPRESSION } from "./compression.js";
import { type ArchiveFaultPoint, type ArchiveResult, writeArchive } from "./dump.js";
import type { ArchiveKey } from "./encryption.js";
import { openStore } from "./store.js";

export interface DumpOptions {
  readonly sourceUrl: string;
  /** A directory or `s3://bucket/prefix`. */
  readonly store: string;
  readonly compression?: Compression;
  readonly key?: ArchiveKey;
  readonly parallelism?: number;
  readonly timeouts?: Partial<TimeoutsConfig>;
  readonly fault?: (point: ArchiveFaultPoint) => Promise<void>;
  readonly warn?: (message: string) => void;
  readonly onTable?: (table: {
    readonly table: string;
    readonly rows: number;
    readonly bytes: number;
  }) => void;
}

/**
 * `pgsync-ts dump`: one archive of the whole source database, read at one snapshot (exported by
 * the first connection, imported by the others), its tables locked ACCESS SHARE so no DDL
 * changes them meanwhile. It needs only the source (and the store).
 */
export async function dumpDatabase(options: DumpOptions): Promise<ArchiveResult> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const runId = randomBytes(4).toString("hex");
  const applicationName = `pgsync-ts dump ${runId}`;
  const open = () =>
    connect({
      url: options.sourceUrl,
      side: "source",
      connectSeconds: timeouts.connectSeconds,
      applicationName,
    });
  const store = await openStore(options.store);
  const connections: Connection[] = [];
  try {
    const exporter = await open();
    connections.push(exporter);
    const info = await readServerInfo(exporter.client);
    const snapshot = await exportSnapshot(exporter.client);
    const snapshotAt = new Date();
    const model = await introspect(exporter.client, { withPrivileges: true }, info);
    await lockSourceTables(exporter.client, model.tables, timeouts.lockSeconds);
    return await writeArchive(
      {
        exporter: exporter.client,
        info,
        snapshotAt,
        join: async () => {
          const c = await open();
          connections.push(c);
          return (await importSnapshot(c.client, snapshot)) ? c.client : undefined;
        },
      },
      model,
      {
        store,
        compression: options.compression ?? DEFAULT_COMPRESSION,
        ...(options.key ? { key: options.key } : {}),
        runId,
        parallelism: options.parallelism ?? 2,
        stallSeconds: timeouts.stallSeconds,
        ...(options.fault ? { fault: options.fault } : {}),
        ...(options.warn ? { warn: options.warn } : {}),
        ...(options.onTable ? { onTable: options.onTable } : {}),
      },
    );
  } finally {
    for (const c of connections) await c.close();
    await store.close();
  }
}
