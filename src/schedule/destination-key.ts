/**
 * Which database a URL points at, whoever connects: `host:port/database`. Two profiles with the same
 * key write to the same destination, so the scheduler never runs them at once (whatever user or
 * options their URLs carry).
 */
export function destinationKey(url: string): string {
  const u = new URL(url);
  const params = u.searchParams;
  const host = (params.get("host") ?? decodeURIComponent(u.hostname) ?? "").toLowerCase() || "localhost";
  const port = params.get("port") ?? (u.port || "5432");
  const user = decodeURIComponent(u.username);
  const database = decodeURIComponent(u.pathname.replace(/^\//, "")) || params.get("dbname") || user;
  return `${host}:${port}/${database}`;
}
