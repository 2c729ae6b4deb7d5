/**
 * Runs our client (`NodeTls.connect`) against a fake server and checks how it ended: the
 * typed failure, the alerts we put on the wire, the time it took, that the fake server saw
 * the socket close, and that no fiber outlived the connection's scope. Also the guard that
 * fails a test file on any unhandled promise rejection.
 */
import { afterEach, beforeAll, beforeEach, expect } from "@effect/vitest"
import { type Fatal, Wire } from "@effect-tls/core"
import { Cause, Data, Effect, Exit, Fiber, Logger, LogLevel, Option, Supervisor } from "effect"
import { NodeTls } from "../../src/index.js"
import type { TlsConnection } from "../../src/TlsConnection.js"
import { type FakeConnection, type Script, startFakeServer } from "./fakeServer.js"
import { scriptedServerFailure, scriptedServerOf } from "./tlsScript.js"

/** The client did not finish (connect, use, scope closed) within the watchdog's time. */
class Hung extends Data.TaggedError("Hung")<{ readonly ms: number }> {
  override get message(): string {
    return `the client had not finished ${this.ms} ms after it started`
  }
}

/** How long the fake server may take to see our socket close once the client's scope has closed. */
const releaseBoundMs = 1000

/** The handshake timeout unless a case sets one: below the tests' own timeouts, so a stuck case fails as `Timeout`. */
const defaultHandshakeTimeoutMs = 5000

/** Options of a client connection to a fake server (host and port are filled in). */
export type ClientOptions = Omit<NodeTls.NodeTlsOptions, "host" | "port">

/** How a run against a fake server ended. */
export interface Outcome {
  readonly exit: Exit.Exit<unknown, unknown>
  /** From the start of `connect` to the client's scope closed. */
  readonly elapsedMs: number
  /** The connection as the fake server saw it (none when the client never opened one). */
  readonly connection: FakeConnection | undefined
  /** The alerts we sent, by name, in order. */
  readonly alertsSent: ReadonlyArray<string>
  /** Fibers started by the client that were still running after its scope closed. */
  readonly fibersLeft: number
  /** The fake server saw our socket close (and its script end) soon after our scope closed. */
  readonly released: boolean
}

/**
 * What we send when the handshake times out: `alertToSend` in the core maps `Timeout` to
 * user_canceled (RFC 8446 section 6.1: a handshake cancelled for a reason other than a
 * protocol failure), so a stream-mode timeout is expected to put it on the wire.
 */
export const timeoutAlerts: ReadonlyArray<string> = ["user_canceled"]

/** The failure we expect: `CleanShutdown`, or `Fatal` with a reason (and the alert's name for alert reasons). */
export type ExpectedFailure =
  | { readonly _tag: "CleanShutdown" }
  | { readonly _tag: "Fatal"; readonly reason: "AlertSent" | "AlertReceived"; readonly alert: string }
  | { readonly _tag: "Fatal"; readonly reason: "Certificate"; readonly code: string }
  | { readonly _tag: "Fatal"; readonly reason: "UnexpectedEof" | "Timeout" | "Io" | "Config" }

/** The alerts in plaintext alert records of `bytes` (what we send before we have keys). */
const plaintextAlerts = (bytes: Uint8Array): Array<string> => {
  const alerts: Array<string> = []
  for (let at = 0; at + 5 <= bytes.length; ) {
    const length = (bytes[at + 3]! << 8) | bytes[at + 4]!
    if (bytes[at] === Wire.ContentType.alert && length === 2 && at + 7 <= bytes.length) {
      alerts.push(Wire.nameOf(Wire.AlertDescription, bytes[at + 6]!))
    } else if (bytes[at] === Wire.ContentType.application_data) {
      alerts.push("(encrypted record)")
    }
    at += 5 + length
  }
  return alerts
}

/** The alerts we sent on `connection`: decrypted by the scripted server when one ran it. */
const alertsOf = (connection: FakeConnection): Array<string> => {
  const server = scriptedServerOf(connection)
  if (server === undefined) return plaintextAlerts(connection.received())
  const failure = scriptedServerFailure(connection)
  if (failure !== undefined) return [`(scripted server failed: ${failure.detail})`]
  return server.alerts.map((alert) => Wire.nameOf(Wire.AlertDescription, alert.description))
}

/**
 * Starts a fake server with `script`, connects to it (insecure: the fake server's
 * certificate is not the point), runs `use` on the connection if the handshake succeeds,
 * and closes everything. Never fails: the outcome says how it went.
 */
const runAgainst = (
  script: Script,
  options: ClientOptions = {},
  use: (connection: TlsConnection) => Effect.Effect<unknown, Fatal> = () => Effect.void,
  watchdogMs = 8000,
): Effect.Effect<Outcome> =>
  Effect.scoped(
    Effect.gen(function* () {
      const server = yield* startFakeServer(script)
      const supervisor = yield* Supervisor.track
      const started = Date.now()
      const exit = yield* NodeTls.connect({
        host: "127.0.0.1",
        port: server.port,
        insecure: true,
        handshakeTimeoutMs: defaultHandshakeTimeoutMs,
        ...options,
      }).pipe(
        Effect.flatMap(use),
        Effect.scoped,
        // Insecure mode warns on every handshake; that is expected here.
        Logger.withMinimumLogLevel(LogLevel.Error),
        Effect.supervised(supervisor),
        // A client that hangs (even in an uninterruptible finalizer) is reported, not waited for.
        Effect.disconnect,
        Effect.timeoutFail({ duration: watchdogMs, onTimeout: () => new Hung({ ms: watchdogMs }) }),
        Effect.exit,
      )
      const elapsedMs = Date.now() - started
      const fibersLeft = (yield* supervisor.value).filter((fiber) => fiber.unsafePoll() === null).length
      // Options that fail validation may never open a connection: then there is nothing to release.
      const accepted = yield* Effect.option(Effect.timeout(server.connection(0), releaseBoundMs))
      if (Option.isNone(accepted))
        return { exit, elapsedMs, connection: undefined, alertsSent: [], fibersLeft, released: true }
      const connection = accepted.value
      const released = Option.isSome(yield* Effect.option(Effect.timeout(connection.settled, releaseBoundMs)))
      return { exit, elapsedMs, connection, alertsSent: alertsOf(connection), fibersLeft, released }
    }),
  )

