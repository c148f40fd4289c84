import { inspect } from "node:util";
import {
  adHocDestinationProfile,
  adHocProfile,
  type DestinationProfile,
  describeProfile,
  loadConfig,
  type ResolvedProfile,
  resolveProfile,
  type SourceProfile,
} from "../config/index.js";
import { PgsyncError } from "../errors.js";

export interface TargetFlags {
  readonly profile?: string;
  readonly config?: string;
  readonly from?: string;
  readonly to?: string;
  readonly keep?: number;
  readonly parallel?: number;
  /** `--connect-timeout <seconds>`: overrides timeouts.connectSeconds of the profile. */
  readonly connectTimeout?: number;
}

/** The command line's overrides of a profile's settings (`--parallel`, `--connect-timeout`). */
function overridden<P extends Parameters<typeof describeProfile>[0]>(profile: P, flags: TargetFlags): P {
  if (flags.parallel === undefined && flags.connectTimeout === undefined) return profile;
  const copy = {
    ...profile,
    ...(flags.parallel !== undefined ? { parallelism: flags.parallel } : {}),
    ...(flags.connectTimeout !== undefined
      ? { timeouts: { ...profile.timeouts, connectSeconds: flags.connectTimeout } }
      : {}),
  };
  // Like the resolved profile: printing or logging the object by mistake shows no password.
  const describe = () => describeProfile(copy);
  Object.defineProperties(copy, {
    toJSON: { value: describe, enumerable: false },
    [inspect.custom]: { value: describe, enumerable: false },
  });
  return Object.freeze(copy);
}

/** For an ad hoc profile, the same overrides as profile settings. */
function adHocSettings(flags: TargetFlags) {
  return {
    ...(flags.parallel !== undefined ? { parallelism: flags.parallel } : {}),
    ...(flags.connectTimeout !== undefined ? { timeouts: { connectSeconds: flags.connectTimeout } } : {}),
  };
}

async function configFor(flags: TargetFlags) {
  return loadConfig({ ...(flags.config ? { configPath: flags.config } : {}), env: process.env });
}

function profileFlag(flags: TargetFlags): string | undefined {
  if (flags.profile && (flags.from || flags.to))
    throw new PgsyncError("usage", "use either --profile or --from/--to, not both");
  return flags.profile;
}

/** `--profile <name> [--config <file>]` or `--from <url> --to <url>`, for commands that use both sides. */
export async function resolveTarget(flags: TargetFlags): Promise<ResolvedProfile> {
  const config = await configFor(flags);
  const name = profileFlag(flags);
  if (name) return overridden(resolveProfile(config, name, process.env), flags);
  if (!flags.to || !flags.from)
    throw new PgsyncError("usage", "give --profile <name>, or both --from <url> and --to <url>");
  return adHocProfile({
    from: flags.from,
    to: flags.to,
    ...(flags.keep !== undefined ? { keep: flags.keep } : {}),
    ...adHocSettings(flags),
    defaults: config.defaults,
  });
}

/**
 * `--profile <name>` or `--to <url>`, for commands that touch only the destination (rollback,
 * snapshots): the profile's source is never resolved, so its environment variable need not be set.
 */
export async function resolveDestination(flags: TargetFlags): Promise<DestinationProfile> {
  const config = await configFor(flags);
  const name = profileFlag(flags);
  if (name) return overridden(resolveProfile(config, name, process.env, "destination"), flags);
  if (!flags.to) throw new PgsyncError("usage", "give --profile <name> or --to <url>");
  if (flags.from) throw new PgsyncError("usage", "this command uses only the destination: drop --from");
  return adHocDestinationProfile({
    to: flags.to,
    ...(flags.keep !== undefined ? { keep: flags.keep } : {}),
    ...adHocSettings({ ...flags, parallel: undefined }),
    defaults: config.defaults,
  });
}

/** `--profile <name>` or `--from <url>`, for commands that read only the source (mask suggest). */
export async function resolveSource(flags: TargetFlags): Promise<SourceProfile> {
  const config = await configFor(flags);
  const name = profileFlag(flags);
  if (name) return overridden(resolveProfile(config, name, process.env, "source"), flags);
  if (!flags.from) throw new PgsyncError("usage", "give --profile <name> or --from <url>");
  if (flags.to) throw new PgsyncError("usage", "this command uses only the source: drop --to");
  const { destinationUrl: _notUsed, ...profile } = adHocProfile({
    from: flags.from,
    to: flags.from,
    ...adHocSettings({ ...flags, parallel: undefined }),
    defaults: config.defaults,
  });
  return profile;
}
