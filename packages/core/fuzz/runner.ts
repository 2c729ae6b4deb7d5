/**
 * `pnpm fuzz`: property-based fuzzing at scale. Runs each target (all by default) with N
 * inputs (default 1,000,000) split over one worker thread per core, and prints per target
 * the inputs, inputs per second and failures; exits non-zero on any failure. Every
 * failure is printed with the command that replays it.
 *
 *   pnpm fuzz [--runs N] [--target a,b] [--workers N] [--seed S] [--batch N]
 *             [--budget MS] [--hang SECONDS]
 *   pnpm fuzz --target NAME --seed S --path P      replay one input, with its stack trace
 *   pnpm fuzz --list                               the targets
 */
import { availableParallelism } from "node:os"
import { parseArgs } from "node:util"
import { type CampaignResult, runCampaign } from "./campaign.js"
import { targetNamed, targets } from "./targets/index.js"

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "1000000" },
    target: { type: "string" },
    workers: { type: "string", default: String(availableParallelism()) },
    seed: { type: "string" },
    path: { type: "string" },
    batch: { type: "string", default: "10000" },
    budget: { type: "string", default: "2000" },
    hang: { type: "string", default: "60" },
    list: { type: "boolean", default: false },
  },
  strict: true,
})

const integer = (name: string, text: string | undefined, min: number): number => {
  const value = Number(text?.replaceAll("_", ""))
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got ${text}`)
  return value
}

const selected = () => {
  if (values.target === undefined) return targets
  return values.target.split(",").map((name) => {
    const target = targetNamed(name)
    if (target === undefined) throw new Error(`unknown target ${name}; one of ${targets.map((t) => t.name).join(", ")}`)
    return target
  })
}

const replay = async (name: string, seed: number, path: string, budgetMs: number): Promise<number> => {
  const target = targetNamed(name)
  if (target === undefined) throw new Error(`unknown target ${name}`)
  const run = await target.prepare()
  const report = run({ numRuns: 1, seed, path, inputBudgetMs: budgetMs })
  if (report.failure === undefined) {
    console.log(`${name}: seed ${seed} path ${path} passes`)
    return 0
  }
  console.log(
    `${name}: seed ${seed} path ${report.failure.path} FAILS\ninput: ${report.failure.counterexample}\n${report.failure.error}`,
  )
  return 1
}

const pad = (text: string | number, width: number): string => String(text).padStart(width)

const summary = (results: ReadonlyArray<CampaignResult>, workers: number): string => {
  const lines = [
    `${"target".padEnd(18)}${pad("inputs", 12)}${pad("inputs/s", 11)}${pad("seconds", 9)}${pad("failures", 10)}`,
  ]
  for (const r of results) {
    const rate = r.seconds > 0 ? Math.round(r.runs / r.seconds) : 0
    lines.push(
      `${r.target.padEnd(18)}${pad(r.runs.toLocaleString("en-US"), 12)}${pad(rate.toLocaleString("en-US"), 11)}${pad(r.seconds.toFixed(1), 9)}${pad(r.findings.length, 10)}`,
    )
  }
  lines.push(`(${workers} worker threads; availableParallelism ${availableParallelism()})`)
  return lines.join("\n")
}

const main = async (): Promise<number> => {
  if (values.list) {
    for (const t of targets) console.log(`${t.name.padEnd(18)}${t.summary}`)
    return 0
  }
  if (values.path !== undefined) {
    if (values.target === undefined || values.seed === undefined) throw new Error("--path needs --target and --seed")
    return replay(
      values.target,
      integer("seed", values.seed, -(2 ** 31)),
      values.path,
      integer("budget", values.budget, 1),
    )
  }
  const runs = integer("runs", values.runs, 1)
  const workers = integer("workers", values.workers, 1)
  const seed = values.seed === undefined ? (Math.random() * 2 ** 31) | 0 : integer("seed", values.seed, -(2 ** 31))
  const list = selected()
  console.log(
    `fuzz: ${list.length} target(s), ${runs.toLocaleString("en-US")} inputs each, ${workers} workers, campaign seed ${seed}`,
  )
  const results: Array<CampaignResult> = []
  for (const target of list) {
    console.log(`${target.name}: ${target.summary}`)
    const result = await runCampaign({
      target: target.name,
      runs,
      workers,
      seed,
      batch: integer("batch", values.batch, 1),
      budgetMs: integer("budget", values.budget, 1),
      hangSeconds: integer("hang", values.hang, 1),
      log: (line) => console.log(line),
    })
    results.push(result)
  }
  console.log(`\n${summary(results, workers)}`)
  const findings = results.flatMap((r) => r.findings.map((f) => ({ target: r.target, ...f })))
  for (const f of findings) {
    console.log(`\n${f.kind.toUpperCase()} in ${f.target}: ${f.error.split("\n")[0]}`)
    if (f.counterexample !== "") console.log(`  input: ${f.counterexample.slice(0, 2000)}`)
    if (f.kind !== "crash") console.log(`  replay: pnpm fuzz --target ${f.target} --seed=${f.seed} --path=${f.path}`)
    else console.log(f.error)
  }
  return findings.length === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(2)
  },
)
