import { inspect } from "node:util";
import { PgsyncError } from "../errors.js";
import { maskConnectionString, redactDeep } from "../util/redact.js";
import { AD_HOC_RETENTION_DAYS } from "./builtins.js";
import { errorMap, formatIssues, formatPath } from "./issues.js";
import { completeProfile, mergeProfile } from "./profile.js";
import { profileInputSchema } from "./schema.js";
import type {
  ConnectionSpec,
  DestinationProfile,
  EndpointSpec,
  LoadedConfig,
  NotifyConfig,
  ProfileConfig,
  ProfileInput,
  ProfileSides,
  ResolvedProfile,
  SourceProfile,
} from "./types.js";
import { parsePostgresUrl } from "./url.js";

/**
 * Looks a profile up and reads its connection URLs (from the config or the environment). Every
 * URL is validated and its password registered for redaction. A command that uses one side only
 * resolves that side, so the other side's environment variable need not be set.
 */
export function resolveProfile(config: LoadedConfig, name: string, env: NodeJS.ProcessEnv): ResolvedProfile;
export function resolveProfile(
  config: LoadedConfig,
  name: string,
  env: NodeJS.ProcessEnv,
  sides: "destination",
): DestinationProfile;
export function resolveProfile(
  config: LoadedConfig,
  name: string,
  env: NodeJS.ProcessEnv,
  sides: "source",
): SourceProfile;
export function resolveProfile(
  config: LoadedConfig,
  name: string,
  env: NodeJS.ProcessEnv,
  sides: ProfileSides,
): ResolvedProfile | DestinationProfile | SourceProfile;
export function resolveProfile(
  config: LoadedConfig,
  name: string,
  env: NodeJS.ProcessEnv,
  sides: ProfileSides = "both",
): ResolvedProfile | DestinationProfile | SourceProfile {
  const profile = config.profiles.get(name);
  if (profile === undefined) {
    const known = [...config.profiles.keys()].sort();
    throw new PgsyncError(
      "usage",
      `unknown profile "${name}"; ${known.length > 0 ? `known profiles: ${known.join(", ")}` : "no profiles are defined"}`,
    );
  }
  const sourceUrl =
    sides === "destination" ? undefined : resolveConnection(name, "source", profile.source, env);
  const destinationUrl =
    sides === "source" ? undefined : resolveConnection(name, "destination", profile.destination, env);
  return finish(name, profile, { sourceUrl, destinationUrl });
}

function resolveConnection(
  name: string,
  side: "source" | "destination",
  spec: ConnectionSpec,
  env: NodeJS.ProcessEnv,
): string {
  if ("url" in spec) return parsePostgresUrl(spec.url, formatPath(["profiles", name, side]));
  const value = env[spec.env];
  if (value === undefined || value.trim() === "") {
    throw new PgsyncError(
      "config",
      `profile "${name}": environment variable ${spec.env} is ${value === undefined ? "not set" : "empty"} (${side})`,
      { side },
    );
  }
  try {
    return parsePostgresUrl(value, `profile "${name}": environment variable ${spec.env} (${side})`);
  } catch (error) {
    if (error instanceof PgsyncError) throw new PgsyncError(error.kind, error.message, { side });
    throw error;
  }
}

/** Options of an ad hoc run (`run --from <url> --to <url>`): any profile setting except the schedule. */
export interface AdHocOptions
  extends Omit<ProfileInput, "source" | "destination" | "schedule" | "retention"> {
  readonly from: string;
  readonly to: string;
  /** Previous copies to keep (retention count); 1 when absent. */
  readonly keep?: number;
  /** Profile name shown in logs; "ad-hoc" when absent. */
  readonly name?: string;
  /** Settings applied where the options leave a field unset, typically `LoadedConfig.defaults`. */
  readonly defaults?: ProfileInput;
}

export const AD_HOC_PROFILE_NAME = "ad-hoc";

/**
 * Builds a profile for an ad hoc run. Retention keeps `keep ?? 1` previous copies (days unlimited);
 * every other field takes the option, else `defaults`, else the built-in default. Invalid options
 * throw a "usage" PgsyncError naming the option.
 */
export function adHocProfile(opts: AdHocOptions): ResolvedProfile {
  const { from, to, keep, name = AD_HOC_PROFILE_NAME, defaults = {}, ...settings } = opts;
  const sourceUrl = parsePostgresUrl(from, "--from", "usage");
  const destinationUrl = parsePostgresUrl(to, "--to", "usage");
  if (keep !== undefined && !(Number.isSafeInteger(keep) && keep >= 1)) {
    throw new PgsyncError("usage", `--keep: expected a positive integer, got ${String(keep)}`);
  }
  const parsed = profileInputSchema.safeParse(
    Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
    { error: errorMap },
  );
  if (!parsed.success) {
    throw new PgsyncError("usage", `invalid option: ${formatIssues(parsed.error.issues).join("; ")}`);
  }
  const {
    source: _source,
    destination: _destination,
    schedule: _schedule,
    retention: _retention,
    ...inherited
  } = defaults;
  const merged = mergeProfile(
    {
      ...parsed.data,
      source: { url: sourceUrl },
      destination: { url: destinationUrl },
      retention: { days: AD_HOC_RETENTION_DAYS, count: keep ?? 1 },
    },
    inherited,
  );
  const result = completeProfile(merged, []);
  if (!result.ok) throw new PgsyncError("internal", `ad hoc profile: ${result.issues.join("; ")}`);
  return finish(name, result.profile, { sourceUrl, destinationUrl }) as ResolvedProfile;
}

