import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorMessage } from "../errors.js";

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

/** Serves /healthz, /metrics and the status page (/). Read-only: any other method is refused. */
export async function startHttpServer(
  options: { host: string; port: number },
  endpoints: HttpEndpoints,
  onError: (error: unknown) => void = () => {},
): Promise<HttpHandle> {
  const server = createServer((req, res) => {
    handle(req, res, endpoints).catch((error) => {
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

async function handle(req: IncomingMessage, res: ServerResponse, endpoints: HttpEndpoints): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
    return;
  }
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
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
