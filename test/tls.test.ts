/**
 * sslmode with libpq's meaning, against a real server started with ssl=on and a certificate
 * authority made here with openssl. The server rejects unencrypted connections (hostnossl ... reject)
 * and accepts a client certificate for one role.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Connection, connect } from "../src/db/connect.js";
import { serverOsUser } from "../src/embedded/server.js";
import { PgsyncError } from "../src/errors.js";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import {
  type EmbeddedServer,
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  startPostgres,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const CLIENT_ROLE = "tls_client";
/** The role the tests log in as (the superuser must keep plaintext: the server's start-up check uses it). */
const TLS_ROLE = "tls_user";
const TLS_PASSWORD = "tls-secret-pw";
let dir: string;
const file = (name: string) => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** A CA, a second (untrusted) CA, a server certificate for "localhost" and a client certificate. */
async function makeCertificates(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), "pgsync-tls-"));
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const caExt = [
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ];
  for (const ca of ["ca", "other-ca"]) {
    openssl(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      `${ca}.key`,
      "-out",
      `${ca}.crt`,
      "-days",
      "2",
      "-subj",
      `/CN=pgsync test ${ca}`,
      ...caExt,
    );
  }
  writeFileSync(file("server.ext"), "subjectAltName=DNS:localhost\n");
  openssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.crt",
    "-days",
    "2",
    "-extfile",
    "server.ext",
  );
  openssl("req", ...ec, "-keyout", "client.key", "-out", "client.csr", "-subj", `/CN=${CLIENT_ROLE}`);
  openssl(
    "x509",
    "-req",
    "-in",
    "client.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "client.crt",
    "-days",
    "2",
  );
  // The server runs as an unprivileged user and insists on owning its key with mode 0600.
  const user = await serverOsUser();
  chmodSync(dir, 0o755);
  for (const name of ["server.key", "server.crt", "ca.crt"]) {
    if (user.uid !== undefined && user.gid !== undefined) chownSync(file(name), user.uid, user.gid);
    chmodSync(file(name), name.endsWith(".key") ? 0o600 : 0o644);
  }
}

beforeAll(makeCertificates);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The URL of `server` with another host and query string. */
function urlFor(server: EmbeddedServer, host: string, query: string, user = TLS_ROLE): string {
  const password =
    user === TLS_ROLE ? TLS_PASSWORD : user === server.superuser ? server.superuserPassword : undefined;
  const url = new URL(server.url("postgres", user, password));
  url.hostname = host;
  url.search = query;
  return url.toString();
}

async function encryptedPerServer(c: Connection): Promise<boolean> {
  const r = await c.client.query<{ ssl: boolean }>(
    "SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()",
  );
  return r.rows[0]?.ssl === true;
}

/** Connects, runs `check`, closes; counts the retries, which a TLS failure must never cause. */
async function tryConnect(
  url: string,
): Promise<{ connection?: Connection; error?: PgsyncError; retries: number }> {
  let retries = 0;
  try {
    const connection = await connect({ url, side: "source", connectSeconds: 5, onRetry: () => retries++ });
    return { connection, retries };
  } catch (error) {
    if (!(error instanceof PgsyncError)) throw error;
    return { error, retries };
  }
}

