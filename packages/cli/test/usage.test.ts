/**
 * Usage errors of `effect-tls connect`, run as a real child process: a malformed HOST:PORT,
 * an unknown flag and a non-integer `--count` exit 2 before any connection is tried.
 */
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expectUsageError, runCli } from "./cli.js"
import { refusedPort } from "./peers.js"

const timeout = 120_000

describe.concurrent("effect-tls connect: usage errors exit 2", () => {
  it.effect(
    "HOST:PORT without a port",
    () => Effect.map(runCli(["connect", "127.0.0.1", "--json"]), (run) => expectUsageError(run, /expected HOST:PORT/)),
    timeout,
  )

  it.effect(
    "an unknown flag",
    () =>
      Effect.gen(function* () {
        const port = yield* refusedPort
        expectUsageError(yield* runCli(["connect", `127.0.0.1:${port}`, "--no-such-flag", "--json"]), /--no-such-flag/)
      }),
    timeout,
  )

  it.effect(
    "a --count that is not an integer",
    () =>
      Effect.gen(function* () {
        const port = yield* refusedPort
        expectUsageError(yield* runCli(["connect", `127.0.0.1:${port}`, "--count", "three", "--json"]), /three/)
      }),
    timeout,
  )
})
