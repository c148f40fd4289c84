import {
  adHocDestinationProfile,
  type DestinationProfile,
  loadConfig,
  resolveProfile,
} from "../config/index.js";
import { errorMessage, PgsyncError } from "../errors.js";
import { EXIT } from "../output/exit.js";
import { formatBytes } from "../output/format.js";
import { type HistorySummary, summarizeRuns } from "../schedule/history-stats.js";
import { type RunRecord, readRuns } from "../schedule/history-store.js";
import { openHistoryReader } from "../schedule/record-run.js";
import { maskConnectionString, redactDeep } from "../util/redact.js";

export interface HistoryFlags {
  readonly profile?: string;
  readonly config?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly json?: boolean;
  /** `--connect-timeout <seconds>`: overrides the profiles' timeouts.connectSeconds. */
  readonly connectTimeout?: number;
}

interface ProfileHistory {
  readonly profile: string;
  readonly destination: string;
  readonly summary: HistorySummary;
  readonly runs: readonly RunRecord[];
}

const out = (text: string) => process.stdout.write(`${text}\n`);

/**
 * `pgsync-ts history`: the recent runs of a profile (or of every profile), read from the run history
 * on its destination (`_pgsync.runs`), with the success rate and the median duration.
 */
export async function historyCommand(flags: HistoryFlags): Promise<number> {
  const limit = flags.limit ?? 20;
  const targets = await historyTargets(flags);
  const results: ProfileHistory[] = [];
  for (const t of targets) {
    const c = await openHistoryReader(t.destinationUrl, t.connectSeconds);
    try {
      // Rollbacks are listed with the runs; the success rate and median count runs only.
      const runs = await readRuns(c.client, {
        ...(t.profiles ? { profiles: t.profiles } : {}),
        limit,
        kinds: ["sync", "rollback"],
      });
      const names = t.profiles ?? [...new Set(runs.map((r) => r.profile))].sort();
      for (const profile of names) {
        const own = runs.filter((r) => r.profile === profile);
        results.push({
          profile,
          destination: maskConnectionString(t.destinationUrl),
          summary: summarizeRuns(own.filter((r) => r.kind === "sync")),
          runs: own.map(shownRun),
        });
      }
    } finally {
      await c.close();
    }
  }
  if (flags.json) out(JSON.stringify({ profiles: results }, null, 2));
  else out(formatHistory(results));
  return EXIT.ok;
}

/**
 * A history row as shown: rows written by older releases may hold a `?password=` their masker
 * missed, so the connection strings are masked again and every text goes through the registry.
 */
export function shownRun(run: RunRecord): RunRecord {
  return redactDeep({
    ...run,
    source: maskConnectionString(run.source),
    destination: maskConnectionString(run.destination),
  });
}

interface Target {
  readonly destinationUrl: string;
  readonly connectSeconds: number;
  /** Undefined: every profile recorded on the destination (`--to`). */
  readonly profiles?: string[];
}

async function historyTargets(flags: HistoryFlags): Promise<Target[]> {
  const config = await loadConfig({
    ...(flags.config ? { configPath: flags.config } : {}),
    env: process.env,
  });
  if (flags.to) {
    if (flags.profile) throw new PgsyncError("usage", "use either --profile or --to, not both");
    const p = adHocDestinationProfile({ to: flags.to, defaults: config.defaults });
    return [
      { destinationUrl: p.destinationUrl, connectSeconds: flags.connectTimeout ?? p.timeouts.connectSeconds },
    ];
  }
  // History lives on the destination: a profile's source variable need not be set.
  let profiles: DestinationProfile[];
  if (flags.profile) profiles = [resolveProfile(config, flags.profile, process.env, "destination")];
  else {
    profiles = [];
    const problems: string[] = [];
    for (const name of config.profiles.keys()) {
      try {
        profiles.push(resolveProfile(config, name, process.env, "destination"));
      } catch (error) {
        problems.push(errorMessage(error));
        process.stderr.write(`pgsync-ts history: skipping profile ${name}: ${errorMessage(error)}\n`);
      }
    }
    if (profiles.length === 0)
      throw new PgsyncError("config", `no profile can be read:\n  ${problems.join("\n  ")}`);
  }
  // One connection per destination, however many profiles write to it.
  const byUrl = new Map<string, Target & { profiles: string[] }>();
  for (const p of profiles) {
    const t = byUrl.get(p.destinationUrl) ?? {
      destinationUrl: p.destinationUrl,
      connectSeconds: flags.connectTimeout ?? p.timeouts.connectSeconds,
      profiles: [],
    };
    t.profiles.push(p.name);
    byUrl.set(p.destinationUrl, t);
  }
  return [...byUrl.values()];
}

export function formatHistory(results: readonly ProfileHistory[]): string {
  if (results.length === 0) return "no runs recorded";
  const blocks = results.map(({ profile, destination, summary: s, runs }) => {
    const rate = s.successRate === null ? "n/a" : `${Math.round(s.successRate * 1000) / 10}%`;
    const lines = [
      `${profile}  (history on ${destination})`,
      `  success rate ${rate} (${s.succeeded} of ${s.finished} finished runs), median duration ${s.medianSeconds === null ? "n/a" : `${s.medianSeconds}s`}${s.skipped ? `, ${s.skipped} skipped` : ""}`,
    ];
    if (runs.length === 0) lines.push("  no runs recorded");
    for (const r of runs) {
      const cols = [
        r.startedAt.toISOString().replace(/\.\d+Z$/, "Z"),
        (r.kind === "rollback" ? "rollback" : r.trigger).padEnd(9),
        r.status.padEnd(11),
        (r.seconds === null ? "" : `${r.seconds}s`).padStart(9),
        // Apart from the duration; rows of older releases did not measure it.
        r.status === "skipped"
          ? ""
          : `lock wait ${r.lockWaitSeconds === null ? "unknown" : `${r.lockWaitSeconds}s`}`,
        r.tables === null
          ? ""
          : `${r.tables} tables, ${(r.rows ?? 0).toLocaleString("en-US")} rows, ${formatBytes(r.bytes ?? 0)}`,
      ];
      if (r.status === "skipped" && r.scheduledFor) cols.push(`slot ${r.scheduledFor.toISOString()}`);
      if (r.restoredSnapshot) cols.push(`restored snapshot ${r.restoredSnapshot}`);
      if (r.keptSnapshot) cols.push(`replaced state kept as ${r.keptSnapshot}`);
      if (r.error) cols.push(`error: ${r.error.message}`);
      lines.push(`  ${cols.join("  ")}`.trimEnd());
    }
    return lines.join("\n");
  });
  return blocks.join("\n\n");
}
