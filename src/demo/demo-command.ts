import pg from "pg";
import { type EmbeddedServer, startPostgres } from "../embedded/server.js";
import { EXIT } from "../output/exit.js";
import { formatRunReport, formatVerifyReport } from "../output/format.js";
import { runSync } from "../pipeline/run.js";
import { verifyDatabases } from "../verify/compare.js";
import { DEMO_SEED_SQL } from "./seed.js";

const say = (text: string) => process.stderr.write(`demo: ${text}\n`);

/**
 * `pgsync-ts demo`: two embedded servers of different major versions (17 as the source, 15 as the
 * destination), a seeded escrow database, one backup-style run and an independent verification.
 * Everything it starts is stopped and removed before it returns.
 */
export async function demoCommand(options: { json?: boolean }): Promise<number> {
  const servers: EmbeddedServer[] = [];
  try {
    say("starting PostgreSQL 17 (source) and PostgreSQL 15 (destination)...");
    const [source, destination] = await Promise.all([
      startPostgres({ major: 17, name: "demo-source" }),
      startPostgres({ major: 15, name: "demo-destination" }),
    ]);
    servers.push(source, destination);
    const sourceUrl = source.url("postgres");
    const destinationUrl = destination.url("postgres");

    say("seeding the source with a sample escrow database (users, wallets, escrows, transactions)...");
    const client = new pg.Client({ connectionString: sourceUrl });
    await client.connect();
    await client.query(DEMO_SEED_SQL);
    await client.end();

    say("running the backup-style sync...");
    const report = await runSync({
      sourceUrl,
      destinationUrl,
      profile: "demo",
      retention: { days: 7 },
      onEvent: (e) => {
        if (e.type === "table") say(`copied ${e.table}: ${e.rows} rows`);
        if (e.type === "warning") say(`warning: ${e.message}`);
      },
    });
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${formatRunReport(report)}\n`);
    if (!report.ok) return EXIT.failed;

    say("verifying source and destination independently (row counts and content checksums)...");
    const verification = await verifyDatabases({ sourceUrl, destinationUrl, method: "checksum" });
    if (!options.json) process.stdout.write(`${formatVerifyReport(verification)}\n`);
    return verification.outcome === "identical" ? EXIT.ok : EXIT.failed;
  } finally {
    say("stopping the embedded servers and removing their data...");
    await Promise.all(servers.map((s) => s.stop()));
  }
}