describe.each(testMajors())("TLS against PostgreSQL %i with ssl=on", (major) => {
  let server: EmbeddedServer;
  const opened: Connection[] = [];
  const databases: FreshDatabase[] = [];

  beforeAll(async () => {
    server = await startPostgres({
      major: major as PgMajor,
      name: "tls",
      settings: {
        ssl: true,
        ssl_cert_file: file("server.crt"),
        ssl_key_file: file("server.key"),
        ssl_ca_file: file("ca.crt"),
      },
      hbaLines: [
        `hostnossl all ${TLS_ROLE},${CLIENT_ROLE} 0.0.0.0/0 reject`,
        `hostssl all ${CLIENT_ROLE} 127.0.0.1/32 cert`,
      ],
    });
    await withClient(
      urlFor(server, "localhost", "sslmode=require&uselibpqcompat=true", server.superuser),
      async (c) => {
        await c.query(`CREATE ROLE ${CLIENT_ROLE} LOGIN`);
        await c.query(`CREATE ROLE ${TLS_ROLE} LOGIN SUPERUSER PASSWORD '${TLS_PASSWORD}'`);
        await c.query("CREATE TABLE public.secrets (id int PRIMARY KEY, note text)");
        await c.query("INSERT INTO public.secrets SELECT g, 'row ' || g FROM generate_series(1, 50) g");
      },
    );
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await Promise.all(databases.map((d) => d.drop()));
    await server?.stop();
  });

  async function connected(url: string): Promise<Connection> {
    const { connection, error } = await tryConnect(url);
    if (error) throw error;
    opened.push(connection as Connection);
    return connection as Connection;
  }

  it("require encrypts without checking the certificate", async () => {
    const c = await connected(urlFor(server, "127.0.0.1", "sslmode=require"));
    expect(c.tls).toEqual({ encrypted: true, mode: "require" });
    expect(await encryptedPerServer(c)).toBe(true);
  });

  it("no sslmode means prefer, as in libpq: TLS when the server offers it", async () => {
    const c = await connected(urlFor(server, "127.0.0.1", ""));
    expect(c.tls).toEqual({ encrypted: true, mode: "prefer" });
    expect(await encryptedPerServer(c)).toBe(true);
  });

  it("verify-full with the right CA and host name connects", async () => {
    const c = await connected(
      urlFor(server, "localhost", `sslmode=verify-full&sslrootcert=${file("ca.crt")}`),
    );
    expect(c.tls).toEqual({ encrypted: true, mode: "verify-full" });
    expect(await encryptedPerServer(c)).toBe(true);
  });

  it("verify-full with a host name the certificate does not name fails clearly, without retrying", async () => {
    const { error, retries } = await tryConnect(
      urlFor(server, "127.0.0.1", `sslmode=verify-full&sslrootcert=${file("ca.crt")}`),
    );
    expect(error?.kind).toBe("connection");
    expect(error?.message).toContain(
      'TLS: the server\'s certificate is not issued for this host name "127.0.0.1"',
    );
    expect(error?.message).toContain("sslmode=verify-full");
    expect(error?.message).toContain("not retried");
    expect(retries).toBe(0);
  });

  it("verify-full with another CA fails, naming sslrootcert", async () => {
    const { error, retries } = await tryConnect(
      urlFor(server, "localhost", `sslmode=verify-full&sslrootcert=${file("other-ca.crt")}`),
    );
    expect(error?.message).toContain("not signed by a trusted CA");
    expect(error?.message).toContain(`sslrootcert=${file("other-ca.crt")}`);
    expect(retries).toBe(0);
  });

  it("verify-ca checks the CA but not the host name", async () => {
    const c = await connected(urlFor(server, "127.0.0.1", `sslmode=verify-ca&sslrootcert=${file("ca.crt")}`));
    expect(c.tls.encrypted).toBe(true);
    const wrongCa = await tryConnect(
      urlFor(server, "127.0.0.1", `sslmode=verify-ca&sslrootcert=${file("other-ca.crt")}`),
    );
    expect(wrongCa.error?.message).toContain("not signed by a trusted CA");
  });

  it("require with a root certificate checks the chain, as libpq does", async () => {
    const { error } = await tryConnect(
      urlFor(server, "127.0.0.1", `sslmode=require&sslrootcert=${file("other-ca.crt")}`),
    );
    expect(error?.message).toContain("not signed by a trusted CA");
  });

  it("disable is refused by a server that only accepts TLS, with a hint", async () => {
    const { error, retries } = await tryConnect(urlFor(server, "127.0.0.1", "sslmode=disable"));
    expect(error?.context.server?.code).toBe("28000");
    expect(error?.message).toContain("sslmode=disable forbids TLS");
    expect(retries).toBe(0);
  });

  it("logs in with a client certificate from sslcert and sslkey", async () => {
    const query = `sslmode=verify-full&sslrootcert=${file("ca.crt")}&sslcert=${file("client.crt")}&sslkey=${file("client.key")}`;
    const c = await connected(urlFor(server, "localhost", query, CLIENT_ROLE));
    const who = await c.client.query<{ u: string }>("SELECT current_user AS u");
    expect(who.rows[0]?.u).toBe(CLIENT_ROLE);
  });

  it("an unreadable sslrootcert is a configuration error that names the file", async () => {
    const { error } = await tryConnect(
      urlFor(server, "localhost", `sslmode=verify-full&sslrootcert=${file("missing.crt")}`),
    );
    expect(error?.kind).toBe("config");
    expect(error?.message).toContain(`cannot read the sslrootcert file "${file("missing.crt")}" (ENOENT)`);
  });

  it("a whole run reads from the TLS server with verify-full", async () => {
    const destination = await freshDatabase(major as PgMajor);
    databases.push(destination);
    const sourceUrl = urlFor(server, "localhost", `sslmode=verify-full&sslrootcert=${file("ca.crt")}`);
    const report = await runSync({
      sourceUrl,
      destinationUrl: destination.url,
      schemas: ["public"],
      parallelism: 2,
    });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.totals.rows).toBe(50);
    const rows = await withClient(destination.url, (c) =>
      c.query("SELECT count(*)::int AS n FROM public.secrets"),
    );
    expect(rows.rows[0]?.n).toBe(50);
  });
});

