// A peer program run by a test (openssl s_server, gnutls-serv, the Go server, or a client such
// as s_client): spawned with piped stdio, its output captured and searchable, its stdin kept
// open for commands, and stopped for sure (SIGTERM, then SIGKILL). A test worker that dies
// (vitest kills its workers without an exit event) takes its peers with it: they run under
// `setpriv --pdeathsig KILL` where util-linux has it, and are killed on a normal exit too.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { accessSync, constants } from "node:fs"
import { delimiter, isAbsolute, join } from "node:path"
import { peerError } from "./errors.js"

/** How a peer process ended. */
export interface PeerExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** What to run. */
export interface SpawnPeerOptions {
  /** Used in error messages, e.g. "openssl s_server". */
  readonly name: string
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  /** Printed when the command is missing, e.g. "apt-get install -y gnutls-bin". */
  readonly installHint?: string
}

/** Options of `waitForOutput`. */
export interface WaitForOutputOptions {
  /** Give up after this long (default 10 s). Real time, independent of any Effect TestClock. */
  readonly timeoutMs?: number
  /** Only search `output()` from this offset on (take `output().length` before the action you wait for). */
  readonly since?: number
}

/** A running peer program. Its stdout and stderr are kept whole, and also interleaved in `output()`. */
export interface PeerProcess {
  readonly name: string
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly pid: number
  /** Everything printed on stdout so far. */
  readonly stdout: () => string
  /** Everything printed on stderr so far. */
  readonly stderr: () => string
  /** stdout and stderr interleaved in arrival order. */
  readonly output: () => string
  /** The exit status, once the process has ended. */
  readonly exitStatus: () => PeerExit | undefined
  /** Writes `line` plus a newline to stdin (e.g. "k" makes `s_server` send a KeyUpdate). */
  readonly send: (line: string) => Promise<void>
  /** Writes raw bytes to stdin. */
  readonly write: (data: string | Uint8Array) => Promise<void>
  /** Closes stdin (EOF). */
  readonly endInput: () => void
  /**
   * Resolves with the first match of `pattern` in `output()` (from `since`), waiting for more
   * output if needed. Rejects with a `PeerError` (`Exited`) when the process ends first, or
   * (`Timeout`) after `timeoutMs`; both carry the output.
   */
  readonly waitForOutput: (pattern: RegExp | string, options?: WaitForOutputOptions) => Promise<RegExpExecArray>
  /** Resolves when the process has ended and its output is complete. */
  readonly exited: Promise<PeerExit>
  /** Ends the process (SIGTERM, SIGKILL after 3 s) and resolves once it is reaped. Safe to call twice. */
  readonly stop: () => Promise<PeerExit>
}

const live = new Set<ChildProcessWithoutNullStreams>()
let hooked = false

const killAllOnExit = (): void => {
  if (hooked) return
  hooked = true
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL")
  })
}

/** The path `command` runs (searching PATH unless it contains a slash), or `undefined`. */
const findExecutable = (command: string): string | undefined => {
  const candidates = command.includes("/")
    ? [isAbsolute(command) ? command : join(process.cwd(), command)]
    : (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, command))
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

let setpriv: string | null | undefined

/** `setpriv` (util-linux) if installed: it sets a parent-death signal, then execs the command (same pid). */
const findSetpriv = (): string | null => {
  setpriv ??= findExecutable("setpriv") ?? null
  return setpriv
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const toRegExp = (pattern: RegExp | string): RegExp =>
  typeof pattern === "string"
    ? new RegExp(escapeRegExp(pattern))
    : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""))

/**
 * Spawns `command ...args` and resolves once it is running. Rejects with a `PeerError`
 * (`NotInstalled`) when the command does not exist, naming `installHint`.
 */
export const spawnPeer = (options: SpawnPeerOptions): Promise<PeerProcess> =>
  new Promise((resolve, reject) => {
    const path = findExecutable(options.command)
    if (path === undefined) {
      const hint = options.installHint === undefined ? "" : ` (install it: ${options.installHint})`
      return reject(peerError("NotInstalled", `${options.name}: ${options.command} is not installed${hint}`))
    }
    killAllOnExit()
    const guard = findSetpriv()
    const [command, args] =
      guard === null ? [path, options.args] : [guard, ["--pdeathsig", "KILL", "--", path, ...options.args]]
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    let output = ""
    let status: PeerExit | undefined
    const listeners = new Set<() => void>()
    const notify = (): void => {
      for (const listener of listeners) listener()
    }
    child.stdout.setEncoding("utf8")
    child.stderr.setEncoding("utf8")
    child.stdout.on("data", (text: string) => {
      stdout += text
      output += text
      notify()
    })
    child.stderr.on("data", (text: string) => {
      stderr += text
      output += text
      notify()
    })
    // A write racing the process's exit fails with EPIPE; `send` reports that through its promise.
    child.stdin.on("error", () => {})

    const exited = new Promise<PeerExit>((done) => {
      child.once("close", (code, signal) => {
        live.delete(child)
        status = { code, signal }
        done(status)
        notify()
      })
    })

    const write = (data: string | Uint8Array): Promise<void> =>
      new Promise((done, fail) => {
        if (status !== undefined || child.stdin.destroyed || child.stdin.writableEnded) {
          return fail(peerError("Exited", `${options.name}: stdin is closed`, output))
        }
        child.stdin.write(data, (error) =>
          error == null ? done() : fail(peerError("Exited", `${options.name}: ${error.message}`, output)),
        )
      })

    const waitForOutput = (pattern: RegExp | string, wait: WaitForOutputOptions = {}): Promise<RegExpExecArray> =>
      new Promise((done, fail) => {
        const regex = toRegExp(pattern)
        const since = wait.since ?? 0
        const timeoutMs = wait.timeoutMs ?? 10_000
        const finish = (): void => {
          clearTimeout(timer)
          listeners.delete(check)
        }
        const check = (): void => {
          const match = regex.exec(output.slice(since))
          if (match !== null) {
            finish()
            done(match)
          } else if (status !== undefined) {
            finish()
            fail(
              peerError(
                "Exited",
                `${options.name} exited (${status.code ?? status.signal}) before printing ${regex}`,
                output,
              ),
            )
          }
        }
        const timer = setTimeout(() => {
          finish()
          fail(peerError("Timeout", `${options.name} did not print ${regex} within ${timeoutMs} ms`, output))
        }, timeoutMs)
        listeners.add(check)
        check()
      })

    const stop = (): Promise<PeerExit> => {
      if (status === undefined) {
        child.kill("SIGTERM")
        const force = setTimeout(() => child.kill("SIGKILL"), 3_000)
        void exited.then(() => clearTimeout(force))
      }
      return exited
    }

    child.once("error", (error) => {
      live.delete(child)
      reject(peerError("StartFailed", `${options.name}: ${error.message}`, output))
    })
    child.once("spawn", () => {
      live.add(child)
      resolve({
        name: options.name,
        command: options.command,
        args: options.args,
        pid: child.pid ?? -1,
        stdout: () => stdout,
        stderr: () => stderr,
        output: () => output,
        exitStatus: () => status,
        send: (line) => write(`${line}\n`),
        write,
        endInput: () => {
          child.stdin.end()
        },
        waitForOutput,
        exited,
        stop,
      })
    })
  })
