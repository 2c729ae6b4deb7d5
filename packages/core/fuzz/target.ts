/**
 * What a fuzz target is and how one is run: a name, a one-time setup (what every input
 * shares, e.g. a connection state saved after key agreement) that yields a fast-check
 * arbitrary and a check (`FuzzProperty`), and the prepared runner, which runs fast-check
 * over it with a seed and a number of inputs, or replays one input by its path. A check
 * throws on a failure: `FuzzFailure` when an oracle is broken, anything else when the code
 * under test threw. Used by the parallel runner's workers and, with few inputs, by
 * `test/fuzz.test.ts`.
 */
import * as fc from "fast-check"

/** An oracle found the input wrong (the code under test did not throw, but misbehaved). */
export class FuzzFailure extends Error {
  override readonly name = "FuzzFailure"
}

/** Throws a `FuzzFailure` with `detail` unless `condition` holds. */
export const assert: (condition: boolean, detail: () => string) => asserts condition = (condition, detail) => {
  if (!condition) throw new FuzzFailure(detail())
}

/** What a target's setup returns: how to make inputs and how to check one. */
export interface FuzzProperty<A> {
  readonly arbitrary: fc.Arbitrary<A>
  /** Checks one input; throws on a failure. */
  readonly check: (input: A) => void
}

/** A property from its arbitrary and check (the check's input type is the arbitrary's). */
export const property = <A>(arbitrary: fc.Arbitrary<A>, check: (input: A) => void): FuzzProperty<A> => ({
  arbitrary,
  check,
})

/** The options of one run of a target. */
export interface RunOptions {
  readonly numRuns: number
  readonly seed: number
  /** Replays one input (fast-check's counterexample path) instead of generating `numRuns`. */
  readonly path?: string
  /** An input taking longer than this, twice in a row, is a failure (a hang in the making). Default 2000 ms. */
  readonly inputBudgetMs?: number
  /** Called before each input (the runner's watchdog counts them). */
  readonly onInput?: () => void
}

/** The outcome of one run: how many inputs ran and, on a failure, how to replay it. */
export interface RunReport {
  readonly target: string
  readonly numRuns: number
  readonly seed: number
  readonly failure:
    | {
        readonly path: string
        readonly error: string
        /** The shrunk input, printed by fast-check. */
        readonly counterexample: string
      }
    | undefined
}

/** A prepared target: runs fast-check over its property. */
export type PreparedTarget = (options: RunOptions) => RunReport

/** A fuzz target. */
export interface FuzzTarget {
  readonly name: string
  /** One line on what it covers. */
  readonly summary: string
  /** Builds the property once per process (a worker runs many batches with it). */
  readonly prepare: () => Promise<PreparedTarget>
}

const describeError = (error: unknown): string =>
  error instanceof Error
    ? `${error.name}: ${error.message}${error.stack === undefined ? "" : `\n${error.stack}`}`
    : String(error)

/**
 * A target from its name, summary and setup. The check runs with the input budget: an
 * input that does not finish within it, on a second try too, fails as a hang.
 */
export const defineTarget = <A>(
  name: string,
  summary: string,
  setup: () => Promise<FuzzProperty<A>> | FuzzProperty<A>,
): FuzzTarget => ({
  name,
  summary,
  prepare: async () => {
    const { arbitrary, check } = await setup()
    return (options) => {
      const budget = options.inputBudgetMs ?? 2000
      const property = fc.property(arbitrary, (input) => {
        options.onInput?.()
        const timed = (): number => {
          const started = performance.now()
          check(input)
          return performance.now() - started
        }
        const elapsed = timed()
        if (elapsed <= budget) return
        // Wall time: a busy machine or a garbage collection can stall one run; a slow input is slow twice.
        const again = timed()
        assert(
          again <= budget,
          () => `input took ${elapsed.toFixed(0)} ms, then ${again.toFixed(0)} ms (budget ${budget} ms)`,
        )
      })
      const details = fc.check(property, {
        numRuns: options.numRuns,
        seed: options.seed,
        ...(options.path === undefined ? {} : { path: options.path, endOnFailure: true }),
      })
      return {
        target: name,
        numRuns: details.numRuns,
        seed: options.seed,
        failure: details.failed
          ? {
              path: details.counterexamplePath ?? "",
              error: describeError(details.errorInstance ?? details.error),
              counterexample: fc.stringify(details.counterexample),
            }
          : undefined,
      }
    }
  },
})
