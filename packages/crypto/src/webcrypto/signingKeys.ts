/**
 * Signing keys for the WebCrypto layer, imported from PKCS#8 after the shared strict
 * decoding (keys.ts): ECDSA P-256/P-384 (imported as a JWK, see ecKey.ts), Ed25519 (PKCS#8, noble where `subtle` lacks Ed25519) and RSA with an
 * rsaEncryption key (PKCS#1 v1.5 and PSS; WebCrypto binds the hash to the key, so one
 * import per scheme and hash, made on first use).
 *
 * @since 0.1.0
 */
import { Effect, Either } from "effect"
import { derBitString, derInteger, derNull, derOid, derSequence } from "../der.js"
import { type CryptoError, MalformedKey, UnsupportedAlgorithm } from "../errors.js"
import { type EcPrivateKeyInfo, ecdsaSignatureToDer, encodeSpki, parsePkcs8, type RsaPrivateKeyInfo } from "../keys.js"
import { nobleImportSigningKey } from "../noble/signatures.js"
import { Oid } from "../oids.js"
import { checkSigningAlgorithm } from "../signingAlgorithm.js"
import type { SignatureAlgorithm, SigningKey, SigningKeyType } from "../TlsCrypto.js"
import { ecPrivateJwk, nobleCurve } from "./ecKey.js"
import { importOkpPrivateKey } from "./okp.js"
import { namedCurve, rsaImportParams, signatureParams } from "./params.js"
import { type Subtle, type SubtleKey, type SubtleRefused, subtleBytes, subtleCall } from "./subtle.js"

const refused = (cause: SubtleRefused) =>
  new UnsupportedAlgorithm({ detail: `WebCrypto refused to sign: ${String(cause.cause)}` })

/** A `SigningKey` whose `sign` checks the algorithm against the key type, then runs `sign` on `subtle`. */
const signingKey = (
  type: SigningKeyType,
  publicKey: Uint8Array,
  sign: (algorithm: SignatureAlgorithm, message: Uint8Array) => Effect.Effect<Uint8Array, SubtleRefused>,
): SigningKey => ({
  type,
  publicKey,
  sign: (algorithm, message) =>
    Effect.zipRight(checkSigningAlgorithm(type, algorithm), Effect.mapError(sign(algorithm, message), refused)),
})

const ecdsaKey = (subtle: Subtle, info: EcPrivateKeyInfo): Effect.Effect<SigningKey, SubtleRefused> => {
  const { jwk, point } = ecPrivateJwk(info.curve, info.scalar)
  const algorithm = { name: "ECDSA", namedCurve: namedCurve(info.curve) }
  return Effect.map(
    subtleCall(() => subtle.importKey("jwk", jwk, algorithm, false, ["sign"])),
    (key) =>
      signingKey(
        info.curve === "secp256r1" ? "ecdsa-secp256r1" : "ecdsa-secp384r1",
        encodeSpki({ _tag: "Ec", curve: info.curve, point }),
        (signatureAlgorithm, message) =>
          Effect.map(
            subtleBytes(() => subtle.sign(signatureParams(signatureAlgorithm), key, message)),
            ecdsaSignatureToDer,
          ),
      ),
  )
}

const ed25519Key = (subtle: Subtle, seed: Uint8Array): Effect.Effect<SigningKey, SubtleRefused> =>
  Effect.map(importOkpPrivateKey(subtle, "Ed25519", seed, "sign"), ({ privateKey, publicKey }) =>
    signingKey("ed25519", encodeSpki({ _tag: "Ed25519", key: publicKey }), (algorithm, message) =>
      subtleBytes(() => subtle.sign(signatureParams(algorithm), privateKey, message)),
    ),
  )

/** The rsaEncryption SubjectPublicKeyInfo (RFC 8017 appendix A.1.1, RFC 3279 section 2.3.1). */
const rsaSpki = (info: RsaPrivateKeyInfo): Uint8Array =>
  derSequence(
    derSequence(derOid(Oid.rsaEncryption), derNull()),
    derBitString(derSequence(derInteger(info.modulus), derInteger(info.exponent))),
  )

type RsaAlgorithm = Extract<SignatureAlgorithm, { _tag: "RsaPkcs1" | "RsaPss" }>

const rsaKey = (subtle: Subtle, info: RsaPrivateKeyInfo): Effect.Effect<SigningKey, CryptoError> => {
  if (info.pss !== undefined) {
    return Effect.fail(
      new UnsupportedAlgorithm({ detail: "WebCrypto imports rsaEncryption keys only, not RSA-PSS keys" }),
    )
  }
  const imported = new Map<string, SubtleKey>()
  const keyFor = (algorithm: RsaAlgorithm) => {
    const params = rsaImportParams(algorithm)
    const id = `${params.name}/${params.hash}`
    const known = imported.get(id)
    return known !== undefined
      ? Effect.succeed(known)
      : Effect.tap(
          subtleCall(() => subtle.importKey("pkcs8", info.der, params, false, ["sign"])),
          (key) => imported.set(id, key),
        )
  }
  // checkSigningAlgorithm lets only RsaPkcs1 and RsaPss through to an "rsa" key.
  const key = signingKey("rsa", rsaSpki(info), (algorithm, message) =>
    Effect.flatMap(keyFor(algorithm as RsaAlgorithm), (rsa) =>
      subtleBytes(() => subtle.sign(signatureParams(algorithm), rsa, message)),
    ),
  )
  // One import now, so that a key `subtle` refuses fails here rather than at the first signature.
  return Effect.as(
    Effect.mapError(
      keyFor({ _tag: "RsaPss", hash: "SHA-256", saltLength: 32 }),
      (cause) => new UnsupportedAlgorithm({ detail: `WebCrypto refused the RSA key: ${String(cause.cause)}` }),
    ),
    key,
  )
}

/**
 * Imports a PKCS#8 private key for signing: ECDSA P-256/P-384, Ed25519, and RSA with an
 * rsaEncryption key (RSA-PSS-only keys are refused with `UnsupportedAlgorithm`: WebCrypto
 * cannot import them). Where `subtle` refuses an EC or Ed25519 key, noble signs.
 *
 * @since 0.1.0
 */
export const webImportSigningKey =
  (subtle: Subtle) =>
  (pkcs8: Uint8Array): Effect.Effect<SigningKey, CryptoError> =>
    Effect.suspend(() =>
      Either.match(parsePkcs8(pkcs8), {
        onLeft: Effect.fail,
        onRight: (info): Effect.Effect<SigningKey, CryptoError> => {
          const noble = () => nobleImportSigningKey(pkcs8)
          switch (info._tag) {
            case "Ec":
              return nobleCurve(info.curve).utils.isValidSecretKey(info.scalar)
                ? Effect.catchAll(ecdsaKey(subtle, info), noble)
                : Effect.fail(new MalformedKey({ detail: "EC private key out of range" }))
            case "Ed25519":
              return Effect.catchAll(ed25519Key(subtle, info.seed), noble)
            case "Rsa":
              return rsaKey(subtle, info)
          }
        },
      }),
    )
