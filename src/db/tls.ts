import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { ConnectionOptions as TlsOptions } from "node:tls";
import { PgsyncError } from "../errors.js";

/**
 * libpq's sslmode, with libpq's meaning. node-postgres on its own reads prefer, require and
 * verify-ca as verify-full and never falls back to plaintext; the tool builds the TLS options itself
 * so that a URL behaves as it does with psql.
 */
export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

/**
 * The keywords that configure TLS, in a URL's query or a keyword/value string alike; the tool reads
 * them and never hands them to node-postgres.
 */
export const TLS_URL_PARAMS = [
  "sslmode",
  "sslrootcert",
  "sslcert",
  "sslkey",
  "sslpassword",
  "ssl",
  "uselibpqcompat",
] as const;

/** What goes into pg.Client's `ssl` for one try: false for plaintext, TLS options otherwise. */
export type SslSetting = false | TlsOptions;

export interface TlsPlan {
  readonly mode: SslMode;
  /** Tried in order. The second is tried only when the server refuses the first (prefer, allow). */
  readonly tries: readonly [SslSetting] | readonly [SslSetting, SslSetting];
  /** Whether the certificate chain is checked against a CA (verify-ca, verify-full, or a root cert). */
  readonly verifiesChain: boolean;
  /** Whether the host name is checked against the certificate (verify-full). */
  readonly verifiesHost: boolean;
  /** For messages: `sslmode=verify-full, sslrootcert=/etc/ca.pem`. */
  readonly description: string;
}

export interface TlsParams {
  readonly sslmode?: string | undefined;
  readonly sslrootcert?: string | undefined;
  readonly sslcert?: string | undefined;
  readonly sslkey?: string | undefined;
  readonly sslpassword?: string | undefined;
  /** node-postgres' `ssl=true|false`, kept working for URLs written for it. */
  readonly ssl?: string | undefined;
}

/**
 * Turns the URL's TLS parameters into the list of connection tries. Follows libpq:
 * - no sslmode means prefer (PGSSLMODE and PGSSLROOTCERT apply when the URL does not set them);
 * - prefer tries TLS and falls back to plaintext only when the server answers that it has no TLS;
 *   allow tries plaintext first and TLS only when the server rejects plaintext;
 * - require encrypts without checking the certificate, unless a root certificate is given (or
 *   ~/.postgresql/root.crt exists): then, as in libpq, it checks the chain like verify-ca;
 * - verify-ca checks the chain, verify-full also the host name; sslrootcert=system means the
 *   trusted CAs of the platform and implies verify-full.
 * Where libpq would fail because no root certificate exists, the tool uses Node's CA store instead.
 * Unix-socket hosts never use TLS (libpq ignores sslmode there).
 */
