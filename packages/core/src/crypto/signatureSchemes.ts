/**
 * TLS 1.3 signature schemes (RFC 8446 section 4.2.3) as explicit crypto algorithms, with the
 * public-key type each one requires, for CertificateVerify in both directions.
 *
 * @since 0.1.0
 */
import type { SignatureAlgorithm, SigningKeyType } from "@effect-tls/crypto"
import type { PublicKeyInfo } from "@effect-tls/crypto/keys"
import { SignatureScheme } from "../wire/codes.js"

/** A scheme usable in a TLS 1.3 CertificateVerify. @since 0.1.0 */
export interface CertificateVerifyScheme {
  readonly code: number
  readonly algorithm: SignatureAlgorithm
  /** The key type that must sign with this scheme. */
  readonly keyType: SigningKeyType
}

const pss = (code: number, hash: "SHA-256" | "SHA-384" | "SHA-512", keyType: "rsa" | "rsa-pss") => ({
  code,
  algorithm: { _tag: "RsaPss", hash, saltLength: hash === "SHA-256" ? 32 : hash === "SHA-384" ? 48 : 64 } as const,
  keyType,
})

const schemes: ReadonlyArray<CertificateVerifyScheme> = [
  {
    code: SignatureScheme.ecdsa_secp256r1_sha256,
    algorithm: { _tag: "Ecdsa", hash: "SHA-256" },
    keyType: "ecdsa-secp256r1",
  },
  {
    code: SignatureScheme.ecdsa_secp384r1_sha384,
    algorithm: { _tag: "Ecdsa", hash: "SHA-384" },
    keyType: "ecdsa-secp384r1",
  },
  { code: SignatureScheme.ed25519, algorithm: { _tag: "Ed25519" }, keyType: "ed25519" },
  pss(SignatureScheme.rsa_pss_rsae_sha256, "SHA-256", "rsa"),
  pss(SignatureScheme.rsa_pss_rsae_sha384, "SHA-384", "rsa"),
  pss(SignatureScheme.rsa_pss_rsae_sha512, "SHA-512", "rsa"),
  pss(SignatureScheme.rsa_pss_pss_sha256, "SHA-256", "rsa-pss"),
  pss(SignatureScheme.rsa_pss_pss_sha384, "SHA-384", "rsa-pss"),
  pss(SignatureScheme.rsa_pss_pss_sha512, "SHA-512", "rsa-pss"),
]

const byCode: ReadonlyMap<number, CertificateVerifyScheme> = new Map(schemes.map((s) => [s.code, s]))

/**
 * The CertificateVerify scheme for `code`, or undefined for schemes TLS 1.3 forbids there
 * (RSA PKCS#1, SHA-1) or that we do not implement.
 *
 * @since 0.1.0
 */
export const certificateVerifyScheme = (code: number): CertificateVerifyScheme | undefined => byCode.get(code)

/** The signing-key type of a public key, as far as TLS 1.3 schemes tell them apart. @since 0.1.0 */
export const keyTypeOf = (key: PublicKeyInfo): SigningKeyType => {
  switch (key._tag) {
    case "Ec":
      return key.curve === "secp256r1" ? "ecdsa-secp256r1" : "ecdsa-secp384r1"
    case "Ed25519":
      return "ed25519"
    case "Rsa":
      return key.pss === undefined ? "rsa" : "rsa-pss"
  }
}

/**
 * The first of `offered` (the peer's preference order) that a key of `type` can sign
 * with, or undefined.
 *
 * @since 0.1.0
 */
export const chooseScheme = (
  type: SigningKeyType,
  offered: ReadonlyArray<number>,
): CertificateVerifyScheme | undefined => {
  for (const code of offered) {
    const scheme = byCode.get(code)
    if (scheme?.keyType === type) return scheme
  }
  return undefined
}
