import { MASK, maskConnectionString } from "../util/redact.js";
import type { TargetFlags } from "./target.js";

/**
 * The command that undoes a run, as the user can type it: the profile (and the config file named on
 * the command line), or the destination URL of an ad hoc run. A password is never printed: an ad
 * hoc URL shows it masked, and the hint says so.
 */
export function rollbackCommandFor(profile: { readonly destinationUrl: string }, flags: TargetFlags): string {
  if (flags.profile) {
    const words = ["pgsync-ts", "rollback", "--profile", flags.profile];
    if (flags.config) words.push("--config", flags.config);
    return words.map(shellWord).join(" ");
  }
  const url = maskConnectionString(profile.destinationUrl);
  const command = ["pgsync-ts", "rollback", "--to", url].map(shellWord).join(" ");
  return url.includes(MASK) ? `${command}, with the destination's password in place of ${MASK}` : command;
}

/** A word for a POSIX shell: as is when it is plain, else in single quotes. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
