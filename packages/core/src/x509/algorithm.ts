/**
 * A certificate's signature `AlgorithmIdentifier` and its meaning for `TlsCrypto.verify`:
 * RSA PKCS#1 v1.5 (RFC 4055 section 5), RSASSA-PSS with its parameters (RFC 4055
 * section 3.1), ECDSA (RFC 5758 section 3.2) and Ed25519 (RFC 8410 section 3).
 *
 * @since 0.1.0
 */
import type { SignatureAlgorithm, SignatureHash } from "@effect-tls/crypto"
import { DerError, DerReader, DerTag } from "@effect-tls/crypto/der"
import { HashOid, SignatureOid } from "./oids.js"

/** A decoded signature algorithm. @since 0.1.0 */
export interface CertificateSignatureAlgorithm {
  readonly oid: string
  /** The `AlgorithmIdentifier` as encoded. */
  readonly der: Uint8Array
  /** What to verify with, or `"UnsupportedAlgorithm"` for algorithms and parameters we do not implement. */
  readonly algorithm: SignatureAlgorithm | "UnsupportedAlgorithm"
}

const fail = (detail: string): never => {
  throw new DerError({ detail })
}

const hashes: Readonly<Record<string, SignatureHash>> = {
  [HashOid.sha1]: "SHA-1",
  [HashOid.sha256]: "SHA-256",
  [HashOid.sha384]: "SHA-384",
  [HashOid.sha512]: "SHA-512",
}

const pkcs1: Readonly<Record<string, SignatureHash>> = {
  [SignatureOid.sha1WithRsa]: "SHA-1",
  [SignatureOid.sha256WithRsa]: "SHA-256",
  [SignatureOid.sha384WithRsa]: "SHA-384",
  [SignatureOid.sha512WithRsa]: "SHA-512",
}

const ecdsa: Readonly<Record<string, SignatureHash>> = {
  [SignatureOid.ecdsaWithSha1]: "SHA-1",
  [SignatureOid.ecdsaWithSha256]: "SHA-256",
  [SignatureOid.ecdsaWithSha384]: "SHA-384",
  [SignatureOid.ecdsaWithSha512]: "SHA-512",
}

/** A hash `AlgorithmIdentifier` (parameters NULL or absent), or `null` for an unknown hash. */
const readHash = (reader: DerReader): SignatureHash | null => {
  const algorithm = reader.sequence()
  const hash = hashes[algorithm.oid()] ?? null
  if (!algorithm.atEnd()) algorithm.null()
  algorithm.end()
  return hash
}

/** An optional `[n] EXPLICIT` field of RSASSA-PSS-params. */
const field = <A>(params: DerReader, n: number, read: (reader: DerReader) => A): A | undefined => {
  const explicit = params.optionalExplicit(n)
  if (explicit === undefined) return undefined
  const value = read(explicit)
  explicit.end()
  return value
}

/**
 * `RSASSA-PSS-params`, with the defaults of RFC 4055 (SHA-1, MGF1 with SHA-1, salt 20).
 * MGF1 must use the signature's hash and the trailer field must be 1.
 */
const readPssParams = (params: DerReader): SignatureAlgorithm | "UnsupportedAlgorithm" => {
  const hash = field(params, 0, readHash)
  const mgfHash = field(params, 1, (reader) => {
    const mgf = reader.sequence()
    if (mgf.oid() !== HashOid.mgf1) {
      while (!mgf.atEnd()) mgf.element()
      return null
    }
    const inner = readHash(mgf)
    mgf.end()
    return inner
  })
  const saltLength = field(params, 2, (reader) => reader.smallInteger(4096))
  const trailer = field(params, 3, (reader) => reader.smallInteger())
  params.end()
  if (trailer !== undefined && trailer !== 1) fail(`RSA-PSS trailer field ${trailer}`)
  const messageHash = hash === undefined ? "SHA-1" : hash
  const maskHash = mgfHash === undefined ? "SHA-1" : mgfHash
  if (messageHash === null || maskHash !== messageHash) return "UnsupportedAlgorithm"
  return { _tag: "RsaPss", hash: messageHash, saltLength: saltLength ?? 20 }
}

/**
 * Reads the next signature `AlgorithmIdentifier`. Parameters of known algorithms must be
 * as their RFCs say (PKCS#1: NULL or absent; RSASSA-PSS: present; ECDSA and Ed25519:
 * absent), otherwise this throws `DerError`; unknown algorithms are kept as unsupported.
 *
 * @since 0.1.0
 */
export const readSignatureAlgorithm = (reader: DerReader): CertificateSignatureAlgorithm => {
  const element = reader.element(DerTag.Sequence)
  const identifier = new DerReader(element.value)
  const oid = identifier.oid()
  let algorithm: SignatureAlgorithm | "UnsupportedAlgorithm"
  const rsaHash = pkcs1[oid]
  const ecdsaHash = ecdsa[oid]
  if (rsaHash !== undefined) {
    if (!identifier.atEnd()) identifier.null()
    algorithm = { _tag: "RsaPkcs1", hash: rsaHash }
  } else if (ecdsaHash !== undefined) {
    algorithm = { _tag: "Ecdsa", hash: ecdsaHash }
  } else if (oid === SignatureOid.ed25519) {
    algorithm = { _tag: "Ed25519" }
  } else if (oid === SignatureOid.rsassaPss) {
    algorithm = readPssParams(identifier.sequence())
  } else {
    // Unknown algorithm: its parameters, whatever they are, are not interpreted.
    while (!identifier.atEnd()) identifier.element()
    algorithm = "UnsupportedAlgorithm"
  }
  identifier.end()
  return { oid, der: element.raw, algorithm }
}
