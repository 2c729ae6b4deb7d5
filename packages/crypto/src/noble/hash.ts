/**
 * Hashing, HMAC and HKDF for the noble layer (`@noble/hashes`).
 *
 * @since 0.1.0
 */
import { expand, extract } from "@noble/hashes/hkdf.js"
import { hmac } from "@noble/hashes/hmac.js"
import { sha256, sha384 } from "@noble/hashes/sha2.js"
import type { HashAlgorithm, Hasher } from "../TlsCrypto.js"

type NobleHash = ReturnType<typeof sha256.create> | ReturnType<typeof sha384.create>

/** The noble hash function for an algorithm name. @since 0.1.0 */
export const nobleHash = (algorithm: HashAlgorithm) => (algorithm === "SHA-256" ? sha256 : sha384)

const wrap = (algorithm: HashAlgorithm, state: NobleHash): Hasher => ({
  algorithm,
  update: (data) => {
    state.update(data)
  },
  snapshot: () => state.clone().digest(),
  clone: () => wrap(algorithm, state.clone()),
})

/** A running noble hash. @since 0.1.0 */
export const nobleHasher = (algorithm: HashAlgorithm): Hasher => wrap(algorithm, nobleHash(algorithm).create())

/** One-shot noble digest. @since 0.1.0 */
export const nobleDigest = (algorithm: HashAlgorithm, data: Uint8Array): Uint8Array => nobleHash(algorithm)(data)

/** HMAC. @since 0.1.0 */
export const nobleHmac = (algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array =>
  hmac(nobleHash(algorithm), key, data)

/** HKDF-Extract. @since 0.1.0 */
export const nobleHkdfExtract = (algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array =>
  extract(nobleHash(algorithm), ikm, salt)

/** HKDF-Expand; the caller has checked the length. @since 0.1.0 */
export const nobleHkdfExpand = (algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number) =>
  expand(nobleHash(algorithm), prk, info, length)
