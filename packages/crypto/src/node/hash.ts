/**
 * Hashing, HMAC and HKDF for the node:crypto layer.
 *
 * @since 0.1.0
 */
import { createHash, createHmac, type Hash } from "node:crypto"
import type { HashAlgorithm, Hasher } from "../TlsCrypto.js"
import { hashLength } from "../TlsCrypto.js"

/** node:crypto's name for a hash. @since 0.1.0 */
export const nodeHashName = (algorithm: string): string => algorithm.replace("-", "").toLowerCase()

const wrap = (algorithm: HashAlgorithm, state: Hash): Hasher => ({
  algorithm,
  update: (data) => {
    state.update(data)
  },
  snapshot: () => new Uint8Array(state.copy().digest()),
  clone: () => wrap(algorithm, state.copy()),
})

/** A running node:crypto hash. @since 0.1.0 */
export const nodeHasher = (algorithm: HashAlgorithm): Hasher => wrap(algorithm, createHash(nodeHashName(algorithm)))

/** One-shot digest. @since 0.1.0 */
export const nodeDigest = (algorithm: HashAlgorithm, data: Uint8Array): Uint8Array =>
  new Uint8Array(createHash(nodeHashName(algorithm)).update(data).digest())

/** HMAC. @since 0.1.0 */
export const nodeHmac = (algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array =>
  new Uint8Array(createHmac(nodeHashName(algorithm), key).update(data).digest())

/** HKDF-Extract (RFC 5869 section 2.2): HMAC(salt, IKM). @since 0.1.0 */
export const nodeHkdfExtract = (algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array =>
  nodeHmac(algorithm, salt, ikm)

/** HKDF-Expand (RFC 5869 section 2.3); the caller has checked the length. @since 0.1.0 */
export const nodeHkdfExpand = (algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number) => {
  const size = hashLength(algorithm)
  const out = new Uint8Array(length)
  let block = new Uint8Array(0)
  for (let counter = 1, offset = 0; offset < length; counter++, offset += size) {
    const mac = createHmac(nodeHashName(algorithm), prk)
    mac.update(block)
    mac.update(info)
    mac.update(Uint8Array.of(counter))
    block = new Uint8Array(mac.digest())
    out.set(block.subarray(0, Math.min(size, length - offset)), offset)
  }
  return out
}
