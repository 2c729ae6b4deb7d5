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

const aeadFor = (suite: Tls13Suite, secret: Uint8Array) =>
  inlineGen(function* () {
    const crypto = yield* TlsCrypto
    const { key, iv } = yield* trafficKeys(suite, secret)
    const aead = yield* crypto.aeadKey(suite.aead, key)
    return { aead, iv }
  })

/** The write side for our traffic secret. @since 0.1.0 */
export const protectorFor = (
  suite: Tls13Suite,
  secret: Uint8Array,
  options?: ProtectorOptions,
): Effect.Effect<RecordProtector, CryptoError, TlsCrypto> =>
  inlineGen(function* () {
    const { aead, iv } = yield* aeadFor(suite, secret)
    return new RecordProtector(aead, iv, options)
  })

/** The read side for the peer's traffic secret. @since 0.1.0 */
export const unprotectorFor = (
  suite: Tls13Suite,
  secret: Uint8Array,
  options?: ProtectionOptions,
): Effect.Effect<RecordUnprotector, CryptoError, TlsCrypto> =>
  inlineGen(function* () {
    const { aead, iv } = yield* aeadFor(suite, secret)
    return new RecordUnprotector(aead, iv, options)
  })
