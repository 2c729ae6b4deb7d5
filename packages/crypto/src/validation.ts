/**
 * Argument checks every layer applies the same way before it calls its provider.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { InvalidLength } from "./errors.js"
import { type AeadAlgorithm, aeadKeyLength, type HashAlgorithm, hashLength } from "./TlsCrypto.js"

/** HKDF-Expand output is at most 255 hash lengths (RFC 5869 section 2.3). @since 0.1.0 */
export const checkHkdfLength = (algorithm: HashAlgorithm, length: number): Effect.Effect<void, InvalidLength> =>
  Number.isInteger(length) && length >= 0 && length <= 255 * hashLength(algorithm)
    ? Effect.void
    : Effect.fail(new InvalidLength({ detail: `HKDF-Expand length ${length} for ${algorithm}` }))

/** AEAD keys have the algorithm's exact length. @since 0.1.0 */
export const checkAeadKey = (algorithm: AeadAlgorithm, key: Uint8Array): Effect.Effect<void, InvalidLength> =>
  key.length === aeadKeyLength(algorithm)
    ? Effect.void
    : Effect.fail(new InvalidLength({ detail: `${algorithm} key of ${key.length} bytes` }))
