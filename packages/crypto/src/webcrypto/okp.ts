/**
 * X25519 and Ed25519 private keys into WebCrypto: imported as PKCS#8 `OneAsymmetricKey`
 * (RFC 8410 section 7, built from the 32-byte key), with the public key read back from the
 * key's JWK export (RFC 8037), so the platform does the scalar multiplication.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { derInteger, derOctetString, derOid, derSequence } from "../der.js"
import { Oid } from "../oids.js"
import { fromBase64Url } from "./base64url.js"
import { type Subtle, type SubtleKey, SubtleRefused, subtleCall } from "./subtle.js"

/** id-X25519 (RFC 8410 section 3). */
const x25519Oid = "1.3.101.110"

/** An imported private key and its public key. @since 0.1.0 */
export interface OkpKeyPair {
  readonly privateKey: SubtleKey
  readonly publicKey: Uint8Array
}

/**
 * Imports a 32-byte X25519 private key or Ed25519 seed for `usage`.
 *
 * @since 0.1.0
 */
export const importOkpPrivateKey = (
  subtle: Subtle,
  name: "X25519" | "Ed25519",
  secret: Uint8Array,
  usage: "deriveBits" | "sign",
): Effect.Effect<OkpKeyPair, SubtleRefused> => Effect.gen(() => importOkpPrivateKeySteps(subtle, name, secret, usage))

/** The steps of `importOkpPrivateKey` (a generator made once: see inline.ts on generator closures). */
function* importOkpPrivateKeySteps(
  subtle: Subtle,
  name: "X25519" | "Ed25519",
  secret: Uint8Array,
  usage: "deriveBits" | "sign",
) {
  const oid = name === "X25519" ? x25519Oid : Oid.ed25519
  const pkcs8 = derSequence(derInteger(0n), derSequence(derOid(oid)), derOctetString(derOctetString(secret)))
  const privateKey = yield* subtleCall(() => subtle.importKey("pkcs8", pkcs8, { name }, true, [usage]))
  const jwk = yield* subtleCall(() => subtle.exportKey("jwk", privateKey))
  const publicKey = yield* Effect.try({
    try: () => fromBase64Url(jwk.x ?? ""),
    catch: (cause) => new SubtleRefused({ cause }),
  })
  return publicKey.length === 32
    ? { privateKey, publicKey }
    : yield* new SubtleRefused({ cause: `${name} JWK with an x of ${publicKey.length} bytes` })
}
