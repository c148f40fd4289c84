import type { Connection } from "../../db/connect.js";
import { readServerInfo } from "../../introspect/index.js";
import type { ServerInfo } from "../../introspect/model.js";
import { settleAll } from "../../util/settle.js";
import type { RunContext } from "../context.js";

/** The run's control connections: the source one exports the snapshot, the destination one runs the DDL. */
export interface Endpoints {
  readonly source: Connection;
  readonly destination: Connection;
  readonly sourceInfo: ServerInfo;
  readonly destinationInfo: ServerInfo;
}

/** Step "connect": one connection to each side, and what each server is. */
export async function connectStep(ctx: RunContext): Promise<Endpoints> {
  const [source, destination] = await settleAll([ctx.open("source"), ctx.open("destination")]);
  const [sourceInfo, destinationInfo] = await settleAll([
    readServerInfo(source.client),
    readServerInfo(destination.client),
  ]);
  return { source, destination, sourceInfo, destinationInfo };
}
