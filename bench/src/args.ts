/**
 * The command line of `pnpm bench`: `--quick` (small run counts), `--only <sections>` (a
 * comma-separated subset of handshake, bulk, memory, record, breakdown), `--runs N` (handshakes per
 * client and curve-op runs) and `--warmup N` (unrecorded handshake rounds before them).
 */
import { parseArgs } from "node:util"

/** The sections of the benchmark, in the order they run. */
export const sections = ["handshake", "bulk", "memory", "record", "breakdown"] as const

/** One section of the benchmark. */
export type Section = (typeof sections)[number]

/** What the command line asked for. */
export interface BenchArgs {
  readonly quick: boolean
  readonly only: ReadonlyArray<Section>
  readonly runs: number | undefined
  readonly warmup: number | undefined
  /** Every section at full size: only such a run rewrites docs/ and bench/results.json. */
  readonly complete: boolean
}

const isSection = (name: string): name is Section => (sections as ReadonlyArray<string>).includes(name)

/** A count flag's value, at least `min`; undefined when the flag is absent. */
const count = (value: string | undefined, flag: string, min: number): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!(Number.isInteger(n) && n >= min)) throw new Error(`${flag} takes an integer of at least ${min}`)
  return n
}

/** Parses `argv` (without node and the script); throws with a usage message on a bad flag. */
export const parseBenchArgs = (argv: ReadonlyArray<string>): BenchArgs => {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      runs: { type: "string" },
      warmup: { type: "string" },
    },
    strict: true,
  })
  const only = values.only === undefined ? [...sections] : values.only.split(",").map((name) => name.trim())
  const unknown = only.filter((name) => !isSection(name))
  if (unknown.length > 0) throw new Error(`--only: unknown section ${unknown.join(", ")} (use ${sections.join(",")})`)
  const runs = count(values.runs, "--runs", 1)
  const warmup = count(values.warmup, "--warmup", 0)
  const chosen = sections.filter((section) => only.includes(section))
  return {
    quick: values.quick,
    only: chosen,
    runs,
    warmup,
    complete: !values.quick && runs === undefined && warmup === undefined && chosen.length === sections.length,
  }
}
