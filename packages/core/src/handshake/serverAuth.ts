/**
 * The server's encrypted flight up to Finished (RFC 8446 sections 4.3 and 4.4):
 * EncryptedExtensions, an optional CertificateRequest, Certificate (handed to the
 * certificate verifier) and CertificateVerify (checked against the leaf's key).
 *
 * @since 0.1.0
 */
import { inlineGen, inlineMapError, TlsCrypto } from "@effect-tls/crypto"
import { parseSpki } from "@effect-tls/crypto/keys"
import { type Effect, Either } from "effect"
import { certificateVerifyScheme, keyTypeOf } from "../crypto/signatureSchemes.js"
import { alertSent, type Fatal } from "../errors.js"
import { AlertDescription, nameOf, SignatureScheme } from "../wire/codes.js"
import { checkOffered, extensionType } from "../wire/extensions.js"
import type { HandshakeMessage } from "../wire/reassembler.js"
import { abort, decodeMessage, orAlert, type StepContext, unexpected } from "./context.js"
import { leafPublicKey } from "./leafKey.js"
import { Phase } from "./state.js"
import { CertificateVerifier } from "./verifier.js"

type PhaseOf<T extends Phase["_tag"]> = Extract<Phase, { _tag: T }>

const decoder = new TextDecoder()

/** The EncryptedExtensions step. @since 0.1.0 */
export const onEncryptedExtensions = (
  phase: PhaseOf<"ExpectEncryptedExtensions">,
  message: HandshakeMessage,
  ctx: StepContext,
): Effect.Effect<Phase, Fatal> => inlineGen(() => onEncryptedExtensionsSteps(phase, message, ctx))

/** The steps of `onEncryptedExtensions` (a generator made once: see inline.ts on generator closures). */
function* onEncryptedExtensionsSteps(
  phase: PhaseOf<"ExpectEncryptedExtensions">,
  message: HandshakeMessage,
  ctx: StepContext,
) {
  const decoded = yield* decodeMessage(message, ctx)
  if (decoded._tag !== "EncryptedExtensions") return yield* unexpected(message, "ExpectEncryptedExtensions")
  const keys = phase.keys
  const offered = new Set(keys.offer.hello.extensions.map(extensionType))
  yield* orAlert(checkOffered(decoded.extensions, offered, "EncryptedExtensions"))
  let alpn: string | undefined
  let peerRecordSizeLimit: number | undefined
  for (const extension of decoded.extensions) {
    if (extension._tag === "Alpn") {
      const selected = extension.protocols.length === 1 ? decoder.decode(extension.protocols[0]) : undefined
      if (selected === undefined || !ctx.config.alpn.includes(selected)) {
        return yield* abort(AlertDescription.illegal_parameter, "the server selected an ALPN protocol we did not offer")
      }
      alpn = selected
    } else if (extension._tag === "RecordSizeLimit") {
      peerRecordSizeLimit = extension.limit
      ctx.record.maxFragment = Math.min(ctx.record.maxFragment, extension.limit - 1)
    }
  }
  return Phase.ExpectCertificateOrRequest({
    keys: {
      ...keys,
      transcript: keys.transcript.add(message.raw),
      negotiated: { ...keys.negotiated, alpn, peerRecordSizeLimit },
    },
  })
}

/** The step after EncryptedExtensions: a CertificateRequest or the server's Certificate. @since 0.1.0 */
export const onCertificateOrRequest = (
  phase: PhaseOf<"ExpectCertificateOrRequest">,
  message: HandshakeMessage,
  ctx: StepContext,
): Effect.Effect<Phase, Fatal, TlsCrypto | CertificateVerifier> =>
  inlineGen(() => onCertificateOrRequestSteps(phase, message, ctx))

/** The steps of `onCertificateOrRequest` (a generator made once: see inline.ts on generator closures). */
function* onCertificateOrRequestSteps(
  phase: PhaseOf<"ExpectCertificateOrRequest">,
  message: HandshakeMessage,
  ctx: StepContext,
) {
  const decoded = yield* decodeMessage(message, ctx)
  if (decoded._tag === "Certificate") {
    return yield* onCertificate(Phase.ExpectCertificate({ keys: phase.keys, request: undefined }), message, ctx)
  }
  if (decoded._tag !== "CertificateRequest") return yield* unexpected(message, "ExpectCertificateOrRequest")
  if (decoded.requestContext.length !== 0) {
    return yield* abort(AlertDescription.illegal_parameter, "a handshake CertificateRequest with a request context")
  }
  if (!decoded.extensions.some((e) => e._tag === "SignatureAlgorithms")) {
    return yield* abort(AlertDescription.missing_extension, "the CertificateRequest has no signature_algorithms")
  }
  const keys = phase.keys
  return Phase.ExpectCertificate({
    keys: { ...keys, transcript: keys.transcript.add(message.raw) },
    request: decoded,
  })
}

