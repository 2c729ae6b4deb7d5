/**
 * The TLS 1.3 client state machine (sans-IO): `start` makes the first ClientHello, `step`
 * takes one input (received bytes, a write, a close, a key update) and returns the next
 * state and the outputs. `alertFor` encodes the alert a failure sends, with the keys the
 * connection has at that moment.
 *
 * @since 0.1.0
 */
import { inlineGen, type TlsCrypto } from "@effect-tls/crypto"
import { Effect, Either } from "effect"
import { alertSent, alertToSend, Fatal, FatalReason } from "../errors.js"
import { PendingTranscript } from "../keyschedule/transcript.js"
import { encodeAlert } from "../wire/alert.js"
import { AlertDescription, AlertLevel, ContentType, ProtocolVersion } from "../wire/codes.js"
import { decodeHandshake } from "../wire/handshake.js"
import { makeOffer, type Offer, offerFromEncoded } from "./clientHello.js"
import type { ClientConfig } from "./config.js"
import type { StepContext } from "./context.js"
import { updateWriteKey } from "./postHandshake.js"
import { receive } from "./receive.js"
import { RecordLayer } from "./recordLayer.js"
import { type ClientState, type Input, Output, Phase } from "./state.js"
import type { CertificateVerifier } from "./verifier.js"

/** One step's result: the next state and what it produced, in order. @since 0.1.0 */
export type StepResult = readonly [ClientState, ReadonlyArray<Output>]

const begin = (config: ClientConfig, offer: Offer): StepResult => {
  const record = new RecordLayer(config.limits)
  const state: ClientState = {
    config,
    record,
    phase: Phase.ExpectServerHello({
      offer,
      transcript: PendingTranscript.empty.add(offer.encoded),
      retrySuite: undefined,
    }),
    closedForWriting: false,
  }
  // The initial ClientHello record may carry legacy_record_version 0x0301 (RFC 8446 section 5.1).
  const bytes = record.plaintext(ContentType.handshake, offer.encoded, ProtocolVersion.TLSv1_0)
  return [state, [Output.Send({ bytes })]]
}

/**
 * Starts a handshake: draws the ClientHello's random values and key shares, and returns the
 * state waiting for the ServerHello with the ClientHello to send.
 *
 * @since 0.1.0
 */
export const start = (config: ClientConfig): Effect.Effect<StepResult, Fatal, TlsCrypto> =>
  inlineGen(() => startSteps(config))

/** The steps of `start` (a generator made once: see inline.ts on generator closures). */
function* startSteps(config: ClientConfig) {
  return begin(config, yield* makeOffer(config))
}

/**
 * ADVANCED: starts a handshake with an already-encoded ClientHello (handshake header
 * included), e.g. to replay a recorded trace. Its key shares must be what the crypto layer
 * generates (a testing layer scripts the private keys); `config` must describe what the
 * ClientHello offers (suites, groups, ALPN, server name), since the replies are checked
 * against it.
 *
 * @since 0.1.0
 */
export const startWithClientHello = (
  config: ClientConfig,
  encoded: Uint8Array,
): Effect.Effect<StepResult, Fatal, TlsCrypto> => inlineGen(() => startWithClientHelloSteps(config, encoded))

/** The steps of `startWithClientHello` (a generator made once: see inline.ts on generator closures). */
function* startWithClientHelloSteps(config: ClientConfig, encoded: Uint8Array) {
  const decoded = decodeHandshake(encoded[0]!, encoded.subarray(4))
  if (Either.isLeft(decoded) || decoded.right._tag !== "ClientHello") {
    return yield* new Fatal({ reason: FatalReason.Config({ detail: "the given bytes are not a ClientHello" }) })
  }
  return begin(config, yield* offerFromEncoded(decoded.right, encoded))
}

/**
 * ADVANCED: an independent copy of a state, to step it more than once from the same point
 * (e.g. a fuzzer that saves the state after key agreement and feeds it many flights). The
 * record layer's buffers and sequence numbers are copied; the configuration, the phase
 * (transcripts, secrets, key shares) and the AEAD keys are immutable and shared.
 *
 * @since 0.1.0
 */
