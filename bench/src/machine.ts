/**
 * The facts about a run that its numbers depend on: the machine (CPUs, load before and
 * after), the software (Node, OpenSSL, subtls, the effect-tls commit) and the date.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { cpus, loadavg, totalmem } from "node:os"

/** The machine and software of a run. */
export interface Machine {
  readonly cpus: number
  readonly model: string
  readonly platform: string
  readonly memoryGiB: number
  /** 1, 5 and 15 minute load averages when the run started. */
  readonly loadBefore: ReadonlyArray<number>
  /** The same when it ended. */
  readonly loadAfter: ReadonlyArray<number>
  readonly node: string
  readonly openssl: string
  readonly subtls: string
  /** The effect-tls commit (HEAD), with "+changes" when packages/ differs from it. */
  readonly commit: string
  /** ISO date and time the run started. */
  readonly date: string
  readonly seconds: number
}

const quietly = (run: () => string): string => {
  try {
    return run().trim()
  } catch {
    return "unknown"
  }
}

/** "+changes" when the working tree's packages/ differ from HEAD (read-only: `git diff --quiet`). */
const changes = (): string => {
  try {
    execFileSync("git", ["diff", "--quiet", "HEAD", "--", ":(top)packages"], { stdio: "ignore" })
    return ""
  } catch {
    return "+changes"
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100

/** What is known when the run starts. */
export const machineAtStart = (): Omit<Machine, "loadAfter" | "seconds"> => {
  const cores = cpus()
  const require = createRequire(import.meta.url)
  return {
    cpus: cores.length,
    model: cores[0]?.model.trim() ?? "unknown",
    platform: `${process.platform} ${process.arch}`,
    memoryGiB: round2(totalmem() / 2 ** 30),
    loadBefore: loadavg().map(round2),
    node: process.version,
    openssl: quietly(() => execFileSync("openssl", ["version"], { encoding: "utf8" })),
    subtls: quietly(() => JSON.parse(readFileSync(require.resolve("subtls/package.json"), "utf8")).version),
    commit: quietly(() => execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" })) + changes(),
    date: new Date().toISOString(),
  }
}

/** Completes the facts when the run ends. */
export const machineAtEnd = (start: Omit<Machine, "loadAfter" | "seconds">, startedAt: number): Machine => ({
  ...start,
  loadAfter: loadavg().map(round2),
  seconds: Math.round((performance.now() - startedAt) / 1000),
})
