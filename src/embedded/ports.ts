/** Free TCP ports on the loopback address, for servers started without a fixed port. */
import { createServer as createNetServer } from "node:net";
import { PgsyncError } from "../errors.js";
import { HOST } from "./options.js";

const handedOutPorts = new Set<number>();

/**
 * Asks the OS for a free port on 127.0.0.1. Ports already given to a server of this process are
 * skipped, so servers started in parallel never get the same one.
 */
export async function pickFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await probePort();
    if (!handedOutPorts.has(port)) {
      handedOutPorts.add(port);
      return port;
    }
  }
  throw new PgsyncError("connection", `could not find a free TCP port on ${HOST}`, { object: `${HOST}` });
}

/** Listens on port 0 (the OS picks) and closes again, returning the port it got. */
function probePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const probe = createNetServer();
    probe.unref();
    probe.once("error", (error) => {
      reject(
        new PgsyncError(
          "connection",
          `could not open a probe socket on ${HOST}: ${error.message}`,
          {},
          { cause: error },
        ),
      );
    });
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new PgsyncError("internal", "could not read the probe socket's port"));
      });
    });
  });
}