/** The server Certificate step: the chain goes to the certificate verifier. @since 0.1.0 */
export const onCertificate = (
  phase: PhaseOf<"ExpectCertificate">,
  message: HandshakeMessage,
  ctx: StepContext,
): Effect.Effect<Phase, Fatal, TlsCrypto | CertificateVerifier> =>
  inlineGen(() => onCertificateSteps(phase, message, ctx))

/** The steps of `onCertificate` (a generator made once: see inline.ts on generator closures). */
function* onCertificateSteps(phase: PhaseOf<"ExpectCertificate">, message: HandshakeMessage, ctx: StepContext) {
  const decoded = yield* decodeMessage(message, ctx)
  if (decoded._tag !== "Certificate") return yield* unexpected(message, "ExpectCertificate")
  if (decoded.requestContext.length !== 0) {
    return yield* abort(AlertDescription.illegal_parameter, "the server's Certificate has a request context")
  }
  if (decoded.entries.length === 0) return yield* abort(AlertDescription.decode_error, "the server sent no certificate")
  const offered = new Set(phase.keys.offer.hello.extensions.map(extensionType))
  for (const entry of decoded.entries) yield* orAlert(checkOffered(entry.extensions, offered, "Certificate"))
  const chain = decoded.entries.map((entry) => entry.certData)
  const verifier = yield* CertificateVerifier
  const result = yield* verifier.verify({ chain, serverIdentity: ctx.config.serverIdentity })
  const keys = phase.keys
  return Phase.ExpectCertificateVerify({
    keys: { ...keys, transcript: keys.transcript.add(message.raw) },
    request: phase.request,
    chain,
    verified: result.verified,
  })
}

const serverContext = new TextEncoder().encode("TLS 1.3, server CertificateVerify")

/**
 * The content a TLS 1.3 CertificateVerify signs (RFC 8446 section 4.4.3): 64 spaces, the
 * context string, a zero byte, and the transcript hash.
 *
 * @since 0.1.0
 */
export const certificateVerifyContent = (context: Uint8Array, transcriptHash: Uint8Array): Uint8Array => {
  const out = new Uint8Array(64 + context.length + 1 + transcriptHash.length).fill(0x20, 0, 64)
  out.set(context, 64)
  out[64 + context.length] = 0
  out.set(transcriptHash, 65 + context.length)
  return out
}

/** The server CertificateVerify step. @since 0.1.0 */
export const onCertificateVerify = (
  phase: PhaseOf<"ExpectCertificateVerify">,
  message: HandshakeMessage,
  ctx: StepContext,
): Effect.Effect<Phase, Fatal, TlsCrypto> => inlineGen(() => onCertificateVerifySteps(phase, message, ctx))

/** The steps of `onCertificateVerify` (a generator made once: see inline.ts on generator closures). */
function* onCertificateVerifySteps(
  phase: PhaseOf<"ExpectCertificateVerify">,
  message: HandshakeMessage,
  ctx: StepContext,
) {
  const decoded = yield* decodeMessage(message, ctx)
  if (decoded._tag !== "CertificateVerify") return yield* unexpected(message, "ExpectCertificateVerify")
  const scheme = certificateVerifyScheme(decoded.algorithm)
  if (scheme === undefined || !ctx.config.signatureSchemes.includes(decoded.algorithm)) {
    return yield* abort(
      AlertDescription.illegal_parameter,
      `the server signed with ${nameOf(SignatureScheme, decoded.algorithm)}, which we did not offer`,
    )
  }
  const spki = yield* leafPublicKey(phase.chain[0]!)
  const key = parseSpki(spki)
  if (Either.isLeft(key)) return yield* abort(AlertDescription.bad_certificate, key.left.message)
  if (keyTypeOf(key.right) !== scheme.keyType) {
    return yield* abort(
      AlertDescription.illegal_parameter,
      `${nameOf(SignatureScheme, decoded.algorithm)} does not match the certificate's ${keyTypeOf(key.right)} key`,
    )
  }
  const crypto = yield* TlsCrypto
  const keys = phase.keys
  yield* inlineMapError(
    crypto.verify({
      spki,
      algorithm: scheme.algorithm,
      message: certificateVerifyContent(serverContext, keys.transcript.hash()),
      signature: decoded.signature,
    }),
    (error) =>
      alertSent(
        error._tag === "BadSignature" ? AlertDescription.decrypt_error : AlertDescription.bad_certificate,
        `CertificateVerify: ${error.message}`,
      ),
  )
  return Phase.ExpectFinished({
    keys: { ...keys, transcript: keys.transcript.add(message.raw) },
    request: phase.request,
    chain: phase.chain,
    verified: phase.verified,
    signatureScheme: decoded.algorithm,
  })
}
