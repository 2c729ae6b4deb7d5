/**
 * Which signature algorithms a private key of each type can produce; shared by the layers.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { UnsupportedAlgorithm } from "./errors.js"
import type { SignatureAlgorithm, SigningKeyType } from "./TlsCrypto.js"

const fits = (type: SigningKeyType, algorithm: SignatureAlgorithm): boolean => {
  switch (algorithm._tag) {
    case "Ecdsa":
      return type === "ecdsa-secp256r1" || type === "ecdsa-secp384r1"
    case "Ed25519":
      return type === "ed25519"
    case "RsaPkcs1":
      return type === "rsa"
    case "RsaPss":
      return type === "rsa" || type === "rsa-pss"
  }
}

/** Fails with `UnsupportedAlgorithm` when a key of `type` cannot sign with `algorithm`. @since 0.1.0 */
export const checkSigningAlgorithm = (
  type: SigningKeyType,
  algorithm: SignatureAlgorithm,
): Effect.Effect<void, UnsupportedAlgorithm> =>
  fits(type, algorithm)
    ? Effect.void
    : Effect.fail(new UnsupportedAlgorithm({ detail: `a ${type} key cannot sign with ${algorithm._tag}` }))
