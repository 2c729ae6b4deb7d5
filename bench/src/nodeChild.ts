/**
 * Starting one of the bench's own TypeScript scripts in a child Node process (through tsx),
 * killed at exit if it is still running.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { onCleanup } from "./cleanup.js"

const here = dirname(fileURLToPath(import.meta.url))

/** A child running `script` (a file name in bench/src) and the function that unregisters its kill-at-exit. */
export interface NodeChild {
  readonly child: ChildProcessWithoutNullStreams
  readonly release: () => void
}

/** Starts `node [flags] --import tsx bench/src/<script> ...args` with piped stdio, from the bench dir. */
export const startNodeChild = (
  script: string,
  args: ReadonlyArray<string>,
  flags: ReadonlyArray<string> = [],
): NodeChild => {
  const child = spawn(process.execPath, [...flags, "--import", "tsx", join(here, script), ...args], {
    cwd: join(here, ".."),
    stdio: ["pipe", "pipe", "pipe"],
  })
  const release = onCleanup(() => child.kill("SIGKILL"))
  child.once("exit", release)
  return { child, release }
}
