/**
 * WebCrypto's names and parameters for our signature algorithms, shared by verification
 * and signing. ECDSA output is IEEE P1363 r||s in WebCrypto, DER in TLS (converted by the
 * callers); RSA keys have their hash bound at import time.
 *
 * @since 0.1.0
 */
import type { SignatureAlgorithm, SignatureHash } from "../TlsCrypto.js"

/** The `algorithm` argument of `subtle.sign` and `subtle.verify`. @since 0.1.0 */
export const signatureParams = (algorithm: SignatureAlgorithm) => {
  switch (algorithm._tag) {
    case "Ecdsa":
      return { name: "ECDSA", hash: algorithm.hash }
    case "Ed25519":
      return { name: "Ed25519" }
    case "RsaPkcs1":
      return { name: "RSASSA-PKCS1-v1_5" }
    case "RsaPss":
      return { name: "RSA-PSS", saltLength: algorithm.saltLength }
  }
}

/** The `algorithm` argument of `subtle.importKey` for an RSA key used with `algorithm`. @since 0.1.0 */
export const rsaImportParams = (algorithm: { readonly _tag: "RsaPkcs1" | "RsaPss"; readonly hash: SignatureHash }) => ({
  name: algorithm._tag === "RsaPkcs1" ? "RSASSA-PKCS1-v1_5" : "RSA-PSS",
  hash: algorithm.hash,
})

/** WebCrypto's name of a NIST curve. @since 0.1.0 */
export const namedCurve = (curve: "secp256r1" | "secp384r1"): "P-256" | "P-384" =>
  curve === "secp256r1" ? "P-256" : "P-384"
