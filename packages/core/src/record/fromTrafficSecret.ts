/**
 * Record protection straight from a traffic secret: derives the key and IV (RFC 8446
 * section 7.3), sets up the AEAD key, and makes the write or read side.
 *
 * @since 0.1.0
 */
import { type CryptoError, inlineGen, TlsCrypto } from "@effect-tls/crypto"
import type { Effect } from "effect"
import type { Tls13Suite } from "../crypto/suites.js"
import { trafficKeys } from "../keyschedule/keySchedule.js"
import { type ProtectionOptions, type ProtectorOptions, RecordProtector, RecordUnprotector } from "./protection.js"

/** The AEAD key and IV of a traffic secret (a generator made once: see inline.ts on generator closures). */
function* aeadFor(suite: Tls13Suite, secret: Uint8Array) {
  const crypto = yield* TlsCrypto
  const { key, iv } = yield* trafficKeys(suite, secret)
  const aead = yield* crypto.aeadKey(suite.aead, key)
  return { aead, iv }
}

/** The steps of `protectorFor`. */
function* protectorSteps(suite: Tls13Suite, secret: Uint8Array, options: ProtectorOptions | undefined) {
  const { aead, iv } = yield* aeadFor(suite, secret)
  return new RecordProtector(aead, iv, options)
}

/** The steps of `unprotectorFor`. */
function* unprotectorSteps(suite: Tls13Suite, secret: Uint8Array, options: ProtectionOptions | undefined) {
  const { aead, iv } = yield* aeadFor(suite, secret)
  return new RecordUnprotector(aead, iv, options)
}

/** The write side for our traffic secret. @since 0.1.0 */
export const protectorFor = (
  suite: Tls13Suite,
  secret: Uint8Array,
  options?: ProtectorOptions,
): Effect.Effect<RecordProtector, CryptoError, TlsCrypto> => inlineGen(() => protectorSteps(suite, secret, options))

/** The read side for the peer's traffic secret. @since 0.1.0 */
export const unprotectorFor = (
  suite: Tls13Suite,
  secret: Uint8Array,
  options?: ProtectionOptions,
): Effect.Effect<RecordUnprotector, CryptoError, TlsCrypto> => inlineGen(() => unprotectorSteps(suite, secret, options))
