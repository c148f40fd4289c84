import { type ArchiveListing, listArchives, pruneArchives } from "../archive/archives.js";
import { type Compression, DEFAULT_COMPRESSION } from "../archive/compression.js";
import { ARCHIVE_FAULT_POINTS } from "../archive/dump.js";
import { dumpDatabase } from "../archive/dump-database.js";
import {
  type ArchiveKey,
  parseArchiveKey,
  readArchiveKeyFile,
  resolveArchiveKey,
} from "../archive/encryption.js";
import { openArchive } from "../archive/open-archive.js";
import { openStore } from "../archive/store.js";
import { verifyArchive } from "../archive/verify-archive.js";
import { AD_HOC_RETENTION_DAYS, loadConfig, resolveProfile } from "../config/index.js";
import type { ArchiveConfig } from "../config/types.js";
import { PgsyncError } from "../errors.js";
import { EXIT } from "../output/exit.js";
import { formatBytes, formatRunReport } from "../output/format.js";
import { createLogger } from "../output/logger.js";
import { logRunEvent } from "../output/run-events.js";
import { restoreArchive } from "../pipeline/restore-archive.js";
import { PAUSE_ENV, testFaultHook, testPauseHook } from "../pipeline/test-faults.js";
import { abortOnSignals } from "./interrupt.js";
import { resolveDestination, resolveSource, type TargetFlags } from "./target.js";
import { testHooksEnabled } from "./test-hooks.js";

/** `dump`, `restore` and `archives` (docs/archives.md). */

const out = (text: string) => process.stdout.write(`${text}\n`);
const json = (value: unknown) => out(JSON.stringify(value, null, 2));
/** Where a key is read from when no --key-file is given. */
export const KEY_ENV = "PGSYNC_ARCHIVE_KEY";

export interface KeyFlags {
  readonly keyFile?: string;
}

/** The archive key: --key-file, else $PGSYNC_ARCHIVE_KEY, else the profile's `archive.key`; none is fine. */
async function archiveKey(flags: KeyFlags, profile?: ArchiveConfig): Promise<ArchiveKey | undefined> {
  if (flags.keyFile) return readArchiveKeyFile(flags.keyFile);
  const text = process.env[KEY_ENV];
  if (text) return parseArchiveKey(text, `environment variable ${KEY_ENV}`);
  return profile?.key ? resolveArchiveKey(profile.key) : undefined;
}

function pauses<P extends string>(known: readonly P[], signal: AbortSignal) {
  if (!testHooksEnabled()) {
    if (process.env[PAUSE_ENV])
      process.stderr.write(
        `pgsync-ts: warning: ${PAUSE_ENV} is set but ignored: it is for the test suite only\n`,
      );
    return undefined;
  }
  return testPauseHook(known, signal);
}

