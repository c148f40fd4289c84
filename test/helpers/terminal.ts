/**
 * Runs the command line in a pseudo-terminal (`script -qfec`: node-pty would need a native build),
 * so that it sees a terminal on stdin, stdout and stderr as a person's shell gives it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(new URL("./cli-entry.ts", import.meta.url));

/** A command in a pseudo-terminal: everything it writes to it, as the terminal received it. */
export function inTerminal(args: readonly string[], env: NodeJS.ProcessEnv) {
  const command = [process.execPath, "--import", "tsx", ENTRY, ...args].map(shellQuote).join(" ");
  const child: ChildProcess = spawn("script", ["-qfec", command, "/dev/null"], {
    env: { ...process.env, PGSYNC_LOG_LEVEL: "info", TERM: "xterm-256color", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const w of waiters) w();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    /** Types into the terminal (a confirmation's answer). */
    type: (text: string) => {
      child.stdin?.write(text);
    },
    /** Resolves once the output satisfies `test` (the test's own timeout bounds the wait). */
    until: (test: (output: string) => boolean) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (test(output)) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        void exited.then(() => {
          waiters.delete(check);
          if (test(output)) resolve();
          else reject(new Error(`the command ended first:\n${plain(output)}`));
        });
        check();
      }),
  };
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The terminal's text without colours, and with every cursor movement taken as a line break (each
 * redraw starts a line).
 */
export function plain(raw: string): string {
  return (
    raw
      // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal control sequences
      .replace(/\u001b\[[0-9;]*m/g, "")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal control sequences
      .replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[78]/g, "\n")
      .replace(/\r/g, "\n")
  );
}
