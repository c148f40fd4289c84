import type pg from "pg";

/**
 * What the tool reads of a node-postgres Client beyond its published API, in one place, so that an
 * upgrade of the driver that renames a field breaks here and nowhere else.
 *
 * The protocol connection (`client.connection`) is declared by @types/pg, so its message events
 * (readyForQuery, parameterStatus) need no cast; their payloads are narrowed where they are read.
 */

/**
 * The process id the server sent at login (BackendKeyData), which a pooler replaces with one of its
 * own (see pooler.ts); undefined before login or when the driver did not record it.
 */
export function announcedProcessId(client: pg.Client): number | undefined {
  // pg.Client sets `processID` when BackendKeyData arrives (lib/client.js), but @types/pg does not
  // declare it: the one field read here that the driver's types do not describe.
  const id = (client as unknown as { readonly processID?: unknown }).processID;
  return typeof id === "number" ? id : undefined;
}

/** Calls `listener` with each ReadyForQuery's transaction status ("I", "T" or "E"). */
export function onTransactionStatus(client: pg.Client, listener: (status: string) => void): void {
  client.connection.on("readyForQuery", (message: unknown) => {
    const status = (message as { status?: unknown } | undefined)?.status;
    if (typeof status === "string") listener(status);
  });
}

/** Calls `listener` with each ParameterStatus the server sends (server_version at login, then changes). */
export function onParameterStatus(client: pg.Client, listener: (name: string, value: string) => void): void {
  client.connection.on("parameterStatus", (message: unknown) => {
    const m = message as { parameterName?: unknown; parameterValue?: unknown } | undefined;
    if (typeof m?.parameterName === "string" && typeof m.parameterValue === "string")
      listener(m.parameterName, m.parameterValue);
  });
}
