/**
 * The object identifiers of key algorithms, curves and hashes that the key codecs and
 * RSA verification recognise, in dotted form.
 *
 * @since 0.1.0
 */
import type { SignatureHash } from "./TlsCrypto.js"

/** Key algorithm and curve identifiers. @since 0.1.0 */
export const Oid = {
  /** id-ecPublicKey (RFC 5480). */
  ecPublicKey: "1.2.840.10045.2.1",
  /** prime256v1 / secp256r1 (RFC 5480). */
  secp256r1: "1.2.840.10045.3.1.7",
  /** secp384r1 (RFC 5480). */
  secp384r1: "1.3.132.0.34",
  /** id-Ed25519 (RFC 8410). */
  ed25519: "1.3.101.112",
  /** rsaEncryption (RFC 8017 appendix C). */
  rsaEncryption: "1.2.840.113549.1.1.1",
  /** id-RSASSA-PSS (RFC 8017 appendix C, RFC 4055). */
  rsassaPss: "1.2.840.113549.1.1.10",
  /** id-mgf1 (RFC 8017 appendix C). */
  mgf1: "1.2.840.113549.1.1.8",
} as const

/** The identifier of each signature hash (RFC 8017 appendix C, RFC 5754). @since 0.1.0 */
export const hashOid: Readonly<Record<SignatureHash, string>> = {
  "SHA-1": "1.3.14.3.2.26",
  "SHA-256": "2.16.840.1.101.3.4.2.1",
  "SHA-384": "2.16.840.1.101.3.4.2.2",
  "SHA-512": "2.16.840.1.101.3.4.2.3",
}

/** The signature hash with identifier `oid`, if it is one we know. @since 0.1.0 */
export const hashFromOid = (oid: string): SignatureHash | undefined => {
  for (const hash of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"] as const) if (hashOid[hash] === oid) return hash
  return undefined
}
