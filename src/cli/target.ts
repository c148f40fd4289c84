import { adHocProfile, loadConfig, type ResolvedProfile, resolveProfile } from "../config/index.js";
import { PgsyncError } from "../errors.js";

export interface TargetFlags {
  readonly profile?: string;
  readonly config?: string;
  readonly from?: string;
  readonly to?: string;
  readonly keep?: number;
  readonly parallel?: number;
}

/**
 * Turns `--profile <name> [--config <file>]` or `--from <url> --to <url>` into a resolved profile.
 * `requireFrom: false` serves commands that only touch the destination (rollback, snapshots).
 */
export async function resolveTarget(flags: TargetFlags, requireFrom = true): Promise<ResolvedProfile> {
  const config = await loadConfig({
    ...(flags.config ? { configPath: flags.config } : {}),
    env: process.env,
  });
  if (flags.profile) {
    if (flags.from || flags.to)
      throw new PgsyncError("usage", "use either --profile or --from/--to, not both");
    const profile = resolveProfile(config, flags.profile, process.env);
    return flags.parallel ? { ...profile, parallelism: flags.parallel } : profile;
  }
  if (!flags.to || (requireFrom && !flags.from)) {
    throw new PgsyncError(
      "usage",
      requireFrom
        ? "give --profile <name>, or both --from <url> and --to <url>"
        : "give --profile <name> or --to <url>",
    );
  }
  return adHocProfile({
    // A destination-only command still builds a full profile; the source is never contacted.
    from: flags.from ?? flags.to,
    to: flags.to,
    ...(flags.keep !== undefined ? { keep: flags.keep } : {}),
    ...(flags.parallel !== undefined ? { parallelism: flags.parallel } : {}),
    defaults: config.defaults,
  });
}
