/**
 * Runs one fuzz target over worker threads, one per core: splits the inputs, collects the
 * failing batches, prints progress, and watches for hangs. A worker whose input counter
 * has not moved for `hangSeconds` is stopped and reported with the seed and index of the
 * input it was on, which replay it.
 */
import { Worker } from "node:worker_threads"
import type { WorkerMessage, WorkerTask } from "./protocol.js"

/** How to run a target. */
export interface CampaignOptions {
  readonly target: string
  readonly runs: number
  readonly workers: number
  readonly seed: number
  readonly batch: number
  readonly budgetMs: number
  readonly hangSeconds: number
  /** Called with a progress line now and then. */
  readonly log: (line: string) => void
}

/** A failure found, with what replays it. */
export interface Finding {
  readonly kind: "failure" | "hang" | "crash"
  readonly seed: number
  readonly path: string
  readonly error: string
  readonly counterexample: string
}

/** The result of a campaign. */
export interface CampaignResult {
  readonly target: string
  readonly runs: number
  /** Seconds spent fuzzing (after the workers' setup). */
  readonly seconds: number
  readonly findings: ReadonlyArray<Finding>
}

/**
 * Worker threads do not get the TypeScript loader the runner was started with (tsx), so
 * each worker starts with a bootstrap that registers tsx's loader and then imports the
 * worker module.
 */
const bootstrap = (): string => {
  const tsx = import.meta.resolve("tsx/esm/api")
  const worker = new URL("./worker.ts", import.meta.url).href
  return `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(worker)}) })`
}

/** The shares of `runs` inputs over `workers` workers. */
const shares = (runs: number, workers: number): Array<number> =>
  Array.from({ length: workers }, (_, i) => Math.floor(runs / workers) + (i < runs % workers ? 1 : 0))

/** Runs one target to the end. */
export const runCampaign = (options: CampaignOptions): Promise<CampaignResult> =>
  new Promise((resolve) => {
    const counts = shares(options.runs, options.workers).filter((n) => n > 0)
    const progress = new SharedArrayBuffer(4 * 4 * counts.length)
    const counters = new Int32Array(progress)
    const findings: Array<Finding> = []
    const lastMoved = counts.map(() => ({ count: -1, at: Date.now() }))
    let runsDone = 0
    let running = counts.length
    let started: number | undefined
    const workers = counts.map((runs, index) => {
      const task: WorkerTask = {
        target: options.target,
        index,
        runs,
        seed: options.seed,
        batch: options.batch,
        budgetMs: options.budgetMs,
        progress,
      }
      const worker = new Worker(bootstrap(), { eval: true, workerData: task })
      let finished = false
      const finish = () => {
        if (finished) return
        finished = true
        running--
        if (running === 0) {
          clearInterval(watchdog)
          const seconds = started === undefined ? 0 : (Date.now() - started) / 1000
          resolve({ target: options.target, runs: runsDone, seconds, findings })
        }
      }
      worker.on("message", (message: WorkerMessage) => {
        switch (message._tag) {
          case "Failure":
            findings.push({ kind: "failure", ...message })
            options.log(
              `  ${options.target}: FAILURE (seed ${message.seed}, path ${message.path}): ${message.error.split("\n")[0]}`,
            )
            break
          case "Done":
            runsDone += message.runs
            void worker.terminate()
            finish()
            break
          case "Crashed":
            findings.push({ kind: "crash", seed: options.seed, path: "", error: message.error, counterexample: "" })
            void worker.terminate()
            finish()
            break
        }
      })
      worker.on("error", (error) => {
        findings.push({
          kind: "crash",
          seed: options.seed,
          path: "",
          error: error.stack ?? String(error),
          counterexample: "",
        })
        finish()
      })
      worker.on("exit", finish)
      return worker
    })
    let lastLog = Date.now()
    const watchdog = setInterval(() => {
      const now = Date.now()
      let total = 0
      workers.forEach((worker, i) => {
        const count = Atomics.load(counters, i * 4)
        const state = Atomics.load(counters, i * 4 + 3)
        total += count
        if (state === 1 && started === undefined) {
          started = now
          lastLog = now
        }
        if (count !== lastMoved[i]!.count || state !== 1) {
          lastMoved[i] = { count, at: now }
          return
        }
        if (now - lastMoved[i]!.at < options.hangSeconds * 1000) return
        const seed = Atomics.load(counters, i * 4 + 1)
        const index = Atomics.load(counters, i * 4 + 2) - 1
        findings.push({
          kind: "hang",
          seed,
          path: String(index),
          error: `no progress for ${options.hangSeconds} s`,
          counterexample: "",
        })
        options.log(`  ${options.target}: HANG in worker ${i} (seed ${seed}, path ${index}); stopping it`)
        lastMoved[i] = { count: -2, at: now }
        void worker.terminate()
      })
      if (now - lastLog >= 15000 && started !== undefined) {
        lastLog = now
        const rate = total / ((now - started) / 1000)
        options.log(
          `  ${options.target}: ${total.toLocaleString("en-US")} inputs, ${Math.round(rate).toLocaleString("en-US")}/s`,
        )
      }
    }, 1000)
  })
