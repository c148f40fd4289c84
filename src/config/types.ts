/** Where a profile reads a connection URL from: a literal URL in the config, or an environment variable. */
export type ConnectionSpec = { readonly url: string } | { readonly env: string };

export type VerifyMode = "counts" | "checksum";

/** What to do when the destination holds a lock the sync needs: fail at once, or wait (up to `timeouts.lockSeconds`). */
export type LockWait = "fail" | "wait";

export interface ScheduleConfig {
  /** A cron expression croner accepts (5 fields, or 6 with seconds). */
  readonly cron: string;
  /** An IANA time zone the cron expression is evaluated in. */
  readonly timezone: string;
}

export interface RetentionConfig {
  /** Keep previous copies for this many days. */
  readonly days: number;
  /** Keep at most this many previous copies (no limit when absent). */
  readonly count?: number;
}

export interface TimeoutsConfig {
  readonly connectSeconds: number;
  readonly statementSeconds: number;
  readonly lockSeconds: number;
  /** Abort a copy that makes no progress for this long. */
  readonly stallSeconds: number;
}

export interface IncludeConfig {
  /** Copy only these schemas (plus the tables listed in `tables`). */
  readonly schemas?: readonly string[];
  /** Copy only these tables, as `schema.table` (plus the schemas listed in `schemas`). */
  readonly tables?: readonly string[];
}

export interface ExcludeConfig {
  readonly schemas: readonly string[];
  /** Tables as `schema.table`. */
  readonly tables: readonly string[];
}

/** A profile as parsed from the config, with every default applied. Deeply frozen. */
export interface ProfileConfig {
  readonly source: ConnectionSpec;
  readonly destination: ConnectionSpec;
  /** When `pgsync-ts serve` runs the profile; a profile without a schedule only runs ad hoc. */
  readonly schedule?: ScheduleConfig;
  readonly retention: RetentionConfig;
  readonly timeouts: TimeoutsConfig;
  /** Number of tables copied at once, 1..32. */
  readonly parallelism: number;
  readonly verify: VerifyMode;
  /** No include filter (copy everything not excluded) when absent. */
  readonly include?: IncludeConfig;
  readonly exclude: ExcludeConfig;
  /** Tables (`schema.table`) created without their data. */
  readonly structureOnly: readonly string[];
  readonly allowProduction: boolean;
  readonly force: boolean;
  readonly lockWait: LockWait;
}

/**
 * A profile (or the `defaults` section) as written in a config file, after validation and before
 * defaults are applied: every field is optional.
 */
export interface ProfileInput {
  readonly source?: ConnectionSpec;
  readonly destination?: ConnectionSpec;
  readonly schedule?: ScheduleConfig;
  readonly retention?: RetentionConfig;
  readonly timeouts?: Partial<TimeoutsConfig>;
  readonly parallelism?: number;
  readonly verify?: VerifyMode;
  readonly include?: IncludeConfig;
  readonly exclude?: Partial<ExcludeConfig>;
  readonly structureOnly?: readonly string[];
  readonly allowProduction?: boolean;
  readonly force?: boolean;
  readonly lockWait?: LockWait;
}

export interface LoadedConfig {
  /** Absolute path of the config file, or undefined when only the built-in profiles are in use. */
  readonly file?: string;
  /** Every profile (built-in and from the file), with defaults applied. */
  readonly profiles: ReadonlyMap<string, ProfileConfig>;
  /** The file's validated `defaults` section (empty without a file); `adHocProfile` can apply it too. */
  readonly defaults: ProfileInput;
}

export interface ResolvedProfile extends ProfileConfig {
  readonly name: string;
  /** The real source URL, password included: hand it only to the driver, show `describeProfile` instead. */
  readonly sourceUrl: string;
  readonly destinationUrl: string;
}
