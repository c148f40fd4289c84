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

/** Settings of `pgsync-ts serve` as a whole (top-level keys of the config file). */
export interface ServiceConfig {
  /** How long a running sync may go on after SIGTERM/SIGINT before it is aborted. */
  readonly shutdownGraceSeconds: number;
  /** The HTTP endpoints (/healthz, /metrics, /); off when absent. */
  readonly http?: { readonly port: number; readonly host: string };
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
  /** Copy owners and grants to roles that exist on the destination (others are reported). */
  readonly includePrivileges: boolean;
  readonly force: boolean;
  readonly lockWait: LockWait;
  /** Alerts; none when absent. */
  readonly notify?: NotifyConfig;
  /**
   * How late a scheduled run may start (after downtime or an overrunning run) before it is skipped.
   * `serve` uses DEFAULT_MISFIRE_GRACE_SECONDS when absent.
   */
  readonly misfireGraceSeconds?: number;
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
  readonly includePrivileges?: boolean;
  readonly force?: boolean;
  readonly lockWait?: LockWait;
  readonly notify?: NotifyInput;
  readonly misfireGraceSeconds?: number;
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
