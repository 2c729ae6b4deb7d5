// Finding and running the command-line tools the peers use (openssl, gnutls-serv, go): a
// synchronous "is it installed, which version" probe usable at test-collection time, and a
// promise wrapper around execFile that fails with a `PeerError`.
import { execFile, execFileSync } from "node:child_process"
import { peerError } from "./errors.js"

/**
 * The first line `command ...args` prints (e.g. `go version`), or `undefined` when the
 * command is not installed or fails. Synchronous so tests can decide `skipIf` at collection.
 */
export const toolVersion = (command: string, args: ReadonlyArray<string>): string | undefined => {
  try {
    const out = execFileSync(command, [...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 10_000,
    })
    return out.split("\n")[0]?.trim()
  } catch {
    return undefined
  }
}

/** Options of `runTool`. */
export interface RunToolOptions {
  readonly cwd?: string
  readonly env?: Readonly<Record<string, string>>
  /** Printed in the `NotInstalled` error, e.g. "apt-get install -y golang-go". */
  readonly installHint?: string
  readonly timeoutMs?: number
}

/**
 * Runs `command ...args` to completion and resolves with its stdout. Rejects with a
 * `PeerError`: `NotInstalled` when the command does not exist, `CommandFailed` (with its
 * stderr) when it exits non-zero or times out.
 */
export const runTool = (command: string, args: ReadonlyArray<string>, options: RunToolOptions = {}): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout)
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
          const hint = options.installHint === undefined ? "" : ` (install it: ${options.installHint})`
          return reject(peerError("NotInstalled", `${command} is not installed${hint}`))
        }
        const status = error.killed ? "timed out" : `exited with ${error.code ?? error.signal}`
        reject(peerError("CommandFailed", `${command} ${args.join(" ")} ${status}`, `${stdout}${stderr}`))
      },
    )
  })
