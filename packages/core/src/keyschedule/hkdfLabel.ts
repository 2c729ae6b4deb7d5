/**
 * HKDF-Expand-Label and Derive-Secret (RFC 8446 section 7.1), the two derivations every
 * TLS 1.3 secret, key and IV is made with.
 *
 * @since 0.1.0
 */
import {
  type CryptoError,
  type HashAlgorithm,
  hashLength,
  InvalidLength,
  inlineGen,
  TlsCrypto,
} from "@effect-tls/crypto"
import { Effect, Either } from "effect"

const labelPrefix = "tls13 "
const encoder = new TextEncoder()

/**
 * The `HkdfLabel` structure: uint16 length, opaque label<7..255> = "tls13 " + label,
 * opaque context<0..255>. Fails with `InvalidLength` when a field does not fit.
 *
 * @since 0.1.0
 */
export const hkdfLabel = (
  label: string,
  context: Uint8Array,
  length: number,
): Either.Either<Uint8Array, InvalidLength> => {
  const fullLabel = encoder.encode(labelPrefix + label)
  if (fullLabel.length < 7 || fullLabel.length > 255) {
    return Either.left(new InvalidLength({ detail: `HKDF label of ${fullLabel.length} bytes (7..255 with "tls13 ")` }))
  }
  if (context.length > 255) return Either.left(new InvalidLength({ detail: "HKDF label context exceeds 255 bytes" }))
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) {
    return Either.left(new InvalidLength({ detail: `HKDF-Expand-Label length ${length}` }))
  }
  const info = new Uint8Array(2 + 1 + fullLabel.length + 1 + context.length)
  info[0] = length >>> 8
  info[1] = length & 0xff
  info[2] = fullLabel.length
  info.set(fullLabel, 3)
  info[3 + fullLabel.length] = context.length
  info.set(context, 4 + fullLabel.length)
  return Either.right(info)
}

/**
 * HKDF-Expand-Label(secret, label, context, length) = HKDF-Expand(secret, HkdfLabel, length).
 *
 * @since 0.1.0
 */
export const expandLabel = (
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Effect.Effect<Uint8Array, CryptoError, TlsCrypto> =>
  inlineGen(() => expandLabelSteps(hash, secret, label, context, length))

/** The steps of `expandLabel` (a generator made once: see inline.ts on generator closures). */
function* expandLabelSteps(
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
) {
  const crypto = yield* TlsCrypto
  const info = hkdfLabel(label, context, length)
  return Either.isRight(info)
    ? yield* crypto.hkdfExpand(hash, secret, info.right, length)
    : yield* Effect.fail(info.left)
}

/**
 * Derive-Secret(secret, label, messages) = HKDF-Expand-Label(secret, label,
 * Transcript-Hash(messages), Hash.length). Takes the transcript hash itself, as the caller
 * already keeps a running one.
 *
 * @since 0.1.0
 */
export const deriveSecret = (
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Effect.Effect<Uint8Array, CryptoError, TlsCrypto> =>
  expandLabel(hash, secret, label, transcriptHash, hashLength(hash))

/**
 * Derive-Secret over no messages: the transcript hash is Hash("").
 *
 * @since 0.1.0
 */
export const deriveSecretFromEmpty = (
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
): Effect.Effect<Uint8Array, CryptoError, TlsCrypto> => inlineGen(() => deriveSecretFromEmptySteps(hash, secret, label))

/** The steps of `deriveSecretFromEmpty`. */
function* deriveSecretFromEmptySteps(hash: HashAlgorithm, secret: Uint8Array, label: string) {
  const crypto = yield* TlsCrypto
  return yield* deriveSecret(hash, secret, label, crypto.digest(hash, new Uint8Array(0)))
}
