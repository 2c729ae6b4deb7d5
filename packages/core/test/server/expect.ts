/**
 * Assertions on how a client step ends: the `Fatal` it fails with (never a defect, never a
 * success), and the exact alert sent or received.
 */
import { expect } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import type { Fatal, FatalReason } from "../../src/errors.js"
import { AlertDescription, nameOf } from "../../src/wire/codes.js"
import type { ServerError } from "./recordLayer.js"

/** The reason `effect` fails with; a success, a defect or a server failure fails the test. */
export const fatalOf = <A, R>(effect: Effect.Effect<A, Fatal | ServerError, R>): Effect.Effect<FatalReason, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.dieMessage("expected the client to fail, but it succeeded")
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure)) return Effect.dieMessage(`expected a Fatal, got a defect: ${Cause.pretty(exit.cause)}`)
    if (failure.value._tag === "ServerError") return Effect.dieMessage(failure.value.message)
    return Effect.succeed(failure.value.reason)
  })

const describeReason = (reason: FatalReason): string =>
  reason._tag === "AlertSent" || reason._tag === "AlertReceived"
    ? `${reason._tag} ${nameOf(AlertDescription, reason.alert)}`
    : reason._tag

const expectReason = (reason: FatalReason, tag: "AlertSent" | "AlertReceived", alert: number): FatalReason => {
  const detail = reason._tag === "AlertSent" ? reason.detail : ""
  expect(describeReason(reason), detail).toBe(`${tag} ${nameOf(AlertDescription, alert)}`)
  return reason
}

/** Asserts that `effect` fails with `alert` sent to the peer. */
export const expectAlertSent = <A, R>(
  effect: Effect.Effect<A, Fatal | ServerError, R>,
  alert: number,
): Effect.Effect<FatalReason, never, R> =>
  Effect.map(fatalOf(effect), (reason) => expectReason(reason, "AlertSent", alert))

/** Asserts that `effect` fails because the peer sent `alert`. */
export const expectAlertReceived = <A, R>(
  effect: Effect.Effect<A, Fatal | ServerError, R>,
  alert: number,
): Effect.Effect<FatalReason, never, R> =>
  Effect.map(fatalOf(effect), (reason) => expectReason(reason, "AlertReceived", alert))
