/**
 * The SubjectPublicKeyInfo of the server's leaf certificate, which CertificateVerify is
 * checked with, independently of whether the chain is verified (insecure mode still checks
 * that the server holds the leaf's key).
 *
 * @since 0.1.0
 */
import { Effect, Either } from "effect"
import { alertSent, type Fatal } from "../errors.js"
import { AlertDescription } from "../wire/codes.js"
import { parseCertificate } from "../x509/certificate.js"

/** The leaf's SPKI, or bad_certificate when the leaf does not parse. @since 0.1.0 */
export const leafPublicKey = (certificate: Uint8Array): Effect.Effect<Uint8Array, Fatal> => {
  const parsed = parseCertificate(certificate)
  return Either.isRight(parsed)
    ? Effect.succeed(parsed.right.spki)
    : Effect.fail(alertSent(AlertDescription.bad_certificate, parsed.left.message))
}
