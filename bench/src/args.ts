/**
 * The command line of `pnpm bench`: `--quick` (small run counts), `--only <sections>` (a
 * comma-separated subset of handshake, bulk, memory, record) and `--runs N` (handshakes per
 * client and curve-op runs).
 */
import { parseArgs } from "node:util"

/** The sections of the benchmark, in the order they run. */
export const sections = ["handshake", "bulk", "memory", "record"] as const

/** One section of the benchmark. */
export type Section = (typeof sections)[number]

/** What the command line asked for. */
export interface BenchArgs {
  readonly quick: boolean
  readonly only: ReadonlyArray<Section>
  readonly runs: number | undefined
  /** Every section at full size: only such a run rewrites docs/ and bench/results.json. */
  readonly complete: boolean
}

const isSection = (name: string): name is Section => (sections as ReadonlyArray<string>).includes(name)

/** Parses `argv` (without node and the script); throws with a usage message on a bad flag. */
export const parseBenchArgs = (argv: ReadonlyArray<string>): BenchArgs => {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      runs: { type: "string" },
    },
    strict: true,
  })
  const only = values.only === undefined ? [...sections] : values.only.split(",").map((name) => name.trim())
  const unknown = only.filter((name) => !isSection(name))
  if (unknown.length > 0) throw new Error(`--only: unknown section ${unknown.join(", ")} (use ${sections.join(",")})`)
  const runs = values.runs === undefined ? undefined : Number(values.runs)
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1)) throw new Error("--runs takes a positive integer")
  const chosen = sections.filter((section) => only.includes(section))
  return {
    quick: values.quick,
    only: chosen,
    runs,
    complete: !values.quick && runs === undefined && chosen.length === sections.length,
  }
}
