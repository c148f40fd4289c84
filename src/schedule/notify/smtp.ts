import { PgsyncError } from "../../errors.js";
import { type RunNotice, summaryLine, textBody } from "./notice.js";

const TIMEOUT_MS = 15_000;

/** Sends the notice as a plain-text e-mail through the SMTP server of `url` (nodemailer). */
export async function sendMail(
  url: string,
  message: { from: string; to: readonly string[] },
  notice: RunNotice,
  what: string,
): Promise<void> {
  // Loaded here, not at start-up: it costs every command about 40 ms, and only an e-mail needs it.
  const { default: nodemailer } = await import("nodemailer");
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    await transport.sendMail({
      from: message.from,
      to: [...message.to],
      subject: `[pgsync-ts] ${summaryLine(notice).replace(/^pgsync-ts /, "")}`.slice(0, 200),
      text: textBody(notice),
    });
  } catch (error) {
    throw new PgsyncError(
      "internal",
      `${what}: ${error instanceof Error ? error.message : String(error)}`,
      {},
      { cause: error },
    );
  } finally {
    transport.close();
  }
}
