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

/**
 * Where a profile's run alerts go. Failures (and skipped scheduled runs) are always sent; successes
 * only with `onSuccess`. A URL may be literal or read from an environment variable, like a database.
 */
export interface NotifyConfig {
  readonly onSuccess: boolean;
  /** JSON POSTed to each URL. */
  readonly webhook: readonly WebhookNotifyConfig[];
  /** Slack-compatible incoming webhooks (`{ "text": ... }`). */
  readonly slack: readonly SlackNotifyConfig[];
  readonly smtp: readonly SmtpNotifyConfig[];
}

export interface WebhookNotifyConfig {
  readonly url: EndpointSpec;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SlackNotifyConfig {
  readonly url: EndpointSpec;
}

export interface SmtpNotifyConfig {
  /** `smtp://user:password@host:port` or `smtps://...` (nodemailer's connection URL). */
  readonly url: EndpointSpec;
  readonly from: string;
  readonly to: readonly string[];
}

/** A notifier URL: literal, or read from an environment variable when the notifier is built. */
export type EndpointSpec = { readonly url: string } | { readonly env: string };

/** A secret written in the config: literally, or as the environment variable that holds it. */
export type SecretSpec = { readonly value: string } | { readonly env: string };

/** Settings of `pgsync-ts serve` as a whole (top-level keys of the config file). */
export interface ServiceConfig {
  /** How long a running sync may go on after SIGTERM/SIGINT before it is aborted. */
  readonly shutdownGraceSeconds: number;
  /** The HTTP endpoints (/healthz, /metrics, /); off when absent. */
  readonly http?: HttpConfig;
}

export interface HttpConfig {
  readonly port: number;
  /** The address listened on: 127.0.0.1 unless the config says otherwise. */
  readonly host: string;
  /** When set, `/` and `/metrics` need `Authorization: Bearer <token>`; `/healthz` stays open. */
  readonly token?: SecretSpec;
}

export interface TimeoutsConfig {
  readonly connectSeconds: number;
  readonly statementSeconds: number;
  readonly lockSeconds: number;
  /** Abort a copy that makes no progress for this long. */
  readonly stallSeconds: number;
}

/**
 * A masking transformer as a profile writes it (docs/masking.md describes each, with examples):
 * computed on the source, so the raw value never leaves it.
 */
export type MaskRuleSpec =
  | "email"
  | "phone"
  | "name"
  | "null"
  | "hash"
  | { readonly fixed: string }
  | { readonly "shift-days": number }
  | { readonly sql: string };

/** `masking` of a profile (never of `defaults`, which also reaches the built-in backup). */
export interface MaskingConfig {
  /** The key of the keyed hashes: the same key gives the same masked values in every run. */
  readonly key: SecretSpec;
  /** Refuse a run that would copy a column no rule or `keep` covers (see docs/masking.md). */
  readonly strict: boolean;
  /** `schema.table.column` -> transformer. */
  readonly rules: Readonly<Record<string, MaskRuleSpec>>;
  /** Columns (`schema.table.column`) copied unmasked on purpose; `"large-objects"` for the large objects. */
  readonly keep: readonly string[];
}

/** `subset` of a profile: which rows are copied (docs/masking.md, "Subsets"). */
export interface SubsetConfig {
  /** `schema.table` -> an SQL condition over its columns: the rows the subset starts from. */
  readonly roots: Readonly<Record<string, string>>;
  /** "references": what kept rows reference; "both": first what references the roots, then that. */
  readonly follow: "references" | "both";
  /** Tables the closure does not reach: copied whole, or left empty. */
  readonly others: "whole" | "empty";
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
  /** Bytes of table data (heap and TOAST) above which a table is copied in ranges on several workers; 0: never. */
  readonly splitTablesLargerThan: number;
  readonly verify: VerifyMode;
  /** No include filter (copy everything not excluded) when absent. */
  readonly include?: IncludeConfig;
  readonly exclude: ExcludeConfig;
  /** Tables (`schema.table`) created without their data. */
  readonly structureOnly: readonly string[];
  readonly allowProduction: boolean;
  /** Copy owners and grants to roles that exist on the destination (others are reported). */
  readonly includePrivileges: boolean;
  /**
   * Copy every database setting of the source (`ALTER DATABASE ... SET`), also those that can run
   * code or change name resolution (search_path, *_preload_libraries, ...). Default false: only the
   * settings of src/sql/settings-policy.ts that cannot are copied, the others are listed as withheld.
   */
  readonly copyDatabaseSettings: boolean;
  readonly force: boolean;
  readonly lockWait: LockWait;
  /** Alerts; none when absent. */
  readonly notify?: NotifyConfig;
  /**
   * How late a scheduled run may start (after downtime or an overrunning run) before it is skipped.
   * `serve` uses DEFAULT_MISFIRE_GRACE_SECONDS when absent.
   */
  readonly misfireGraceSeconds?: number;
  /** Masking rules applied on the source; none when absent. */
  readonly masking?: MaskingConfig;
  /** Only a subset of the rows, closed over foreign keys; every row when absent. */
  readonly subset?: SubsetConfig;
  /** Each run also writes an archive of the source, from the sync's snapshot (docs/archives.md). */
  readonly archive?: ArchiveConfig;
}

/** `archive` of a profile: where its runs write an archive, how, and how many are kept. */
export interface ArchiveConfig {
  /** A directory or `s3://bucket/prefix`. */
  readonly store: string;
  readonly compress: "zstd" | "gzip" | "none";
  /** Archives older than `days`, or past the newest `count`, are pruned after each run's archive. */
  readonly retention?: { readonly days?: number; readonly count?: number };
  /** An age identity (`AGE-SECRET-KEY-1...`): the archive is encrypted with it when set. */
  readonly key?: SecretSpec;
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
  /** Bytes, after the schema read a size such as "256MB". */
  readonly splitTablesLargerThan?: number;
  readonly verify?: VerifyMode;
  readonly include?: IncludeConfig;
  readonly exclude?: Partial<ExcludeConfig>;
  readonly structureOnly?: readonly string[];
  readonly allowProduction?: boolean;
  readonly includePrivileges?: boolean;
  readonly copyDatabaseSettings?: boolean;
  readonly force?: boolean;
  readonly lockWait?: LockWait;
  readonly notify?: NotifyInput;
  readonly misfireGraceSeconds?: number;
  readonly masking?: MaskingInput;
  readonly subset?: SubsetInput;
  readonly archive?: {
    readonly store: string;
    readonly compress?: ArchiveConfig["compress"];
    readonly retention?: { readonly days?: number; readonly count?: number };
    readonly key?: SecretSpec;
  };
}

/** `masking` as written: `strict` and `keep` may be left out. */
export interface MaskingInput {
  readonly key: SecretSpec;
  readonly strict?: boolean;
  readonly rules: Readonly<Record<string, MaskRuleSpec>>;
  readonly keep?: readonly string[];
}

/** `subset` as written: `follow` and `others` may be left out. */
export interface SubsetInput {
  readonly roots: Readonly<Record<string, string>>;
  readonly follow?: "references" | "both";
  readonly others?: "whole" | "empty";
}

/** `notify` as written: each notifier kind takes one entry or a list. */
export interface NotifyInput {
  readonly onSuccess?: boolean;
  readonly webhook?: readonly WebhookNotifyConfig[];
  readonly slack?: readonly SlackNotifyConfig[];
  readonly smtp?: readonly SmtpNotifyConfig[];
}

export interface LoadedConfig {
  /** Absolute path of the config file, or undefined when only the built-in profiles are in use. */
  readonly file?: string;
  /** Every profile (built-in and from the file), with defaults applied. */
  readonly profiles: ReadonlyMap<string, ProfileConfig>;
  /** The file's validated `defaults` section (empty without a file); `adHocProfile` can apply it too. */
  readonly defaults: ProfileInput;
  /** The top-level service settings, with defaults applied. */
  readonly service: ServiceConfig;
}

export interface ResolvedProfile extends ProfileConfig {
  readonly name: string;
  /** The real source URL, password included: hand it only to the driver, show `describeProfile` instead. */
  readonly sourceUrl: string;
  readonly destinationUrl: string;
}

/** A profile resolved for a command that touches only the destination (rollback, snapshots, history, restore). */
export type DestinationProfile = Omit<ResolvedProfile, "sourceUrl">;
/** A profile resolved for a command that reads only the source (dump, mask suggest). */
export type SourceProfile = Omit<ResolvedProfile, "destinationUrl">;
/** Which sides a command resolves: only those environment variables need to be set. */
export type ProfileSides = "both" | "source" | "destination";
