/**
 * The ServerHello and HelloRetryRequest steps (RFC 8446 sections 4.1.3 and 4.1.4): every
 * check a client makes on them, the (EC)DHE agreement, the handshake traffic keys, and the
 * second ClientHello.
 *
 * @since 0.1.0
 */
import { inlineGen, TlsCrypto } from "@effect-tls/crypto"
import { Effect } from "effect"
import { type Tls13Suite, tls13Suite } from "../crypto/suites.js"
import type { Fatal } from "../errors.js"
import { EarlySecret } from "../keyschedule/keySchedule.js"
import { PendingTranscript, type Transcript } from "../keyschedule/transcript.js"
import { protectorFor, unprotectorFor } from "../record/fromTrafficSecret.js"
import { AlertDescription, ContentType, isGrease, NamedGroup, nameOf, ProtocolVersion } from "../wire/codes.js"
import { checkOffered, type Extension, extensionType } from "../wire/extensions.js"
import { encodeHandshake, type HelloRetryRequest, type ServerHello } from "../wire/handshake.js"
import type { HandshakeMessage } from "../wire/reassembler.js"
import { groupCode, type Offer, retryHello } from "./clientHello.js"
import { abort, decodeMessage, equalBytes, orAlert, type StepContext, unexpected } from "./context.js"
import { cryptoFailure } from "./cryptoFailure.js"
import { Output, Phase } from "./state.js"

type ExpectServerHello = Extract<Phase, { _tag: "ExpectServerHello" }>

// RFC 8446 section 4.1.3: the last 8 bytes of ServerHello.random from a TLS 1.3 server that negotiated an older version.
const downgradePrefix = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44]

const isDowngradeSentinel = (random: Uint8Array): boolean =>
  downgradePrefix.every((byte, i) => random[24 + i] === byte) && (random[31] === 0x01 || random[31] === 0x00)

const offeredTypes = (offer: Offer): ReadonlySet<number> => new Set(offer.hello.extensions.map(extensionType))

/** Checks common to ServerHello and HelloRetryRequest; returns the suite. */
const checkHello = (
  offer: Offer,
  hello: ServerHello | HelloRetryRequest,
  context: "ServerHello" | "HelloRetryRequest",
): Effect.Effect<Tls13Suite, Fatal> => inlineGen(() => checkHelloSteps(offer, hello, context))

/** The steps of `checkHello` (a generator made once: see inline.ts on generator closures). */
function* checkHelloSteps(
  offer: Offer,
  hello: ServerHello | HelloRetryRequest,
  context: "ServerHello" | "HelloRetryRequest",
) {
  const selected = (hello.extensions as ReadonlyArray<Extension>).find((e) => e._tag === "SelectedVersion")
  if (selected === undefined) {
    if (hello._tag === "ServerHello" && isDowngradeSentinel(hello.random)) {
      return yield* abort(AlertDescription.illegal_parameter, "ServerHello.random carries the downgrade sentinel")
    }
    return yield* abort(AlertDescription.protocol_version, "the server does not support TLS 1.3")
  }
  if (selected.version !== ProtocolVersion.TLSv1_3) {
    return yield* abort(
      AlertDescription.illegal_parameter,
      `the server selected version 0x${selected.version.toString(16)}, which we did not offer`,
    )
  }
  if (hello.legacyVersion !== ProtocolVersion.TLSv1_2) {
    return yield* abort(AlertDescription.illegal_parameter, `${context}.legacy_version is not 0x0303`)
  }
  if (!equalBytes(hello.legacySessionIdEcho, offer.hello.legacySessionId)) {
    return yield* abort(AlertDescription.illegal_parameter, `${context} does not echo our legacy_session_id`)
  }
  const suite = tls13Suite(hello.cipherSuite)
  if (suite === undefined || isGrease(hello.cipherSuite) || !offer.hello.cipherSuites.includes(hello.cipherSuite)) {
    return yield* abort(
      AlertDescription.illegal_parameter,
      `the server selected cipher suite 0x${hello.cipherSuite.toString(16).padStart(4, "0")}, which we did not offer`,
    )
  }
  yield* orAlert(checkOffered(hello.extensions, offeredTypes(offer), context))
  return suite
}

const startTranscript = (
  pending: PendingTranscript | Transcript,
  suite: Tls13Suite,
): Effect.Effect<Transcript, never, TlsCrypto> =>
  pending instanceof PendingTranscript ? inlineGen(() => startTranscriptSteps(pending, suite)) : Effect.succeed(pending)

/** The steps of `startTranscript` for a pending transcript. */
function* startTranscriptSteps(pending: PendingTranscript, suite: Tls13Suite) {
  const crypto = yield* TlsCrypto
  return pending.start(crypto.hasher(suite.hash))
}

const onHelloRetryRequest = (phase: ExpectServerHello, hrr: HelloRetryRequest, raw: Uint8Array, ctx: StepContext) =>
  inlineGen(() => onHelloRetryRequestSteps(phase, hrr, raw, ctx))

