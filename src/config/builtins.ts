import type { ProfileInput, TimeoutsConfig } from "./types.js";

/**
 * The profiles available without a config file. A file profile with the same name replaces the
 * built-in one entirely; the file's `defaults` apply to these as to any other profile.
 */
export const BUILTIN_PROFILES: ReadonlyMap<string, ProfileInput> = new Map<string, ProfileInput>([
  [
    "backup",
    {
      source: { env: "RAILWAY_DATABASE_URL" },
      destination: { env: "RAILWAY_BACKUP_DB_URL" },
      schedule: { cron: "0 6,18 * * *", timezone: "UTC" },
      retention: { days: 7 },
    },
  ],
  [
    "dev",
    {
      source: { env: "RAILWAY_DATABASE_URL" },
      destination: { env: "DATABASE_URL" },
      schedule: { cron: "15 6,18 * * *", timezone: "UTC" },
      retention: { days: 3 },
    },
  ],
]);

/** Values a profile gets for the fields neither it nor `defaults` sets. */
export const DEFAULT_TIMEOUTS: TimeoutsConfig = {
  connectSeconds: 30,
  statementSeconds: 300,
  lockSeconds: 300,
  stallSeconds: 300,
};

export const DEFAULT_TIMEZONE = "UTC";
/** A scheduled run that cannot start on time still runs if it is less than this late; else it is skipped. */
export const DEFAULT_MISFIRE_GRACE_SECONDS = 600;
/** After SIGTERM/SIGINT, a running sync gets this long to finish before it is aborted. */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;
/** The address `serve` binds its HTTP endpoints to when `http.host` is not set: local only. */
export const DEFAULT_HTTP_HOST = "127.0.0.1";
export const DEFAULT_RETENTION_DAYS = 7;
export const DEFAULT_PARALLELISM = 4;
export const DEFAULT_VERIFY = "counts";
export const DEFAULT_LOCK_WAIT = "wait";

/** Retention days of an ad hoc profile: effectively unlimited, so only the count applies. */
export const AD_HOC_RETENTION_DAYS = 36_500;