export async function dumpCommand(
  flags: TargetFlags & KeyFlags & { store?: string; compress?: Compression; json?: boolean },
): Promise<number> {
  const profile = await resolveSource(flags);
  const store = flags.store ?? profile.archive?.store;
  if (!store) throw new PgsyncError("usage", "give --store <directory | s3://bucket/prefix>");
  const key = await archiveKey(flags, profile.archive);
  const log = createLogger({ profile: profile.name });
  const interrupt = abortOnSignals();
  try {
    const fault = pauses(ARCHIVE_FAULT_POINTS, interrupt.signal);
    const result = await dumpDatabase({
      sourceUrl: profile.sourceUrl,
      store,
      compression: flags.compress ?? profile.archive?.compress ?? DEFAULT_COMPRESSION,
      ...(key ? { key } : {}),
      parallelism: flags.parallel ?? profile.parallelism,
      timeouts: profile.timeouts,
      ...(fault ? { fault } : {}),
      warn: (message) => log.warn(message),
      onTable: (t) => log.info(t, `archived ${t.table}`),
    });
    const m = result.manifest;
    if (flags.json)
      json({
        id: result.id,
        location: result.location,
        seconds: result.seconds,
        compression: m.compression,
        encrypted: m.encryption !== null,
        summary: m.summary,
        manifestSha256: m.integrity.sha256,
        files: m.files,
      });
    else {
      const ratio = m.summary.storedBytes > 0 ? m.summary.dataBytes / m.summary.storedBytes : 0;
      out(`archive   ${result.location}`);
      out(
        `size      ${formatBytes(m.summary.storedBytes)} (${formatBytes(m.summary.dataBytes)} of COPY data, ${m.compression}${ratio > 0 ? `, ratio ${ratio.toFixed(2)}` : ""}${m.encryption ? ", encrypted" : ""})`,
      );
      out(
        `contents  ${m.summary.tables} tables, ${m.summary.rows} rows, ${m.summary.largeObjects} large objects, in ${result.seconds} s`,
      );
      out(`manifest  sha256 ${m.integrity.sha256}`);
      for (const f of m.files) out(`${f.sha256}  ${f.path}`);
    }
    return EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}

export async function restoreCommand(
  flags: TargetFlags &
    KeyFlags & {
      archive?: string;
      store?: string;
      latest?: boolean;
      json?: boolean;
      force?: boolean;
      withPrivileges?: boolean;
      withDatabaseSettings?: boolean;
      verify?: "counts" | "checksum";
    },
): Promise<number> {
  if (flags.from) throw new PgsyncError("usage", "restore reads the archive: drop --from");
  if (!flags.archive === !(flags.store && flags.latest))
    throw new PgsyncError("usage", "give --archive <store>/<id>, or --store <store> --latest");
  const profile = await resolveDestination(flags);
  const key = await archiveKey(flags, profile.archive);
  const archive = await openArchive(
    flags.archive ? { archive: flags.archive } : { store: flags.store as string, latest: true },
    key,
  );
  const log = createLogger({ profile: profile.name });
  const interrupt = abortOnSignals();
  try {
    const faultHook = testHooksEnabled() ? testFaultHook(interrupt.signal) : undefined;
    log.info({ archive: archive.location }, "restore starting");
    const report = await restoreArchive({
      archive,
      destinationUrl: profile.destinationUrl,
      profile: profile.name,
      parallelism: flags.parallel ?? profile.parallelism,
      timeouts: profile.timeouts,
      retention: profile.retention,
      lockWait: profile.lockWait,
      force: flags.force === true || profile.force,
      allowProduction: profile.allowProduction,
      includePrivileges: flags.withPrivileges === true || profile.includePrivileges,
      copyDatabaseSettings: flags.withDatabaseSettings === true || profile.copyDatabaseSettings,
      verify: flags.verify ?? profile.verify,
      signal: interrupt.signal,
      ...(faultHook ? { faultHook } : {}),
      onEvent: (e) => logRunEvent(log, e),
    });
    if (flags.json) json({ ...report, archive: { id: archive.id, location: archive.location } });
    else out(formatRunReport(report));
    if (report.error)
      process.stderr.write(`pgsync-ts: error: ${String(report.error.message).replace(/\s*\n\s*/g, "; ")}\n`);
    return (
      interrupt.exitCode() ??
      (report.ok ? EXIT.ok : report.error?.kind === "config" ? EXIT.usage : EXIT.failed)
    );
  } finally {
    interrupt.dispose();
    await archive.close();
  }
}

export async function archivesCommand(
  flags: KeyFlags & {
    store?: string;
    verify?: boolean;
    prune?: boolean;
    keep?: number;
    days?: number;
    profile?: string;
    config?: string;
    json?: boolean;
  },
): Promise<number> {
  const config = await loadConfig({
    ...(flags.config ? { configPath: flags.config } : {}),
    env: process.env,
  });
  const archiveConfig = flags.profile
    ? resolveProfile(config, flags.profile, process.env, "destination").archive
    : undefined;
  if (flags.profile && !archiveConfig)
    throw new PgsyncError("usage", `profile ${flags.profile} has no "archive" section`);
  const location = flags.store ?? archiveConfig?.store;
  if (!location)
    throw new PgsyncError("usage", "give --store <directory | s3://bucket/prefix> (or --profile)");
  const byFlags = flags.keep !== undefined || flags.days !== undefined;
  if (byFlags && flags.profile)
    throw new PgsyncError("usage", "give the retention by --keep/--days or by --profile, not both");
  if (byFlags && !flags.prune) throw new PgsyncError("usage", "--keep and --days go with --prune");
  const retention = byFlags
    ? {
        ...(flags.keep !== undefined ? { count: flags.keep } : {}),
        days: flags.days ?? AD_HOC_RETENTION_DAYS,
      }
    : archiveConfig?.retention;
  if (flags.prune && !retention)
    throw new PgsyncError(
      "usage",
      "--prune needs a retention: --keep <n>, --days <n>, or a profile whose archive has one",
    );
  const key = await archiveKey(flags, archiveConfig);
  const store = await openStore(location);
  try {
    const pruned = flags.prune && retention ? await pruneArchives(store, retention) : undefined;
    let list: ArchiveListing[] = await listArchives(store, {
      ...(retention ? { retention } : {}),
      ...(key ? { key } : {}),
    });
    if (flags.verify)
      list = await Promise.all(
        list.map(async (a) => {
          if (a.state !== "complete") return a;
          const problems = await verifyArchive(store, a.id, key);
          return { ...a, verified: problems.length === 0, problems };
        }),
      );
    if (flags.json) json({ store: store.location, archives: list, ...(pruned ? { pruned } : {}) });
    else {
      for (const id of pruned?.pruned ?? []) out(`pruned ${id}`);
      for (const id of pruned?.abandoned ?? []) out(`removed incomplete ${id}`);
      if (list.length === 0) out(`no archives in ${store.location}`);
      for (const a of list) {
        const what =
          a.state === "complete"
            ? `${a.source?.database} (PostgreSQL ${a.source?.version})  ${a.tables} tables  ${a.rows} rows`
            : a.state;
        const check = a.verified === undefined ? "" : a.verified ? "  verified" : "  VERIFY FAILED";
        out(
          `${a.id}  ${a.createdAt ?? "-"}  ${formatBytes(a.bytes).padStart(9)}  ${what}  ${a.retention}${check}`,
        );
        for (const p of a.problems) out(`  ${p}`);
      }
      if (flags.verify && !key && list.some((a) => a.encrypted))
        out(
          `note: encrypted archives were checked file by file; give the key (--key-file or ${KEY_ENV}) to authenticate their manifests too`,
        );
    }
    const failed = list.some((a) => a.state === "unreadable" || a.verified === false);
    return failed ? EXIT.failed : EXIT.ok;
  } finally {
    await store.close();
  }
}
