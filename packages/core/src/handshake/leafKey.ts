/**
 * The SubjectPublicKeyInfo of the server's leaf certificate, which CertificateVerify is
 * checked with. Read with the strict DER reader, independently of whether the chain is
 * verified (insecure mode still checks that the server holds the leaf's key).
 *
 * @since 0.1.0
 */
import { DerTag, decodeDer } from "@effect-tls/crypto/der"
import { Effect, Either } from "effect"
import { alertSent, type Fatal } from "../errors.js"
import { AlertDescription } from "../wire/codes.js"

/**
 * Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serial,
 * signature, issuer, validity, subject, subjectPublicKeyInfo, ... }, ... } (RFC 5280 4.1).
 *
 * @since 0.1.0
 */
export const leafPublicKey = (certificate: Uint8Array): Effect.Effect<Uint8Array, Fatal> => {
  const result = decodeDer(certificate, (reader) => {
    const outer = reader.sequence()
    const tbs = outer.sequence()
    tbs.optionalExplicit(0)
    tbs.element(DerTag.Integer)
    tbs.element(DerTag.Sequence)
    tbs.element(DerTag.Sequence)
    tbs.element(DerTag.Sequence)
    tbs.element(DerTag.Sequence)
    const spki = tbs.element(DerTag.Sequence).raw
    while (!outer.atEnd()) outer.element()
    return spki
  })
  return Either.isRight(result)
    ? Effect.succeed(result.right)
    : Effect.fail(alertSent(AlertDescription.bad_certificate, `malformed leaf certificate: ${result.left.detail}`))
}
