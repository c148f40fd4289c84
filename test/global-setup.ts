/**
 * Starts one shared PostgreSQL server per major listed in PGSYNC_TEST_VERSIONS (default: all),
 * hands their connection details to the test workers through `provide`, and stops them afterwards.
 */
import type { TestProject } from "vitest/node";
import { type EmbeddedServer, parseMajors, startPostgres } from "../src/embedded/server.js";
import type { SharedServerInfo } from "./helpers/pg-servers.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const majors = parseMajors(process.env.PGSYNC_TEST_VERSIONS);
  const results = await Promise.allSettled(majors.map((major) => startPostgres({ major, name: "shared" })));
  const servers = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failures = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
  if (failures.length > 0) {
    // Do not leave the servers that did come up running.
    await Promise.allSettled(servers.map((server) => server.stop()));
    throw failures.length === 1
      ? failures[0]
      : new AggregateError(failures, "PostgreSQL servers failed to start");
  }

  for (const server of servers) {
    process.stdout.write(
      `PostgreSQL ${server.version} ready on ${server.host}:${server.port} (tests for major ${server.major})\n`,
    );
  }
  project.provide("pgServers", servers.map(toInfo));

  return async () => {
    const stopped = await Promise.allSettled(servers.map((server) => server.stop()));
    const errors = stopped.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
    if (errors.length > 0) throw new AggregateError(errors, "PostgreSQL servers failed to stop");
  };
}

function toInfo(server: EmbeddedServer): SharedServerInfo {
  return {
    major: server.major,
    version: server.version,
    host: server.host,
    port: server.port,
    superuser: server.superuser,
    superuserPassword: server.superuserPassword,
  };
}