/** An ad hoc profile for a command that uses only the destination (`rollback --to <url>`). */
export function adHocDestinationProfile(opts: Omit<AdHocOptions, "from">): DestinationProfile {
  const { sourceUrl: _notResolved, ...profile } = adHocProfile({ ...opts, from: opts.to });
  return finish(profile.name, profile, {
    sourceUrl: undefined,
    destinationUrl: profile.destinationUrl,
  }) as DestinationProfile;
}

/**
 * A JSON-safe description of a profile for display (`config show`, `--json`, logs): URLs are
 * masked, and a variable-based connection names its variable.
 */
export function describeProfile(
  p: ProfileConfig & { readonly name: string; readonly sourceUrl?: string; readonly destinationUrl?: string },
): Record<string, unknown> {
  // Through the registry as a whole too: a secret that reached any other field is masked there.
  return redactDeep({
    name: p.name,
    source: describeConnection(p.source, p.sourceUrl),
    destination: describeConnection(p.destination, p.destinationUrl),
    schedule: p.schedule ? { cron: p.schedule.cron, timezone: p.schedule.timezone } : null,
    retention: { days: p.retention.days, count: p.retention.count ?? null },
    timeouts: { ...p.timeouts },
    parallelism: p.parallelism,
    splitTablesLargerThan: p.splitTablesLargerThan,
    verify: p.verify,
    include: p.include
      ? {
          schemas: p.include.schemas ? [...p.include.schemas] : null,
          tables: p.include.tables ? [...p.include.tables] : null,
        }
      : null,
    exclude: { schemas: [...p.exclude.schemas], tables: [...p.exclude.tables] },
    structureOnly: [...p.structureOnly],
    allowProduction: p.allowProduction,
    includePrivileges: p.includePrivileges,
    force: p.force,
    lockWait: p.lockWait,
    ...(p.notify ? { notify: describeNotify(p.notify) } : {}),
    ...(p.misfireGraceSeconds === undefined ? {} : { misfireGraceSeconds: p.misfireGraceSeconds }),
  });
}

function describeNotify(n: NotifyConfig): Record<string, unknown> {
  return {
    onSuccess: n.onSuccess,
    webhook: n.webhook.map((w) => ({
      url: describeEndpoint(w.url),
      ...(w.headers ? { headers: Object.fromEntries(Object.keys(w.headers).map((k) => [k, "***"])) } : {}),
    })),
    slack: n.slack.map((s) => ({ url: describeEndpoint(s.url) })),
    smtp: n.smtp.map((m) => ({ url: describeEndpoint(m.url), from: m.from, to: [...m.to] })),
  };
}

function describeEndpoint(spec: EndpointSpec): Record<string, string> | string {
  return "env" in spec ? { env: spec.env } : maskEndpointUrl(spec.url);
}

/**
 * Masks a notifier URL for display: a webhook's path and query often are its secret token
 * (`https://hooks.slack.com/services/T0/B0/XXXX`), so only the scheme, user and host are shown.
 */
export function maskEndpointUrl(url: string): string {
  try {
    const u = new URL(url);
    const auth = u.username ? `${u.username}${u.password ? ":***" : ""}@` : "";
    const rest = (u.pathname !== "/" && u.pathname !== "") || u.search ? "/***" : "";
    return `${u.protocol}//${auth}${u.host}${rest}`;
  } catch {
    return "***";
  }
}

function describeConnection(spec: ConnectionSpec, url: string | undefined): Record<string, string> {
  // A side the command did not resolve (rollback needs only the destination) shows its spec only.
  if (url === undefined) return "env" in spec ? { env: spec.env } : { url: maskConnectionString(spec.url) };
  const masked = maskConnectionString(url);
  return "env" in spec ? { env: spec.env, url: masked } : { url: masked };
}

/**
 * Freezes the resolved profile. `JSON.stringify` and `console.log` of it show the masked
 * description, so logging the object by mistake does not print a password.
 */
function finish(
  name: string,
  profile: ProfileConfig,
  urls: { readonly sourceUrl: string | undefined; readonly destinationUrl: string | undefined },
): ResolvedProfile | DestinationProfile | SourceProfile {
  const resolved = {
    ...profile,
    name,
    ...(urls.sourceUrl === undefined ? {} : { sourceUrl: urls.sourceUrl }),
    ...(urls.destinationUrl === undefined ? {} : { destinationUrl: urls.destinationUrl }),
  } as ResolvedProfile | DestinationProfile | SourceProfile;
  Object.defineProperties(resolved, {
    toJSON: { value: () => describeProfile(resolved), enumerable: false },
    [inspect.custom]: { value: () => describeProfile(resolved), enumerable: false },
  });
  return Object.freeze(resolved);
}
