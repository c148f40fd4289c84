import type { SecretSpec } from "../config/types.js";
import { PgsyncError } from "../errors.js";
import { registerSecret } from "../util/redact.js";
import { MIN_KEY_LENGTH } from "./hmac.js";

/** Reads the masking key and registers it (and its padded blocks, in maskSettings) for redaction. */
export function maskingKey(spec: SecretSpec, env: NodeJS.ProcessEnv = process.env): string {
  const key = "value" in spec ? spec.value : env[spec.env];
  if (key === undefined || key === "")
    throw new PgsyncError(
      "config",
      `the masking key is missing: environment variable ${"env" in spec ? spec.env : "(none)"} is ${key === undefined ? "not set" : "empty"}; nothing was written`,
    );
  registerSecret(key, "masking-key");
  if (key.length < MIN_KEY_LENGTH)
    throw new PgsyncError(
      "config",
      `the masking key is too short (${key.length} characters; at least ${MIN_KEY_LENGTH}): a short key can be found by trying keys against masked values; nothing was written`,
    );
  return key;
}
