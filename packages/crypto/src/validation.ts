/**
 * Argument checks every layer applies the same way before it calls its provider.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { InvalidLength } from "./errors.js"
import { type AeadAlgorithm, aeadKeyLength, type HashAlgorithm, hashLength } from "./TlsCrypto.js"

/** HKDF-Expand output is at most 255 hash lengths (RFC 5869 section 2.3). @since 0.1.0 */
export const hkdfLengthError = (algorithm: HashAlgorithm, length: number): InvalidLength | undefined =>
  Number.isInteger(length) && length >= 0 && length <= 255 * hashLength(algorithm)
    ? undefined
    : new InvalidLength({ detail: `HKDF-Expand length ${length} for ${algorithm}` })

/** AEAD keys have the algorithm's exact length. @since 0.1.0 */
export const aeadKeyError = (algorithm: AeadAlgorithm, key: Uint8Array): InvalidLength | undefined =>
  key.length === aeadKeyLength(algorithm)
    ? undefined
    : new InvalidLength({ detail: `${algorithm} key of ${key.length} bytes` })

/**
 * `effect` when `error` is undefined, else the failure: the checks above cost no Effect step
 * of their own on the way to a valid call.
 *
 * @since 0.1.0
 */
export const unlessInvalid = <A, E, R>(error: InvalidLength | undefined, effect: Effect.Effect<A, E, R>) =>
  error === undefined ? effect : Effect.fail(error)
