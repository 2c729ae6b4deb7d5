/**
 * What every handler of the state machine gets: the configuration, the connection's
 * record layer, a way to emit outputs, and helpers that turn decode failures into the
 * `Fatal` of the alert they name.
 *
 * @since 0.1.0
 */
import { Effect, Either } from "effect"
import { alertSent, type Fatal } from "../errors.js"
import { AlertDescription, HandshakeType, nameOf } from "../wire/codes.js"
import { decodeHandshake, type Handshake } from "../wire/handshake.js"
import type { DecodeError } from "../wire/reader.js"
import type { HandshakeMessage } from "../wire/reassembler.js"
import type { ClientConfig } from "./config.js"
import type { RecordLayer } from "./recordLayer.js"
import type { Output } from "./state.js"

/** The context of one step. @since 0.1.0 */
export interface StepContext {
  readonly config: ClientConfig
  readonly record: RecordLayer
  readonly emit: (output: Output) => void
}

/** A decode result as an Effect failing with the alert it names. @since 0.1.0 */
export const orAlert = <A>(result: Either.Either<A, DecodeError>): Effect.Effect<A, Fatal> =>
  Either.isRight(result) ? Effect.succeed(result.right) : Effect.fail(alertSent(result.left.alert, result.left.detail))

/** Fails with `alert`. @since 0.1.0 */
export const abort = (alert: number, detail: string): Effect.Effect<never, Fatal> =>
  Effect.fail(alertSent(alert, detail))

/** The unexpected_message failure for a message the phase does not take. @since 0.1.0 */
export const unexpected = (message: HandshakeMessage, phase: string): Effect.Effect<never, Fatal> =>
  abort(AlertDescription.unexpected_message, `unexpected ${nameOf(HandshakeType, message.type)} in ${phase}`)

/** Decodes a reassembled handshake message. @since 0.1.0 */
export const decodeMessage = (message: HandshakeMessage, ctx: StepContext): Effect.Effect<Handshake, Fatal> =>
  orAlert(decodeHandshake(message.type, message.body, { maxCertificates: ctx.config.limits.maxCertificates }))

/** Constant-time equality of two byte strings (lengths are public). @since 0.1.0 */
export const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}