/** The steps of `onHelloRetryRequest` (a generator made once: see inline.ts on generator closures). */
function* onHelloRetryRequestSteps(
  phase: ExpectServerHello,
  hrr: HelloRetryRequest,
  raw: Uint8Array,
  ctx: StepContext,
) {
  if (phase.retrySuite !== undefined) {
    return yield* abort(AlertDescription.unexpected_message, "a second HelloRetryRequest")
  }
  const suite = yield* checkHello(phase.offer, hrr, "HelloRetryRequest")
  const requested = hrr.extensions.find((e) => e._tag === "KeyShareHelloRetryRequest")?.selectedGroup
  const cookie = hrr.extensions.find((e) => e._tag === "Cookie")?.cookie
  if (requested === undefined && cookie === undefined) {
    return yield* abort(AlertDescription.illegal_parameter, "the HelloRetryRequest would not change the ClientHello")
  }
  const crypto = yield* TlsCrypto
  let keyShares = phase.offer.keyShares
  if (requested !== undefined) {
    const group = ctx.config.groups.find((g) => groupCode(g) === requested)
    if (group === undefined || keyShares.some((share) => share.group === group)) {
      return yield* abort(
        AlertDescription.illegal_parameter,
        `the HelloRetryRequest asks for ${nameOf(NamedGroup, requested)}, which we did not offer or already sent`,
      )
    }
    keyShares = [yield* crypto.generateKeyShare(group)]
  }
  const hello = retryHello(phase.offer.hello, requested === undefined ? undefined : keyShares[0], cookie)
  const encoded = encodeHandshake(hello)
  const pending = phase.transcript
  const transcript = (
    pending instanceof PendingTranscript ? pending.startAfterHelloRetry(crypto.hasher(suite.hash)) : pending
  )
    .add(raw)
    .add(encoded)
  ctx.emit(Output.Send({ bytes: ctx.record.plaintext(ContentType.handshake, encoded) }))
  return Phase.ExpectServerHello({ offer: { hello, encoded, keyShares }, transcript, retrySuite: hrr.cipherSuite })
}

const onRealServerHello = (phase: ExpectServerHello, hello: ServerHello, raw: Uint8Array, ctx: StepContext) =>
  inlineGen(() => onRealServerHelloSteps(phase, hello, raw, ctx))

/** The steps of `onRealServerHello` (a generator made once: see inline.ts on generator closures). */
function* onRealServerHelloSteps(phase: ExpectServerHello, hello: ServerHello, raw: Uint8Array, ctx: StepContext) {
  const suite = yield* checkHello(phase.offer, hello, "ServerHello")
  if (phase.retrySuite !== undefined && phase.retrySuite !== hello.cipherSuite) {
    return yield* abort(
      AlertDescription.illegal_parameter,
      "the ServerHello changes the HelloRetryRequest's cipher suite",
    )
  }
  const entry = hello.extensions.find((e) => e._tag === "KeyShareServerHello")?.share
  if (entry === undefined) return yield* abort(AlertDescription.missing_extension, "the ServerHello has no key_share")
  const share = phase.offer.keyShares.find((s) => groupCode(s.group) === entry.group)
  if (share === undefined) {
    return yield* abort(
      AlertDescription.illegal_parameter,
      `the server's key share is for ${nameOf(NamedGroup, entry.group)}, for which we sent none`,
    )
  }
  const shared = yield* cryptoFailure(share.agree(entry.keyExchange), AlertDescription.illegal_parameter)
  const transcript = (yield* startTranscript(phase.transcript, suite)).add(raw)
  const early = yield* cryptoFailure(EarlySecret.make(suite.hash))
  const secrets = yield* cryptoFailure(early.handshake(shared, transcript.hash()))
  shared.fill(0)
  if (ctx.record.reassembler.buffered > 0) {
    return yield* abort(
      AlertDescription.unexpected_message,
      "a handshake message spans the key change after ServerHello",
    )
  }
  ctx.record.reader = yield* cryptoFailure(unprotectorFor(suite, secrets.serverHandshakeTrafficSecret))
  ctx.record.writer = yield* cryptoFailure(protectorFor(suite, secrets.clientHandshakeTrafficSecret))
  const clientRandom = phase.offer.hello.random
  ctx.emit(
    Output.KeyLog({
      label: "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
      clientRandom,
      secret: secrets.clientHandshakeTrafficSecret,
    }),
  )
  ctx.emit(
    Output.KeyLog({
      label: "SERVER_HANDSHAKE_TRAFFIC_SECRET",
      clientRandom,
      secret: secrets.serverHandshakeTrafficSecret,
    }),
  )
  return Phase.ExpectEncryptedExtensions({
    keys: {
      offer: phase.offer,
      transcript,
      secrets,
      negotiated: {
        suite,
        group: entry.group,
        helloRetryRequest: phase.retrySuite !== undefined,
        alpn: undefined,
        peerRecordSizeLimit: undefined,
      },
    },
  })
}

/**
 * The step for a message received while waiting for the ServerHello.
 *
 * @since 0.1.0
 */
export const onServerHello = (
  phase: ExpectServerHello,
  message: HandshakeMessage,
  ctx: StepContext,
): Effect.Effect<Phase, Fatal, TlsCrypto> => inlineGen(() => onServerHelloSteps(phase, message, ctx))

/** The steps of `onServerHello` (a generator made once: see inline.ts on generator closures). */
function* onServerHelloSteps(phase: ExpectServerHello, message: HandshakeMessage, ctx: StepContext) {
  const decoded = yield* decodeMessage(message, ctx)
  switch (decoded._tag) {
    case "HelloRetryRequest":
      return yield* onHelloRetryRequest(phase, decoded, message.raw, ctx)
    case "ServerHello":
      return yield* onRealServerHello(phase, decoded, message.raw, ctx)
    default:
      return yield* unexpected(message, "ExpectServerHello")
  }
}
