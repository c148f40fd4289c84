export {
  AD_HOC_RETENTION_DAYS,
  BUILTIN_PROFILES,
  DEFAULT_HTTP_HOST,
  DEFAULT_LOCK_WAIT,
  DEFAULT_MISFIRE_GRACE_SECONDS,
  DEFAULT_PARALLELISM,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_SHUTDOWN_GRACE_SECONDS,
  DEFAULT_TIMEOUTS,
  DEFAULT_TIMEZONE,
  DEFAULT_VERIFY,
} from "./builtins.js";
export {
  CONFIG_ENV_VAR,
  CONFIG_FILE_NAMES,
  type FindConfigOptions,
  findConfigFile,
  type LoadConfigOptions,
  loadConfig,
  parseConfig,
  readConfigFile,
} from "./load.js";
export {
  AD_HOC_PROFILE_NAME,
  type AdHocOptions,
  adHocProfile,
  describeProfile,
  maskEndpointUrl,
  resolveProfile,
} from "./resolve.js";
export { endpointProblem, PROFILE_NAME, SMTP_SCHEMES, WEB_SCHEMES } from "./schema.js";
export type {
  ConnectionSpec,
  EndpointSpec,
  ExcludeConfig,
  IncludeConfig,
  LoadedConfig,
  LockWait,
  NotifyConfig,
  ProfileConfig,
  ProfileInput,
  ResolvedProfile,
  RetentionConfig,
  ScheduleConfig,
  ServiceConfig,
  SlackNotifyConfig,
  SmtpNotifyConfig,
  TimeoutsConfig,
  VerifyMode,
  WebhookNotifyConfig,
} from "./types.js";
export { checkPostgresUrl, maskConnectionUrl, parsePostgresUrl, type UrlCheck } from "./url.js";
