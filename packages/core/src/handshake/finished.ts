/**
 * The server Finished step (RFC 8446 section 4.4.4) and our second flight: the middlebox
 * ChangeCipherSpec, the client certificate and CertificateVerify when asked for, and our
 * Finished; then the application traffic keys.
 *
 * @since 0.1.0
 */
import { concatBytes, hashLength, inlineGen, type TlsCrypto } from "@effect-tls/crypto"
import type { Effect } from "effect"
import { chooseScheme } from "../crypto/signatureSchemes.js"
import type { Fatal } from "../errors.js"
import { verifyData } from "../keyschedule/keySchedule.js"
import type { Transcript } from "../keyschedule/transcript.js"
import { protectorFor, unprotectorFor } from "../record/fromTrafficSecret.js"
import { AlertDescription, CipherSuite, ContentType, NamedGroup, nameOf, SignatureScheme } from "../wire/codes.js"
import { type CertificateRequest, encodeHandshake, type Handshake } from "../wire/handshake.js"
import type { HandshakeMessage } from "../wire/reassembler.js"
import { abort, decodeMessage, equalBytes, type StepContext, unexpected } from "./context.js"
import { cryptoFailure } from "./cryptoFailure.js"
import { certificateVerifyContent } from "./serverAuth.js"
import { Output, Phase } from "./state.js"

type ExpectFinished = Extract<Phase, { _tag: "ExpectFinished" }>

const clientContext = new TextEncoder().encode("TLS 1.3, client CertificateVerify")

/** Our Certificate (and CertificateVerify) in answer to a CertificateRequest. */
const clientAuthentication = (
  request: CertificateRequest,
  transcript: Transcript,
  ctx: StepContext,
): Effect.Effect<{ messages: ReadonlyArray<Uint8Array>; transcript: Transcript; authenticated: boolean }, Fatal> =>
  inlineGen(() => clientAuthenticationSteps(request, transcript, ctx))

/** The steps of `clientAuthentication` (a generator made once: see inline.ts on generator closures). */
function* clientAuthenticationSteps(request: CertificateRequest, transcript: Transcript, ctx: StepContext) {
  const offered = request.extensions.find((e) => e._tag === "SignatureAlgorithms")?.schemes ?? []
  const certificate = ctx.config.clientCertificate
  const scheme = certificate === undefined ? undefined : chooseScheme(certificate.key.type, offered)
  const chain = certificate !== undefined && scheme !== undefined ? certificate.chain : []
  const certificateMessage = encodeHandshake({
    _tag: "Certificate",
    requestContext: request.requestContext,
    entries: chain.map((certData) => ({ certData, extensions: [] })),
  })
  let running = transcript.add(certificateMessage)
  if (certificate === undefined || scheme === undefined) {
    return { messages: [certificateMessage], transcript: running, authenticated: false }
  }
  const signature = yield* cryptoFailure(
    certificate.key.sign(scheme.algorithm, certificateVerifyContent(clientContext, running.hash())),
    AlertDescription.internal_error,
  )
  const verifyMessage = encodeHandshake({ _tag: "CertificateVerify", algorithm: scheme.code, signature })
  running = running.add(verifyMessage)
  return { messages: [certificateMessage, verifyMessage], transcript: running, authenticated: true }
}

/** The server Finished step. @since 0.1.0 */
export const onServerFinished = (
  phase: ExpectFinished,
  message: HandshakeMessage,
  ctx: StepContext,
): Effect.Effect<Phase, Fatal, TlsCrypto> => inlineGen(() => onServerFinishedSteps(phase, message, ctx))

/** The steps of `onServerFinished` (a generator made once: see inline.ts on generator closures). */
function* onServerFinishedSteps(phase: ExpectFinished, message: HandshakeMessage, ctx: StepContext) {
  const decoded: Handshake = yield* decodeMessage(message, ctx)
  if (decoded._tag !== "Finished") return yield* unexpected(message, "ExpectFinished")
  const { keys } = phase
  const suite = keys.negotiated.suite
  if (decoded.verifyData.length !== hashLength(suite.hash)) {
    return yield* abort(AlertDescription.decode_error, "Finished has the wrong length")
  }
  const expected = yield* cryptoFailure(
    verifyData(suite.hash, keys.secrets.serverHandshakeTrafficSecret, keys.transcript.hash()),
  )
  if (!equalBytes(expected, decoded.verifyData)) {
    return yield* abort(AlertDescription.decrypt_error, "the server's Finished does not verify")
  }
  if (ctx.record.reassembler.buffered > 0) {
    return yield* abort(AlertDescription.unexpected_message, "a handshake message spans the key change after Finished")
  }
  let transcript = keys.transcript.add(message.raw)
  const master = yield* cryptoFailure(keys.secrets.master(transcript.hash()))

  const auth =
    phase.request === undefined
      ? { messages: [], transcript, authenticated: false }
      : yield* clientAuthentication(phase.request, transcript, ctx)
  transcript = auth.transcript
  const finished = encodeHandshake({
    _tag: "Finished",
    verifyData: yield* cryptoFailure(
      verifyData(suite.hash, keys.secrets.clientHandshakeTrafficSecret, transcript.hash()),
    ),
  })
  transcript = transcript.add(finished)
  const records = yield* ctx.record.protect(ContentType.handshake, concatBytes(...auth.messages, finished))
  const flight = ctx.config.middleboxCompatibility ? [ctx.record.changeCipherSpec(), ...records] : records
  ctx.emit(Output.Send({ bytes: concatBytes(...flight) }))

  const resumption = yield* cryptoFailure(master.resumption(transcript.hash()))
  ctx.record.writer = yield* cryptoFailure(protectorFor(suite, master.clientApplicationTrafficSecret))
  ctx.record.reader = yield* cryptoFailure(unprotectorFor(suite, master.serverApplicationTrafficSecret))
  const clientRandom = keys.offer.hello.random
  ctx.emit(
    Output.KeyLog({ label: "CLIENT_TRAFFIC_SECRET_0", clientRandom, secret: master.clientApplicationTrafficSecret }),
  )
  ctx.emit(
    Output.KeyLog({ label: "SERVER_TRAFFIC_SECRET_0", clientRandom, secret: master.serverApplicationTrafficSecret }),
  )
  ctx.emit(Output.KeyLog({ label: "EXPORTER_SECRET", clientRandom, secret: master.exporterMasterSecret }))
  const session = {
    version: "TLSv1.3" as const,
    cipherSuite: nameOf(CipherSuite, suite.code),
    group: nameOf(NamedGroup, keys.negotiated.group),
    signatureScheme: nameOf(SignatureScheme, phase.signatureScheme),
    alpn: keys.negotiated.alpn,
    serverName: ctx.config.serverName,
    helloRetryRequest: keys.negotiated.helloRetryRequest,
    resumed: false,
    peerCertificates: phase.chain,
    certificateVerified: phase.verified,
    clientAuthenticated: auth.authenticated,
  }
  ctx.emit(Output.Established({ session }))
  return Phase.Established({
    traffic: {
      suite,
      master,
      resumption,
      clientSecret: master.clientApplicationTrafficSecret,
      serverSecret: master.serverApplicationTrafficSecret,
      session,
    },
    keyUpdatesInARow: 0,
  })
}
