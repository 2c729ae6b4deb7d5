/**
 * The X.509 certificate model (RFC 5280 section 4.1) and its strict DER parser. Parsing
 * checks structure only (every field well-formed, the two signature algorithm fields
 * identical, known extensions decodable); whether a certificate may be used is decided
 * during verification.
 *
 * @since 0.1.0
 */
import { contextTag, DerError, DerReader, DerTag, decodeDer } from "@effect-tls/crypto/der"
import { Data, Either } from "effect"
import { type CertificateSignatureAlgorithm, readSignatureAlgorithm } from "./algorithm.js"
import { type CertificateExtensions, noExtensions, readExtensions } from "./extensions.js"
import { equalBytes } from "./hex.js"
import { type DistinguishedName, readName } from "./name.js"
import { readTime } from "./time.js"

/** A parsed certificate. Byte fields are views into `der`. @since 0.1.0 */
export interface Certificate {
  /** The whole certificate as encoded. */
  readonly der: Uint8Array
  /** The TBSCertificate as encoded: the bytes the issuer signed. */
  readonly tbs: Uint8Array
  /** 1, 2 or 3. */
  readonly version: 1 | 2 | 3
  /** The serialNumber INTEGER's contents (two's complement, as encoded). */
  readonly serial: Uint8Array
  readonly signatureAlgorithm: CertificateSignatureAlgorithm
  /** The signatureValue BIT STRING's bytes. */
  readonly signature: Uint8Array
  readonly issuer: DistinguishedName
  readonly subject: DistinguishedName
  readonly notBefore: Date
  readonly notAfter: Date
  /** The SubjectPublicKeyInfo as encoded. */
  readonly spki: Uint8Array
  readonly extensions: CertificateExtensions
}

/** Bytes that are not a well-formed certificate. @since 0.1.0 */
export class CertificateParseError extends Data.TaggedError("CertificateParseError")<{ readonly detail: string }> {
  override get message(): string {
    return `malformed certificate: ${this.detail}`
  }
}

const fail = (detail: string): never => {
  throw new DerError({ detail })
}

const readCertificate = (reader: DerReader, der: Uint8Array): Certificate => {
  const certificate = reader.sequence()
  const tbsElement = certificate.element(DerTag.Sequence)
  const signatureAlgorithm = readSignatureAlgorithm(certificate)
  const signature = certificate.bitStringBytes()
  certificate.end()

  const tbs = new DerReader(tbsElement.value)
  const versionField = tbs.optionalExplicit(0)
  let version: 1 | 2 | 3 = 1
  if (versionField !== undefined) {
    const value = versionField.smallInteger(2)
    versionField.end()
    version = (value + 1) as 1 | 2 | 3
  }
  const serial = tbs.integerBytes()
  const innerAlgorithm = readSignatureAlgorithm(tbs)
  if (!equalBytes(innerAlgorithm.der, signatureAlgorithm.der)) {
    fail("signatureAlgorithm differs from the TBSCertificate's signature field")
  }
  const issuer = readName(tbs)
  const validity = tbs.sequence()
  const notBefore = readTime(validity)
  const notAfter = readTime(validity)
  validity.end()
  const subject = readName(tbs)
  const spki = tbs.element(DerTag.Sequence).raw
  if (version === 1 && !tbs.atEnd()) fail("fields after the SubjectPublicKeyInfo of a v1 certificate")
  tbs.optional(contextTag(1, false), (r) => r.element())
  tbs.optional(contextTag(2, false), (r) => r.element())
  let extensions = noExtensions
  const extensionsField = tbs.optionalExplicit(3)
  if (extensionsField !== undefined) {
    if (version !== 3) fail(`extensions in a v${version} certificate`)
    extensions = readExtensions(extensionsField.sequence())
    extensionsField.end()
  }
  tbs.end()
  return {
    der,
    tbs: tbsElement.raw,
    version,
    serial,
    signatureAlgorithm,
    signature,
    issuer,
    subject,
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
    spki,
    extensions,
  }
}

/**
 * Parses a DER certificate. Never throws: anything that is not a well-formed certificate
 * ends in `CertificateParseError`.
 *
 * @since 0.1.0
 */
export const parseCertificate = (der: Uint8Array): Either.Either<Certificate, CertificateParseError> =>
  Either.mapLeft(
    decodeDer(der, (reader) => readCertificate(reader, der)),
    (error) => new CertificateParseError({ detail: error.detail }),
  )

/** True when issuer and subject are the same name (RFC 5280 section 6.1: "self-issued"). @since 0.1.0 */
export const isSelfIssued = (certificate: Certificate): boolean =>
  equalBytes(certificate.issuer.der, certificate.subject.der)
