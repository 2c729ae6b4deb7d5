/**
 * A deterministic `RandomSource` for tests: each draw is answered by its purpose, from a
 * script when the script names that purpose (first draw only), otherwise from a stream
 * derived from a seed and the purpose. Draws for different purposes never affect each other.
 *
 * @since 0.1.0
 */
import { sha256 } from "@noble/hashes/sha2.js"
import type { RandomSource } from "../random.js"
import type { KeyAgreementGroup, RandomPurpose } from "../TlsCrypto.js"

/** What the testing layer answers for each purpose. @since 0.1.0 */
export interface RandomScript {
  readonly clientRandom?: Uint8Array
  readonly legacySessionId?: Uint8Array
  readonly privateKeys?: Partial<Record<KeyAgreementGroup, Uint8Array>>
  /** Seed of the derived streams (default: "effect-tls test"). */
  readonly seed?: string
}

const purposeKey = (purpose: RandomPurpose): string => {
  switch (purpose._tag) {
    case "ClientRandom":
    case "LegacySessionId":
      return purpose._tag
    case "PrivateKey":
      return `PrivateKey/${purpose.group}`
    case "Other":
      return `Other/${purpose.label}`
  }
}

const scripted = (script: RandomScript, purpose: RandomPurpose): Uint8Array | undefined => {
  switch (purpose._tag) {
    case "ClientRandom":
      return script.clientRandom
    case "LegacySessionId":
      return script.legacySessionId
    case "PrivateKey":
      return script.privateKeys?.[purpose.group]
    case "Other":
      return undefined
  }
}

/**
 * A `RandomSource` answering by purpose. A scripted value must have the requested length.
 *
 * @since 0.1.0
 */
export const scriptedRandom = (script: RandomScript = {}): RandomSource => {
  const encoder = new TextEncoder()
  const seed = script.seed ?? "effect-tls test"
  const draws = new Map<string, number>()
  return (length, purpose) => {
    const key = purposeKey(purpose)
    const index = draws.get(key) ?? 0
    draws.set(key, index + 1)
    const fixed = index === 0 ? scripted(script, purpose) : undefined
    if (fixed !== undefined) {
      if (fixed.length !== length) {
        throw new RangeError(`scripted ${key} has ${fixed.length} bytes, ${length} requested`)
      }
      return fixed.slice()
    }
    const out = new Uint8Array(length)
    for (let block = 0; block * 32 < length; block++) {
      const digest = sha256(encoder.encode(`${seed}\u0000${key}\u0000${index}\u0000${block}`))
      out.set(digest.subarray(0, Math.min(32, length - block * 32)), block * 32)
    }
    return out
  }
}