/** The failure of `exit` as a plain object, for one readable assertion. */
const failureOf = (exit: Exit.Exit<unknown, unknown>): Record<string, unknown> => {
  if (Exit.isSuccess(exit)) return { _tag: "(success)" }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return { _tag: "(defect)", cause: Cause.pretty(exit.cause) }
  const error = failure.value as { _tag?: string; reason?: { _tag: string; description?: string; code?: string } }
  if (error._tag !== "Fatal" || error.reason === undefined) return { _tag: error._tag }
  const { reason } = error
  switch (reason._tag) {
    case "AlertSent":
    case "AlertReceived":
      return { _tag: "Fatal", reason: reason._tag, alert: reason.description }
    case "Certificate":
      return { _tag: "Fatal", reason: reason._tag, code: reason.code }
    default:
      return { _tag: "Fatal", reason: reason._tag }
  }
}

/** What a run must show besides its failure. */
export interface Bounds {
  /** The alerts we must have sent, in order (`[]`: none). */
  readonly sent: ReadonlyArray<string>
  /** The run (connect to scope closed) must end within this many milliseconds. */
  readonly withinMs: number
  /** At least this long (a timeout that fires early is wrong too). */
  readonly atLeastMs?: number
}

/** Asserts the failure (or success), the alerts sent, the time bound, and that nothing was left running. */
const expectOutcome = (outcome: Outcome, expected: ExpectedFailure | "success", bounds: Bounds): void => {
  const detail = Exit.isFailure(outcome.exit) ? Cause.pretty(outcome.exit.cause) : "success"
  expect(failureOf(outcome.exit), detail).toEqual(expected === "success" ? { _tag: "(success)" } : expected)
  expect(outcome.alertsSent, "alerts we sent").toEqual(bounds.sent)
  expect(outcome.elapsedMs, "milliseconds to fail").toBeLessThan(bounds.withinMs)
  if (bounds.atLeastMs !== undefined) expect(outcome.elapsedMs).toBeGreaterThanOrEqual(bounds.atLeastMs)
  expect(outcome.fibersLeft, "fibers still running").toBe(0)
  expect(outcome.released, `the fake server saw our socket close within ${releaseBoundMs} ms`).toBe(true)
  const script = outcome.connection?.scriptExit() ?? Exit.void
  expect(Exit.isSuccess(script), `the fake server's script: ${String(script)}`).toBe(true)
}

/**
 * Fails the tests of the calling file on any unhandled promise rejection, and checks that no
 * test leaves a root fiber behind (a fiber that hung past the watchdog is one).
 */
export const guardProcess = (): void => {
  const rejections: Array<unknown> = []
  let roots = 0
  const onRejection = (reason: unknown) => void rejections.push(reason)
  beforeAll(() => {
    process.on("unhandledRejection", onRejection)
    return () => void process.off("unhandledRejection", onRejection)
  })
  beforeEach(() => {
    roots = Fiber.unsafeRoots().length
  })
  afterEach(() => {
    expect(rejections.splice(0), "unhandled rejections").toEqual([])
    expect(Fiber.unsafeRoots().length, "root fibers left").toBeLessThanOrEqual(roots)
  })
}

/** One hostile behaviour: a fake server, what our client must end with, and how fast. */
export interface HostileCase extends Bounds {
  readonly script: Script
  readonly expected: ExpectedFailure | "success"
  readonly options?: ClientOptions
  /** What the client does once connected (default nothing: the scope closes at once). */
  readonly use?: (connection: TlsConnection) => Effect.Effect<unknown, Fatal>
  /** Give up on a hanging client after this long (default 8 s). */
  readonly watchdogMs?: number
}

/** Runs a hostile case and asserts everything `expectOutcome` checks. */
export const hostile = (c: HostileCase): Effect.Effect<Outcome> =>
  Effect.tap(runAgainst(c.script, c.options, c.use, c.watchdogMs), (outcome) => expectOutcome(outcome, c.expected, c))

/** `Fatal` with `AlertSent` of the alert named `alert`. */
export const alertSent = (alert: string): ExpectedFailure => ({ _tag: "Fatal", reason: "AlertSent", alert })

/** `Fatal` with `AlertReceived` of the alert named `alert`. */
export const alertReceived = (alert: string): ExpectedFailure => ({ _tag: "Fatal", reason: "AlertReceived", alert })

/** `Fatal` with a reason that carries no alert. */
export const fatal = (reason: "UnexpectedEof" | "Timeout" | "Io" | "Config"): ExpectedFailure => ({
  _tag: "Fatal",
  reason,
})

/** Reads until the peer's close_notify (`None`); the failure, if any, is the outcome. */
export const readToEnd = (connection: TlsConnection): Effect.Effect<void, Fatal> =>
  Effect.asVoid(
    Effect.iterate(true, {
      while: (more) => more,
      body: () => Effect.map(connection.read, (next) => next._tag === "Some"),
    }),
  )
