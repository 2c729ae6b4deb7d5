/**
 * Starting one of the bench's own scripts in a child Node process, killed at exit if it is
 * still running: the bundled `.mjs` beside this file when the bench runs from dist/ (as
 * `pnpm bench` does), the TypeScript source through tsx when it runs from src/.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { dirname, extname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { onCleanup } from "./cleanup.js"

const self = fileURLToPath(import.meta.url)
const here = dirname(self)
const extension = extname(self)

/** A child running `script` and the function that unregisters its kill-at-exit. */
export interface NodeChild {
  readonly child: ChildProcessWithoutNullStreams
  readonly release: () => void
}

/** Starts `node [flags] <script>` (a base name, e.g. `memoryProbe`) with piped stdio, from the bench dir. */
export const startNodeChild = (
  script: string,
  args: ReadonlyArray<string>,
  flags: ReadonlyArray<string> = [],
): NodeChild => {
  const loader = extension === ".ts" ? ["--import", "tsx"] : []
  const child = spawn(process.execPath, [...flags, ...loader, join(here, script + extension), ...args], {
    cwd: join(here, ".."),
    stdio: ["pipe", "pipe", "pipe"],
  })
  const release = onCleanup(() => child.kill("SIGKILL"))
  child.once("exit", release)
  return { child, release }
}
