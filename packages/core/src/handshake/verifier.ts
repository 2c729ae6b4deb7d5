/**
 * The certificate-verifier service the state machine calls with the server's chain. The
 * real verifier (path building to trust anchors, RFC 5280 checks, hostname matching) lives
 * in `x509/`; `InsecureAcceptAnyCertificate` turns verification off and says so loudly.
 *
 * @since 0.1.0
 */
import type { TlsCrypto } from "@effect-tls/crypto"
import { Context, Effect, Layer } from "effect"
import type { Fatal } from "../errors.js"

/** What the verifier is asked. @since 0.1.0 */
export interface VerificationRequest {
  /** The server's certificates as sent, leaf first (DER). */
  readonly chain: ReadonlyArray<Uint8Array>
  /** The name or IP literal the client connected to, or undefined if none was given. */
  readonly serverIdentity: string | undefined
}

/** The verifier's answer. @since 0.1.0 */
export interface VerificationResult {
  /** False when verification was skipped on purpose (insecure mode). */
  readonly verified: boolean
}

/** The certificate-verifier service. @since 0.1.0 */
export interface CertificateVerifierService {
  readonly verify: (request: VerificationRequest) => Effect.Effect<VerificationResult, Fatal, TlsCrypto>
}

/**
 * The certificate-verifier service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class CertificateVerifier extends Context.Tag("@effect-tls/core/CertificateVerifier")<
  CertificateVerifier,
  CertificateVerifierService
>() {}

/**
 * INSECURE: the service behind `InsecureAcceptAnyCertificate` (accepts any chain, logs a
 * warning on every handshake), for callers that provide it per connection.
 *
 * @since 0.1.0
 */
export const insecureAcceptAnyCertificate: CertificateVerifierService = {
  verify: () =>
    Effect.as(
      Effect.logWarning(
        "effect-tls: certificate verification is DISABLED (insecure mode); the server is not authenticated",
      ),
      { verified: false },
    ),
}

/**
 * INSECURE: accepts any certificate chain without checking it, and logs a warning on
 * every handshake. The peer is NOT authenticated: anyone on the path can impersonate it.
 * For tests and for explicitly requested `insecure` mode only.
 *
 * @since 0.1.0
 * @category layers
 */
export const InsecureAcceptAnyCertificate: Layer.Layer<CertificateVerifier> = Layer.succeed(
  CertificateVerifier,
  insecureAcceptAnyCertificate,
)
