// Fresh temporary directories for the peers (PKI files, Go binaries, key logs), all inside one
// directory per process, `$TMPDIR/effect-tls-peers-<pid>-XXXXXX`. It is removed when the process
// exits normally; vitest kills its workers without an exit event, so each process also removes
// the directories of processes that are gone.
import { readdirSync, rmSync } from "node:fs"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

const rootPrefix = "effect-tls-peers-"

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Removes the roots of processes that no longer run. */
const sweep = (): void => {
  for (const name of readdirSync(tmpdir())) {
    const pid = name.startsWith(rootPrefix) ? Number(name.slice(rootPrefix.length).split("-")[0]) : Number.NaN
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) {
      rmSync(join(tmpdir(), name), { recursive: true, force: true })
    }
  }
}

let root: Promise<string> | undefined

const processRoot = (): Promise<string> => {
  root ??= (async () => {
    sweep()
    const dir = await mkdtemp(join(tmpdir(), `${rootPrefix}${process.pid}-`))
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }))
    return dir
  })()
  return root
}

/** Creates a fresh directory `<prefix>XXXXXX` inside this process's temp root. */
export const makeTempDir = async (prefix: string): Promise<string> => mkdtemp(join(await processRoot(), prefix))
