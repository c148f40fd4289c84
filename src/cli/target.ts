import {
  adHocDestinationProfile,
  adHocProfile,
  type DestinationProfile,
  loadConfig,
  type ResolvedProfile,
  resolveProfile,
} from "../config/index.js";
import { PgsyncError } from "../errors.js";

export interface TargetFlags {
  readonly profile?: string;
  readonly config?: string;
  readonly from?: string;
  readonly to?: string;
  readonly keep?: number;
  readonly parallel?: number;
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
  if (name) {
    const profile = resolveProfile(config, name, process.env);
    return flags.parallel ? { ...profile, parallelism: flags.parallel } : profile;
  }
  if (!flags.to || !flags.from)
    throw new PgsyncError("usage", "give --profile <name>, or both --from <url> and --to <url>");
  return adHocProfile({
    from: flags.from,
    to: flags.to,
    ...(flags.keep !== undefined ? { keep: flags.keep } : {}),
    ...(flags.parallel !== undefined ? { parallelism: flags.parallel } : {}),
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
  if (name) return resolveProfile(config, name, process.env, "destination");
  if (!flags.to) throw new PgsyncError("usage", "give --profile <name> or --to <url>");
  if (flags.from) throw new PgsyncError("usage", "this command uses only the destination: drop --from");
  return adHocDestinationProfile({
    to: flags.to,
    ...(flags.keep !== undefined ? { keep: flags.keep } : {}),
    defaults: config.defaults,
  });
}
