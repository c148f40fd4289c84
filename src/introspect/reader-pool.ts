import type pg from "pg";
import { PgsyncError } from "../errors.js";

/** Runs one catalog read on a free connection of the pool (see readerPool). */
export type ReadOn = <T>(read: (client: pg.Client) => Promise<T>) => Promise<T>;

/**
 * Spreads catalog reads over several connections that share one snapshot (the run's exporter and
 * the workers that imported it), so that the per-kind queries run at the same time instead of one
 * after another: each read gets a connection of its own for as long as it runs, and waits for one
 * when all are busy. With a single connection the reads simply queue.
 *
 * A read is started as soon as it is called; the caller awaits it when it needs the rows. Its
 * failure is reported where it is awaited, never as an unhandled rejection in between (a sibling
 * read may fail first and end the introspection).
 */
export function readerPool(clients: readonly pg.Client[]): ReadOn {
  if (clients.length === 0)
    throw new PgsyncError("internal", "introspection was given no connection to read the catalog with");
  const idle = [...clients];
  const waiting: ((client: pg.Client) => void)[] = [];
  const release = (client: pg.Client) => {
    const next = waiting.shift();
    if (next) next(client);
    else idle.push(client);
  };
  return <T>(read: (client: pg.Client) => Promise<T>): Promise<T> => {
    const started = (async () => {
      const client = idle.pop() ?? (await new Promise<pg.Client>((resolve) => waiting.push(resolve)));
      try {
        return await read(client);
      } finally {
        release(client);
      }
    })();
    started.catch(() => {});
    return started;
  };
}
