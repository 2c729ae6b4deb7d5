/**
 * The receive path of the state machine: records out of the deframer, decrypted when the
 * peer's keys exist, ChangeCipherSpec dropped where RFC 8446 section 5 allows it, alerts
 * handled, handshake messages reassembled and dispatched to the phase's step, and
 * application data handed out. Every limit on empty records is enforced here.
 *
 * @since 0.1.0
 */
import { inlineGen, type TlsCrypto } from "@effect-tls/crypto"
import { Effect, Either } from "effect"
import { alertSent, Fatal, FatalReason } from "../errors.js"
import { decodeAlert } from "../wire/alert.js"
import { AlertDescription, AlertLevel, ContentType, HandshakeType, nameOf } from "../wire/codes.js"
import { DecodeError } from "../wire/reader.js"
import type { HandshakeMessage } from "../wire/reassembler.js"
import type { TlsRecord } from "../wire/record.js"
import { abort, orAlert, type StepContext, unexpected } from "./context.js"
import { onServerFinished } from "./finished.js"
import { onPostHandshake } from "./postHandshake.js"
import { onCertificate, onCertificateOrRequest, onCertificateVerify, onEncryptedExtensions } from "./serverAuth.js"
import { onServerHello } from "./serverHello.js"
import { type Established, Output, Phase } from "./state.js"
import type { CertificateVerifier } from "./verifier.js"

type Requirements = TlsCrypto | CertificateVerifier

/** The handshake message types each phase takes; any other is unexpected_message. */
const expected: Readonly<Record<Phase["_tag"], ReadonlyArray<number>>> = {
  ExpectServerHello: [HandshakeType.server_hello],
  ExpectEncryptedExtensions: [HandshakeType.encrypted_extensions],
  ExpectCertificateOrRequest: [HandshakeType.certificate, HandshakeType.certificate_request],
  ExpectCertificate: [HandshakeType.certificate],
  ExpectCertificateVerify: [HandshakeType.certificate_verify],
  ExpectFinished: [HandshakeType.finished],
  Established: [HandshakeType.new_session_ticket, HandshakeType.key_update],
  Closed: [],
}

const onHandshake = (
  phase: Phase,
  message: HandshakeMessage,
  ctx: StepContext,
  closedForWriting: boolean,
): Effect.Effect<Phase, Fatal, Requirements> => {
  if (!expected[phase._tag].includes(message.type)) return unexpected(message, phase._tag)
  switch (phase._tag) {
    case "ExpectServerHello":
      return onServerHello(phase, message, ctx)
    case "ExpectEncryptedExtensions":
      return onEncryptedExtensions(phase, message, ctx)
    case "ExpectCertificateOrRequest":
      return onCertificateOrRequest(phase, message, ctx)
    case "ExpectCertificate":
      return onCertificate(phase, message, ctx)
    case "ExpectCertificateVerify":
      return onCertificateVerify(phase, message, ctx)
    case "ExpectFinished":
      return onServerFinished(phase, message, ctx)
    case "Established":
      return onPostHandshake(phase, message, ctx, closedForWriting)
    case "Closed":
      return Effect.succeed(phase)
  }
}

const onAlert = (phase: Phase, content: Uint8Array, ctx: StepContext): Effect.Effect<Phase, Fatal> =>
  inlineGen(() => onAlertSteps(phase, content, ctx))

/** The steps of `onAlert` (a generator made once: see inline.ts on generator closures). */
function* onAlertSteps(phase: Phase, content: Uint8Array, ctx: StepContext) {
  const alert = yield* orAlert(decodeAlert(content))
  if (alert.description === AlertDescription.close_notify) {
    ctx.emit(Output.PeerClosed())
    return Phase.Closed()
  }
  // user_canceled is followed by close_notify (RFC 8446 section 6.1); every other alert is an error alert.
  if (alert.description === AlertDescription.user_canceled && alert.level === AlertLevel.warning) {
    return phase
  }
  return yield* Effect.fail(
    new Fatal({
      reason: FatalReason.AlertReceived({
        alert: alert.description,
        description: nameOf(AlertDescription, alert.description),
      }),
    }),
  )
}

const countEmpty = (empty: boolean, ctx: StepContext): Effect.Effect<void, Fatal> => {
  ctx.record.emptyInARow = empty ? ctx.record.emptyInARow + 1 : 0
  return ctx.record.emptyInARow > ctx.config.limits.maxEmptyRecords
    ? abort(
        AlertDescription.unexpected_message,
        `more than ${ctx.config.limits.maxEmptyRecords} empty or ChangeCipherSpec records in a row`,
      )
    : Effect.void
}

/** After application data, KeyUpdates no longer count as "in a row". */
const afterApplicationData = (phase: Established): Phase =>
  phase.keyUpdatesInARow === 0 ? phase : Phase.Established({ ...phase, keyUpdatesInARow: 0 })

/** Hands out the content of a non-empty application data record; the phase after it. */
const deliver = (phase: Established, content: Uint8Array, ctx: StepContext): Phase => {
  ctx.record.emptyInARow = 0
  ctx.emit(Output.ApplicationData({ data: content }))
  return afterApplicationData(phase)
}

const isHandshaking = (phase: Phase): boolean => phase._tag !== "Established" && phase._tag !== "Closed"

