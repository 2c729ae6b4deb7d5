/**
 * One fuzz worker thread: prepares its target, then runs its share of the inputs in
 * batches, each a fast-check run with its own seed (so one failure does not stop the
 * rest, and each can be replayed alone). It reports every failing batch to the runner
 * and counts the inputs it starts in shared memory, which the runner's watchdog reads to
 * find a hung input (its batch seed and index replay it).
 */
import { parentPort, workerData } from "node:worker_threads"
import { batchSeed, type ProgressSlot, type WorkerMessage, type WorkerTask } from "./protocol.js"
import type { RunReport } from "./target.js"
import { targetNamed } from "./targets/index.js"

const task = workerData as WorkerTask
const progress = new Int32Array(task.progress)
const slot = (field: ProgressSlot): number => task.index * 4 + field

const post = (message: WorkerMessage): void => parentPort!.postMessage(message)

const main = async (): Promise<void> => {
  const target = targetNamed(task.target)
  if (target === undefined) throw new Error(`unknown target ${task.target}`)
  const run = await target.prepare()
  // Expected failures (decode errors) are created by the million; their stack traces are
  // not needed during a campaign (a replay shows them).
  Error.stackTraceLimit = 0
  Atomics.store(progress, slot(3), 1)
  let done = 0
  for (let batch = 0; done < task.runs; batch++) {
    const numRuns = Math.min(task.batch, task.runs - done)
    const seed = batchSeed(task.seed, task.index, batch)
    Atomics.store(progress, slot(1), seed)
    Atomics.store(progress, slot(2), 0)
    const report: RunReport = run({
      numRuns,
      seed,
      inputBudgetMs: task.budgetMs,
      onInput: () => {
        Atomics.add(progress, slot(0), 1)
        Atomics.add(progress, slot(2), 1)
      },
    })
    done += numRuns
    if (report.failure !== undefined) post({ _tag: "Failure", seed, ...report.failure })
  }
  Atomics.store(progress, slot(3), 2)
  post({ _tag: "Done", runs: done })
}

main().catch((error: unknown) => {
  post({ _tag: "Crashed", error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
})
