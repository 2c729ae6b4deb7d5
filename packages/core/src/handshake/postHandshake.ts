/**
 * Handshake messages after the handshake (RFC 8446 section 4.6): NewSessionTicket (handed
 * out with the PSK it stands for) and KeyUpdate (answered when the peer asks), plus our own
 * KeyUpdate. A CertificateRequest is unexpected: we never offer post_handshake_auth.
 *
 * @since 0.1.0
 */
import { inlineGen, type TlsCrypto } from "@effect-tls/crypto"
import type { Effect } from "effect"
import type { Fatal } from "../errors.js"
import { nextTrafficSecret } from "../keyschedule/keySchedule.js"
import { protectorFor, unprotectorFor } from "../record/fromTrafficSecret.js"
import { AlertDescription, ContentType } from "../wire/codes.js"
import { encodeHandshake } from "../wire/handshake.js"
import type { HandshakeMessage } from "../wire/reassembler.js"
import { abort, decodeMessage, type StepContext, unexpected } from "./context.js"
import { cryptoFailure } from "./cryptoFailure.js"
import { type Established, Output, Phase } from "./state.js"

/**
 * Sends a KeyUpdate with the current write key, then moves the write side to the next
 * client traffic secret (RFC 8446 section 4.6.3).
 *
 * @since 0.1.0
 */
export const updateWriteKey = (
  phase: Established,
  requestPeer: boolean,
  ctx: StepContext,
): Effect.Effect<Established, Fatal, TlsCrypto> => inlineGen(() => updateWriteKeySteps(phase, requestPeer, ctx))

/** The steps of `updateWriteKey` (a generator made once: see inline.ts on generator closures). */
function* updateWriteKeySteps(phase: Established, requestPeer: boolean, ctx: StepContext) {
  const { traffic } = phase
  const records = yield* ctx.record.protect(
    ContentType.handshake,
    encodeHandshake({ _tag: "KeyUpdate", updateRequested: requestPeer }),
  )
  for (const bytes of records) ctx.emit(Output.Send({ bytes }))
  const clientSecret = yield* cryptoFailure(nextTrafficSecret(traffic.suite.hash, traffic.clientSecret))
  ctx.record.writer = yield* cryptoFailure(protectorFor(traffic.suite, clientSecret))
  return Phase.Established({ ...phase, traffic: { ...traffic, clientSecret } })
}

/** A handshake message on an established connection. @since 0.1.0 */
export const onPostHandshake = (
  phase: Established,
  message: HandshakeMessage,
  ctx: StepContext,
  closedForWriting: boolean,
): Effect.Effect<Phase, Fatal, TlsCrypto> =>
  inlineGen(() => onPostHandshakeSteps(phase, message, ctx, closedForWriting))

/** The steps of `onPostHandshake` (a generator made once: see inline.ts on generator closures). */
function* onPostHandshakeSteps(
  phase: Established,
  message: HandshakeMessage,
  ctx: StepContext,
  closedForWriting: boolean,
) {
  const decoded = yield* decodeMessage(message, ctx)
  const { traffic } = phase
  switch (decoded._tag) {
    case "NewSessionTicket": {
      const psk = yield* cryptoFailure(traffic.resumption.resumptionPsk(decoded.ticketNonce))
      ctx.emit(Output.SessionTicket({ ticket: decoded, psk, suite: traffic.session.cipherSuite }))
      return phase
    }
    case "KeyUpdate": {
      if (phase.keyUpdatesInARow >= ctx.config.limits.maxKeyUpdatesInARow) {
        return yield* abort(AlertDescription.unexpected_message, "too many KeyUpdates without application data")
      }
      if (ctx.record.reassembler.buffered > 0) {
        return yield* abort(AlertDescription.unexpected_message, "a handshake message spans a KeyUpdate")
      }
      const serverSecret = yield* cryptoFailure(nextTrafficSecret(traffic.suite.hash, traffic.serverSecret))
      ctx.record.reader = yield* cryptoFailure(unprotectorFor(traffic.suite, serverSecret))
      const updated = Phase.Established({
        traffic: { ...traffic, serverSecret },
        keyUpdatesInARow: phase.keyUpdatesInARow + 1,
      })
      return decoded.updateRequested && !closedForWriting ? yield* updateWriteKey(updated, false, ctx) : updated
    }
    default:
      return yield* unexpected(message, "Established")
  }
}
