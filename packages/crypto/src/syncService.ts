/**
 * Builds a `TlsCrypto` service from synchronous primitives (noble and node:crypto are both
 * synchronous): argument checks and Effect wrapping live here once.
 *
 * @since 0.1.0
 */
import type { Effect } from "effect"
import type { CryptoError } from "./errors.js"
import { inlineSync } from "./inline.js"
import type { RandomSource } from "./random.js"
import type {
  AeadAlgorithm,
  AeadKey,
  HashAlgorithm,
  KeyAgreementGroup,
  KeyShare,
  SigningKey,
  TlsCryptoService,
  VerifyRequest,
} from "./TlsCrypto.js"
import { aeadKeyError, hkdfLengthError, unlessInvalid } from "./validation.js"

/** What a synchronous provider supplies. @since 0.1.0 */
export interface SyncPrimitives extends Pick<TlsCryptoService, "name" | "hasher" | "digest"> {
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array
  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array
  /** Called with a length already checked. */
  hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array
  /** Called with a key length already checked. */
  aeadKey(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey
  keyShare(random: RandomSource, group: KeyAgreementGroup): KeyShare
  verify(request: VerifyRequest): Effect.Effect<void, CryptoError>
  importSigningKey(pkcs8: Uint8Array): Effect.Effect<SigningKey, CryptoError>
}

/** The service over synchronous primitives and a random source. @since 0.1.0 */
export const makeSyncService = (primitives: SyncPrimitives, random: RandomSource): TlsCryptoService => ({
  name: primitives.name,
  randomBytes: (length, purpose) => inlineSync(() => random(length, purpose)),
  hasher: primitives.hasher,
  digest: primitives.digest,
  hmac: (algorithm, key, data) => inlineSync(() => primitives.hmac(algorithm, key, data)),
  hkdfExtract: (algorithm, salt, ikm) => inlineSync(() => primitives.hkdfExtract(algorithm, salt, ikm)),
  hkdfExpand: (algorithm, prk, info, length) =>
    unlessInvalid(
      hkdfLengthError(algorithm, length),
      inlineSync(() => primitives.hkdfExpand(algorithm, prk, info, length)),
    ),
  aeadKey: (algorithm, key) =>
    unlessInvalid(
      aeadKeyError(algorithm, key),
      inlineSync(() => primitives.aeadKey(algorithm, key)),
    ),
  generateKeyShare: (group) => inlineSync(() => primitives.keyShare(random, group)),
  verify: primitives.verify,
  importSigningKey: primitives.importSigningKey,
})
