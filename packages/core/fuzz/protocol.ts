/**
 * What the fuzz runner and its worker threads tell each other: the task a worker gets,
 * the messages it posts back, the layout of the shared progress counters, and how batch
 * seeds are derived (so a failure found by any worker replays from its seed alone).
 */

/** A worker's share of one target's inputs. */
export interface WorkerTask {
  readonly target: string
  readonly index: number
  readonly runs: number
  /** The campaign's seed; each batch derives its own with `batchSeed`. */
  readonly seed: number
  readonly batch: number
  readonly budgetMs: number
  /** Four Int32 counters per worker, see `ProgressSlot`. */
  readonly progress: SharedArrayBuffer
}

/**
 * The counters of one worker: 0 inputs started (shrinking included), 1 the current batch's
 * seed, 2 inputs started in the current batch, 3 the state (0 preparing, 1 running, 2 done).
 */
export type ProgressSlot = 0 | 1 | 2 | 3

/** What a worker posts. */
export type WorkerMessage =
  | {
      readonly _tag: "Failure"
      readonly seed: number
      readonly path: string
      readonly error: string
      readonly counterexample: string
    }
  | { readonly _tag: "Done"; readonly runs: number }
  | { readonly _tag: "Crashed"; readonly error: string }

/** The seed of batch `batch` of worker `worker` in a campaign seeded `seed` (a 32-bit integer). */
export const batchSeed = (seed: number, worker: number, batch: number): number =>
  (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(worker + 1, 0x85ebca6b) + Math.imul(batch + 1, 0xc2b2ae35)) | 0
