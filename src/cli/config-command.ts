import {
  describeProfile,
  type LoadedConfig,
  loadConfig,
  type ProfileConfig,
  resolveProfile,
  type SecretSpec,
} from "../config/index.js";
import { errorMessage } from "../errors.js";
import { EXIT } from "../output/exit.js";
import { MASK, redactDeep } from "../util/redact.js";

const out = (text: string) => process.stdout.write(`${text}\n`);

/**
 * `pgsync-ts config show`: every profile (or one) as a run would resolve it, with defaults
 * applied, through the redaction registry: connection strings masked, secrets (the masking key,
 * notifier tokens, the status page's token) shown as `***` or by the variable that holds them. A
 * connection whose environment variable is unset or invalid is shown with the reason, not an error:
 * the command is for finding exactly that.
 */
export async function configShowCommand(flags: {
  readonly profile?: string;
  readonly config?: string;
  readonly json?: boolean;
}): Promise<number> {
  const config = await loadConfig({
    ...(flags.config ? { configPath: flags.config } : {}),
    env: process.env,
  });
  // An unknown --profile fails like every command's (exit 2, naming the known ones).
  if (flags.profile && !config.profiles.has(flags.profile))
    resolveProfile(config, flags.profile, process.env);
  const names = flags.profile ? [flags.profile] : [...config.profiles.keys()].sort();
  const profiles = names.map((name) => showProfile(config, name));
  const shown = redactDeep({
    file: config.file ?? null,
    ...(flags.profile ? {} : { service: describeService(config) }),
    profiles,
  });
  if (flags.json) out(JSON.stringify(shown, null, 2));
  else {
    out(`config file  ${shown.file ?? "(none: only the built-in profiles)"}`);
    if (shown.service) for (const line of flatten(shown.service, "")) out(`service ${line}`);
    for (const p of shown.profiles) {
      out(`profile ${String(p.name)}`);
      for (const line of flatten(p, "").filter((l) => !l.startsWith("name "))) out(`  ${line}`);
    }
  }
  return EXIT.ok;
}

function showProfile(config: LoadedConfig, name: string): Record<string, unknown> {
  const profile = config.profiles.get(name) as ProfileConfig;
  const urls: { sourceUrl?: string; destinationUrl?: string } = {};
  const problems: { source?: string; destination?: string } = {};
  for (const side of ["source", "destination"] as const) {
    try {
      const resolved = resolveProfile(config, name, process.env, side);
      if (side === "source" && "sourceUrl" in resolved) urls.sourceUrl = resolved.sourceUrl;
      if (side === "destination" && "destinationUrl" in resolved)
        urls.destinationUrl = resolved.destinationUrl;
    } catch (error) {
      // `profile "dev": environment variable DATABASE_URL is not set (destination)`: the rest is shown already.
      problems[side] = errorMessage(error)
        .replace(/^profile "[^"]*": /, "")
        .replace(/ \((source|destination)\)$/, "");
    }
  }
  const described = describeProfile({ ...profile, name, ...urls });
  const side = (key: "source" | "destination") => ({
    ...(described[key] as Record<string, unknown>),
    ...(problems[key] ? { unset: problems[key] } : {}),
  });
  return {
    ...described,
    source: side("source"),
    destination: side("destination"),
    copyDatabaseSettings: profile.copyDatabaseSettings,
    ...(profile.masking
      ? {
          masking: {
            key: secret(profile.masking.key),
            strict: profile.masking.strict,
            rules: profile.masking.rules,
            keep: [...profile.masking.keep],
          },
        }
      : {}),
    ...(profile.subset ? { subset: profile.subset } : {}),
  };
}

function describeService(config: LoadedConfig): Record<string, unknown> {
  const { http, shutdownGraceSeconds } = config.service;
  return {
    shutdownGraceSeconds,
    http: http
      ? { host: http.host, port: http.port, ...(http.token ? { token: secret(http.token) } : {}) }
      : null,
  };
}

/** A secret as the config names it: its variable, or `***` for a literal value. */
function secret(spec: SecretSpec): { env: string } | string {
  return "env" in spec ? { env: spec.env } : MASK;
}

/** `key  value` lines, nested keys dotted (`timeouts.connectSeconds  30`). */
function flatten(value: unknown, prefix: string): string[] {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return prefix ? [`${prefix.padEnd(28)}  (none)`] : [];
    // A map keyed by dotted names (masking rules, subset roots) reads better as one list.
    if (prefix && entries.some(([k]) => k.includes(".")))
      return [
        `${prefix.padEnd(28)}  ${entries.map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ")}`,
      ];
    return entries.flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  const text =
    value === null || value === undefined
      ? "(none)"
      : Array.isArray(value)
        ? value.length === 0
          ? "(none)"
          : value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ")
        : typeof value === "string"
          ? value
          : JSON.stringify(value);
  return [`${prefix.padEnd(28)}  ${text}`];
}
