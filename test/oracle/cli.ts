/**
 * Compares two databases with the oracle:
 *
 *   npx tsx test/oracle/cli.ts <urlA> <urlB> [--privileges] [--no-data] [--schema NAME]... [--all]
 *
 * Prints the differences grouped by property class, with counts (at most 20 lines per class unless
 * --all), and exits 1 when there are any. Both URLs need a superuser.
 */
import pg from "pg";
import { catalogFingerprint } from "./catalog.js";
import { dataFingerprint } from "./data.js";
import { diffFingerprints, formatDiff } from "./diff.js";
import type { OracleOptions } from "./session.js";

/** postgres://user:secret@host -> postgres://user:***@host; a password never reaches the output. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, "$1:***@");
}

async function withSnapshotClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    return await fn(client);
  } finally {
    await client.query("ROLLBACK").catch(() => {});
    await client.end().catch(() => {});
  }
}

async function serverMajor(url: string): Promise<number> {
  return withSnapshotClient(url, async (client) => {
    const result = await client.query<{ n: string }>("SELECT current_setting('server_version_num') AS n");
    return Math.floor(Number(result.rows[0]?.n) / 10_000);
  });
}

export async function fingerprintBoth(
  urlA: string,
  urlB: string,
  opts: OracleOptions & { data?: boolean },
): Promise<{ a: string[]; b: string[] }> {
  const [majorA, majorB] = await Promise.all([serverMajor(urlA), serverMajor(urlB)]);
  const one = (url: string, peerMajor: number) =>
    withSnapshotClient(url, async (client) => [
      ...(await catalogFingerprint(client, { ...opts, peerMajor })),
      ...(opts.data === false ? [] : await dataFingerprint(client, opts)),
    ]);
  const [a, b] = await Promise.all([one(urlA, majorB), one(urlB, majorA)]);
  return { a, b };
}

async function main(argv: string[]): Promise<number> {
  const urls = argv.filter((arg) => !arg.startsWith("--"));
  const schemas: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === "--schema" && argv[i + 1]) schemas.push(argv[i + 1] as string);
  });
  const positional = urls.filter((u) => !schemas.includes(u));
  const [urlA, urlB] = positional;
  if (!urlA || !urlB || positional.length !== 2) {
    process.stderr.write(
      "usage: tsx test/oracle/cli.ts <urlA> <urlB> [--privileges] [--no-data] [--schema NAME]... [--all]\n",
    );
    return 2;
  }
  const { a, b } = await fingerprintBoth(urlA, urlB, {
    privileges: argv.includes("--privileges"),
    data: !argv.includes("--no-data"),
    ...(schemas.length > 0 ? { schemas } : {}),
  });
  const diff = diffFingerprints(a, b);
  process.stdout.write(
    `A: ${redactUrl(urlA)} (${a.length} lines)\nB: ${redactUrl(urlB)} (${b.length} lines)\n`,
  );
  if (diff.onlyInA.length === 0 && diff.onlyInB.length === 0) {
    process.stdout.write("no differences\n");
    return 0;
  }
  process.stdout.write(`${formatDiff(diff, argv.includes("--all") ? Number.POSITIVE_INFINITY : 20)}\n`);
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`oracle: ${message.replace(/[a-z]+:\/\/[^\s]*/gi, (u) => redactUrl(u))}\n`);
      process.exit(2);
    },
  );
}