/** What a record carries, once decrypted: handshake messages, an alert or application data. */
const onContent = (
  phase: Phase,
  type: number,
  content: Uint8Array,
  ctx: StepContext,
  closedForWriting: boolean,
): Effect.Effect<Phase, Fatal, Requirements> =>
  inlineGen(() => onContentSteps(phase, type, content, ctx, closedForWriting))

/** The steps of `onContent` (a generator made once: see inline.ts on generator closures). */
function* onContentSteps(phase: Phase, type: number, content: Uint8Array, ctx: StepContext, closedForWriting: boolean) {
  switch (type) {
    case ContentType.handshake: {
      yield* countEmpty(false, ctx)
      ctx.record.reassembler.push(content)
      let current = phase
      for (;;) {
        const message = ctx.record.reassembler.next()
        if (message === undefined) return current
        if (message instanceof DecodeError) return yield* Effect.fail(alertSent(message.alert, message.detail))
        current = yield* onHandshake(current, message, ctx, closedForWriting)
      }
    }
    case ContentType.alert:
      return yield* onAlert(phase, content, ctx)
    case ContentType.application_data:
      if (phase._tag !== "Established") {
        return yield* abort(AlertDescription.unexpected_message, "application data before the handshake completed")
      }
      if (content.length > 0) return deliver(phase, content, ctx)
      yield* countEmpty(true, ctx)
      return afterApplicationData(phase)
    default:
      return yield* abort(
        AlertDescription.unexpected_message,
        `unexpected content type ${type} inside a protected record`,
      )
  }
}

const onRecord = (
  phase: Phase,
  record: TlsRecord,
  ctx: StepContext,
  closedForWriting: boolean,
): Effect.Effect<Phase, Fatal, Requirements> => inlineGen(() => onRecordSteps(phase, record, ctx, closedForWriting))

/** The steps of `onRecord` (a generator made once: see inline.ts on generator closures). */
function* onRecordSteps(phase: Phase, record: TlsRecord, ctx: StepContext, closedForWriting: boolean) {
  if (record.type === ContentType.change_cipher_spec) {
    // RFC 8446 section 5: dropped between our first ClientHello and the server's Finished.
    if (!isHandshaking(phase) || record.fragment.length !== 1 || record.fragment[0] !== 1) {
      return yield* abort(AlertDescription.unexpected_message, "unexpected ChangeCipherSpec record")
    }
    yield* countEmpty(true, ctx)
    return phase
  }
  const reader = ctx.record.reader
  let type = record.type
  let content = record.fragment
  if (reader !== undefined && !(type === ContentType.alert && isHandshaking(phase))) {
    const opened = yield* reader.open(record.raw)
    type = opened.type
    content = opened.content
  } else if (type === ContentType.application_data) {
    return yield* abort(AlertDescription.unexpected_message, "an encrypted record before the handshake keys")
  }
  return yield* onContent(phase, type, content, ctx, closedForWriting)
}

/**
 * Feeds received bytes (one chunk, or consecutive chunks in order: they are framed one after
 * the other, never joined) through the record layer and the phases. Bytes after the peer's
 * close_notify are ignored.
 *
 * @since 0.1.0
 */
export const receive = (
  phase: Phase,
  bytes: Uint8Array | ReadonlyArray<Uint8Array>,
  ctx: StepContext,
  closedForWriting: boolean,
): Effect.Effect<Phase, Fatal, Requirements> => inlineGen(() => receiveSteps(phase, bytes, ctx, closedForWriting))

/** The steps of `receive` (a generator made once: see inline.ts on generator closures). */
function* receiveSteps(
  phase: Phase,
  bytes: Uint8Array | ReadonlyArray<Uint8Array>,
  ctx: StepContext,
  closedForWriting: boolean,
) {
  let current: Phase = phase
  for (const chunk of bytes instanceof Uint8Array ? [bytes] : bytes) {
    if (current._tag === "Closed") break
    current = yield* receiveChunk(current, chunk, ctx, closedForWriting)
  }
  return current
}

/** `receive` for one chunk. */
const receiveChunk = (
  phase: Phase,
  bytes: Uint8Array,
  ctx: StepContext,
  closedForWriting: boolean,
): Effect.Effect<Phase, Fatal, Requirements> => inlineGen(() => receiveChunkSteps(phase, bytes, ctx, closedForWriting))

/** The steps of `receiveChunk` (a generator made once: see inline.ts on generator closures). */
function* receiveChunkSteps(phase: Phase, bytes: Uint8Array, ctx: StepContext, closedForWriting: boolean) {
  ctx.record.deframer.push(bytes)
  let current: Phase = phase
  while (current._tag !== "Closed") {
    const record = ctx.record.deframer.next()
    if (record === undefined) break
    if (record instanceof DecodeError) return yield* Effect.fail(alertSent(record.alert, record.detail))
    const reader = ctx.record.reader
    if (current._tag === "Established" && reader?.isSync === true && record.type === ContentType.application_data) {
      // The bulk path: a plain loop over application data records, no Effect per record.
      const opened = reader.openSync(record.raw)
      if (Either.isLeft(opened)) return yield* Effect.fail(opened.left)
      const { type, content } = opened.right
      current =
        type === ContentType.application_data && content.length > 0
          ? deliver(current, content, ctx)
          : yield* onContent(current, type, content, ctx, closedForWriting)
      continue
    }
    current = yield* onRecord(current, record, ctx, closedForWriting)
  }
  return current
}
