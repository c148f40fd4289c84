// Drops and recreates one database: hyperfine's --prepare between the timed runs of the fixed-cost
// measurement (bench/fixed-cost.ts). The password comes from PGPASSWORD, never the command line.
//   node bench/reset-database.mjs <host> <port> <user> <database>
import pg from "pg";

const [host, port, user, database] = process.argv.slice(2);
const client = new pg.Client({ host, port: Number(port), user, database: "postgres" });
await client.connect();
try {
  const name = client.escapeIdentifier(database);
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${name}`);
} finally {
  await client.end();
}