export const cloneState = (state: ClientState): ClientState => ({ ...state, record: state.record.clone() })

const established = (phase: Phase) => (phase._tag === "Established" ? phase : undefined)

/**
 * One step of the state machine. Outputs are also appended to `sink` as they are produced,
 * so a caller still has the ones made before a failure (e.g. our Finished, sent under keys
 * the step already switched to, before a bad record later in the same input).
 *
 * @since 0.1.0
 */
export const step = (
  state: ClientState,
  input: Input,
  sink: Array<Output> = [],
): Effect.Effect<StepResult, Fatal, TlsCrypto | CertificateVerifier> => inlineGen(() => stepSteps(state, input, sink))

/** The steps of `step` (a generator made once: see inline.ts on generator closures). */
function* stepSteps(state: ClientState, input: Input, sink: Array<Output>) {
  const outputs = sink
  const ctx: StepContext = { config: state.config, record: state.record, emit: (o) => outputs.push(o) }
  let phase = state.phase
  let closedForWriting = state.closedForWriting
  switch (input._tag) {
    case "Received":
      phase = yield* receive(phase, input.bytes, ctx, closedForWriting)
      break
    case "Write": {
      let open = established(phase)
      if (open === undefined || closedForWriting) {
        return yield* Effect.fail(alertSent(AlertDescription.internal_error, "write on a connection that is not open"))
      }
      if (state.record.writer?.needsKeyUpdate) open = yield* updateWriteKey(open, false, ctx)
      phase = open
      const records = yield* state.record.protect(ContentType.application_data, input.data)
      for (const bytes of records) ctx.emit(Output.Send({ bytes }))
      break
    }
    case "UpdateKeys": {
      const open = established(phase)
      if (open !== undefined && !closedForWriting) phase = yield* updateWriteKey(open, input.requestPeer, ctx)
      break
    }
    case "Close":
      if (!closedForWriting) {
        const alert = encodeAlert({ level: AlertLevel.warning, description: AlertDescription.close_notify })
        for (const bytes of yield* state.record.protect(ContentType.alert, alert)) ctx.emit(Output.Send({ bytes }))
        closedForWriting = true
      }
      break
  }
  return [{ ...state, phase, closedForWriting }, outputs] as const
}

/**
 * The alert record a failure sends to the peer, protected with the connection's current
 * write key, or undefined when none is sent (the peer alerted us, or the transport failed).
 *
 * @since 0.1.0
 */
export const alertFor = (state: ClientState, failure: Fatal): Effect.Effect<Uint8Array | undefined> => {
  const description = alertToSend(failure.reason)
  if (description === undefined || state.closedForWriting) return Effect.succeed(undefined)
  const level = description === AlertDescription.user_canceled ? AlertLevel.warning : AlertLevel.fatal
  return state.record.protect(ContentType.alert, encodeAlert({ level, description })).pipe(
    Effect.map((records) => (records.length === 1 ? records[0] : undefined)),
    Effect.orElseSucceed(() => undefined),
  )
}

/**
 * Keying material exported from an established connection (RFC 8446 section 7.5; RFC 5705
 * labels, e.g. "EXPORTER-Channel-Binding" for RFC 9266 tls-exporter).
 *
 * @since 0.1.0
 */
export const exportKeyingMaterial = (
  state: ClientState,
  label: string,
  context: Uint8Array,
  length: number,
): Effect.Effect<Uint8Array, Fatal, TlsCrypto> => {
  const open = established(state.phase)
  if (open === undefined) {
    return Effect.fail(new Fatal({ reason: FatalReason.Config({ detail: "the handshake has not completed" }) }))
  }
  return Effect.mapError(
    open.traffic.master.exporter(label, context, length),
    (error) => new Fatal({ reason: FatalReason.Config({ detail: error.message }) }),
  )
}