export async function planTls(
  params: TlsParams,
  host: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TlsPlan> {
  const explicitMode = params.sslmode ?? legacySslFlag(params.ssl) ?? env.PGSSLMODE;
  const rootcert = params.sslrootcert ?? env.PGSSLROOTCERT;
  let mode: SslMode;
  if (explicitMode === undefined || explicitMode === "") {
    mode = rootcert === "system" ? "verify-full" : "prefer";
  } else if ((SSL_MODES as readonly string[]).includes(explicitMode)) {
    mode = explicitMode as SslMode;
  } else {
    throw new PgsyncError(
      "config",
      `invalid sslmode "${explicitMode}" (expected one of ${SSL_MODES.join(", ")})`,
    );
  }
  if (rootcert === "system" && mode !== "verify-full" && mode !== "disable") {
    throw new PgsyncError(
      "config",
      `sslrootcert=system needs sslmode=verify-full (got sslmode=${mode}): trusting the platform's CAs only makes sense with the host name checked`,
    );
  }
  const describeParts = [`sslmode=${mode}`, ...(rootcert ? [`sslrootcert=${rootcert}`] : [])];
  const description = describeParts.join(", ");
  if (mode === "disable" || host.startsWith("/")) {
    return { mode, tries: [false], verifiesChain: false, verifiesHost: false, description };
  }

  const ca = await rootCertificates(rootcert);
  const verifiesHost = mode === "verify-full";
  // libpq checks the chain as soon as a root certificate is available, whatever the mode.
  const verifiesChain = verifiesHost || mode === "verify-ca" || ca !== undefined;
  const tls: TlsOptions = {
    ...(ca === undefined ? {} : { ca }),
    ...(await clientCertificate(params)),
    rejectUnauthorized: verifiesChain,
    // verify-ca (and a weaker mode given a root cert) checks the chain only, not the name.
    ...(verifiesChain && !verifiesHost ? { checkServerIdentity: () => undefined } : {}),
  };
  const tries: TlsPlan["tries"] = mode === "prefer" ? [tls, false] : mode === "allow" ? [false, tls] : [tls];
  return { mode, tries, verifiesChain, verifiesHost, description };
}

function legacySslFlag(value: string | undefined): SslMode | undefined {
  if (value === undefined) return undefined;
  if (value === "true" || value === "1") return "require";
  if (value === "false" || value === "0") return "disable";
  return undefined;
}

/**
 * The CAs to trust: the sslrootcert file, or ~/.postgresql/root.crt when it exists (libpq's
 * default). `undefined` means Node's own CA store.
 */
async function rootCertificates(rootcert: string | undefined): Promise<string | undefined> {
  if (rootcert === "system") return undefined;
  if (rootcert !== undefined && rootcert !== "") return readTlsFile(rootcert, "sslrootcert");
  const fallback = join(homedir(), ".postgresql", "root.crt");
  try {
    return await readFile(fallback, "utf8");
  } catch {
    // Not there: verify-* uses Node's CA store; weaker modes do not check the chain.
    return undefined;
  }
}

async function clientCertificate(
  params: TlsParams,
): Promise<Pick<TlsOptions, "cert" | "key" | "passphrase">> {
  if (!params.sslcert && !params.sslkey) return {};
  if (!params.sslcert || !params.sslkey) {
    throw new PgsyncError("config", "a client certificate needs both sslcert and sslkey in the URL");
  }
  return {
    cert: await readTlsFile(params.sslcert, "sslcert"),
    key: await readTlsFile(params.sslkey, "sslkey"),
    ...(params.sslpassword ? { passphrase: params.sslpassword } : {}),
  };
}

async function readTlsFile(path: string, param: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : "");
    throw new PgsyncError(
      "config",
      `cannot read the ${param} file "${path}" (${reason})`,
      {},
      { cause: error },
    );
  }
}

/** Node's codes for a certificate that fails verification, with what each means for a user. */
const CERTIFICATE_PROBLEMS: Readonly<Record<string, string>> = {
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate is not issued for this host name",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate is not signed by a trusted CA",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed and not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is not signed by a trusted CA",
  UNABLE_TO_GET_ISSUER_CERT: "the server's certificate is not signed by a trusted CA",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is not signed by a trusted CA",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet",
  CERT_SIGNATURE_FAILURE: "the server's certificate has a bad signature",
};

/** A hint for a TLS failure, or undefined when the error is not about TLS. */
export function tlsHint(error: unknown, plan: TlsPlan, host: string): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  if (typeof code === "string" && code in CERTIFICATE_PROBLEMS) {
    const what = CERTIFICATE_PROBLEMS[code];
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
      return `TLS: ${what} "${host}" (${plan.description} checks the host name; connect with the name the certificate was issued for, or use sslmode=verify-ca to check only the CA)`;
    }
    return `TLS: ${what} (${plan.description}; set sslrootcert to the file of the CA that signed the server's certificate)`;
  }
  if (message === "The server does not support SSL connections") {
    return `TLS: the server does not offer TLS, and ${plan.description} requires it (use sslmode=prefer or sslmode=disable to allow plaintext)`;
  }
  if (/no encryption/.test(message) && plan.mode === "disable") {
    return "TLS: the server accepts only encrypted connections, and sslmode=disable forbids TLS (use sslmode=require or stronger)";
  }
  return undefined;
}