describe("TLS against a server without ssl", () => {
  const major = testMajors()[0] as PgMajor;
  let database: FreshDatabase;
  beforeAll(async () => {
    database = await freshDatabase(major);
  });
  afterAll(async () => database?.drop());

  it("prefer falls back to plaintext when the server has no TLS", async () => {
    const url = new URL(database.url);
    url.search = "sslmode=prefer";
    const c = await connect({ url: url.toString(), side: "destination", connectSeconds: 5 });
    try {
      expect(c.tls).toEqual({ encrypted: false, mode: "prefer" });
      expect(await encryptedPerServer(c)).toBe(false);
    } finally {
      await c.close();
    }
  });

  it("prefer asks a server without TLS once: later connections go straight to plaintext", async () => {
    // A TCP proxy in front of the server counts the connections each connect() opens.
    let accepted = 0;
    const server = new URL(database.url);
    const proxy = createServer((socket) => {
      accepted++;
      const upstream = createConnection(Number(server.port), server.hostname);
      socket.pipe(upstream).pipe(socket);
      socket.on("error", () => upstream.destroy());
      upstream.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const url = new URL(database.url);
      url.port = String((proxy.address() as AddressInfo).port);
      url.search = "sslmode=prefer";
      for (let i = 0; i < 3; i++) {
        const c = await connect({ url: url.toString(), side: "destination", connectSeconds: 5 });
        expect(c.tls).toEqual({ encrypted: false, mode: "prefer" });
        await c.close();
      }
      // The TLS request and the plaintext session, then one connection each.
      expect(accepted).toBe(4);
      // require still asks, and is still refused.
      url.search = "sslmode=require";
      const { error } = await tryConnect(url.toString());
      expect(error?.message).toContain("the server does not offer TLS");
      expect(accepted).toBe(5);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("require fails, saying the server does not offer TLS", async () => {
    const url = new URL(database.url);
    url.search = "sslmode=require";
    const { error, retries } = await tryConnect(url.toString());
    expect(error?.message).toContain("TLS: the server does not offer TLS, and sslmode=require requires it");
    expect(retries).toBe(0);
  });

  it("an unknown sslmode is a configuration error", async () => {
    const url = new URL(database.url);
    url.search = "sslmode=verify";
    const { error } = await tryConnect(url.toString());
    expect(error?.kind).toBe("config");
    expect(error?.message).toContain('invalid sslmode "verify"');
  });

  it("captures the same state over a plaintext fallback as directly", async () => {
    // The fallback connection is a normal session: a run over it copies the database as usual.
    const source = await freshDatabase(major);
    try {
      await withClient(source.url, (c) =>
        c.query(
          "CREATE TABLE public.t (id int PRIMARY KEY); INSERT INTO public.t SELECT generate_series(1, 7)",
        ),
      );
      const report = await runSync({
        sourceUrl: `${source.url}?sslmode=prefer`,
        destinationUrl: `${database.url}?sslmode=allow`,
      });
      expect(report.error).toBeUndefined();
      expect(await captureState(database.url)).toEqual(await captureState(source.url));
    } finally {
      await source.drop();
    }
  });
});
