export {
  AD_HOC_RETENTION_DAYS,
  BUILTIN_PROFILES,
  DEFAULT_LOCK_WAIT,
  DEFAULT_PARALLELISM,
  DEFAULT_RETENTION_DAYS,
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
  resolveProfile,
} from "./resolve.js";
export { PROFILE_NAME } from "./schema.js";
export type {
  ConnectionSpec,
  ExcludeConfig,
  IncludeConfig,
  LoadedConfig,
  LockWait,
  ProfileConfig,
  ProfileInput,
  ResolvedProfile,
  RetentionConfig,
  ScheduleConfig,
  TimeoutsConfig,
  VerifyMode,
} from "./types.js";
export { checkPostgresUrl, maskConnectionUrl, parsePostgresUrl, type UrlCheck } from "./url.js";
