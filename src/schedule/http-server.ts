import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SecretSpec } from "../config/index.js";
import { errorMessage, PgsyncError } from "../errors.js";
import { registerSecret } from "../util/redact.js";

export interface HttpEndpoints {
  /** 200 when healthy, else 503; the body says why. */
  healthz(): { readonly ok: boolean; readonly body: unknown };
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
  statusPage(): Promise<string>;
}

export interface HttpHandle {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface HttpOptions {
  readonly host: string;
  readonly port: number;
  /** When set, every path but /healthz needs `Authorization: Bearer <token>`. */
  readonly token?: string | undefined;
}

/**
 * Reads the status page's token (`http.token`): a literal, or an environment variable that must be
 * set. Registered for redaction, so no log line or error can show it.
 */
export function resolveHttpToken(spec: SecretSpec | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (spec === undefined) return undefined;
  const token = "value" in spec ? spec.value : env[spec.env]?.trim();
  if (!token) {
    const state = "env" in spec && env[spec.env] !== undefined ? "empty" : "not set";
    throw new PgsyncError(
      "config",
      `http.token: environment variable ${"env" in spec ? spec.env : ""} is ${state}`,
    );
  }
  registerSecret(token, "status-token");
  return token;
}

/**
 * Serves /healthz, /metrics and the status page (/). Read-only: any other method is refused. With a
 * token, everything but /healthz (which a load balancer or an orchestrator probes) needs it.
 */
export async function startHttpServer(
  options: HttpOptions,
  endpoints: HttpEndpoints,
  onError: (error: unknown) => void = () => {},
): Promise<HttpHandle> {
  const expected = options.token === undefined ? undefined : digest(options.token);
  const server = createServer((req, res) => {
    handle(req, res, endpoints, expected).catch((error) => {
      onError(error);
      if (!res.headersSent)
        send(res, 500, "text/plain; charset=utf-8", `internal error: ${errorMessage(error)}\n`);
      else res.end();
    });
  });
  await listen(server, options);
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  endpoints: HttpEndpoints,
  expectedToken: Buffer | undefined,
): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
    return;
  }
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (path !== "/healthz" && expectedToken !== undefined && !authorized(req, expectedToken)) {
    res.setHeader("www-authenticate", 'Bearer realm="pgsync-ts"');
    send(res, 401, "text/plain; charset=utf-8", "unauthorized: send Authorization: Bearer <http.token>\n");
    return;
  }
  if (path === "/healthz") {
    const health = endpoints.healthz();
    send(res, health.ok ? 200 : 503, "application/json", `${JSON.stringify(health.body)}\n`);
  } else if (path === "/metrics") {
    const m = await endpoints.metrics();
    send(res, 200, m.contentType, m.body);
  } else if (path === "/" || path === "/index.html") {
    send(res, 200, "text/html; charset=utf-8", await endpoints.statusPage());
  } else {
    send(res, 404, "text/plain; charset=utf-8", "not found\n");
  }
}

/**
 * Compares the bearer token in constant time: both sides are hashed first, so the comparison
 * takes as long whatever the length or the first differing byte of what was sent.
 */
function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? "");
  return timingSafeEqual(digest(match?.[1] ?? ""), expected) && match !== null;
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    "content-type": contentType,
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

function listen(server: Server, options: { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
