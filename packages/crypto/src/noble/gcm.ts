/**
 * AES-GCM (NIST SP 800-38D) for the noble layer, with the key set up once per key instead of
 * once per record: noble's `gcm()` expands the AES key and builds its GHASH table again for
 * every message, which is most of the cost of a small record (about 40 of the 50 µs of a
 * 100-byte one here). The AES rounds are noble's (`unsafe.expandKeyLE`, `encryptBlock`,
 * `ctr32`); GHASH is `Ghash` with the key's table. 96-bit nonces only, as TLS uses them.
 *
 * @since 0.1.0
 */
import { unsafe } from "@noble/ciphers/aes.js"
import { copyBytes } from "../bytes.js"
import type { SyncAead } from "../TlsCrypto.js"
import { aligned } from "./aligned.js"
import { Ghash, ghashTable } from "./ghash.js"

const tagLength = 16

/** True when the 16-byte tags are equal, in time independent of where they differ. */
const tagsEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  let difference = 0
  for (let i = 0; i < tagLength; i++) difference |= a[i]! ^ b[i]!
  return difference === 0
}

/** What a key needs for every record: noble's expanded AES key and the GHASH of H = E(K, 0^128). */
interface KeySchedule {
  readonly expanded: Uint32Array
  readonly ghash: Ghash
}

const keySchedule = (key: Uint8Array): KeySchedule => {
  const expanded = unsafe.expandKeyLE(key)
  const hashKey = unsafe.encryptBlock(expanded, new Uint8Array(16))
  const ghash = new Ghash(ghashTable(hashKey))
  hashKey.fill(0)
  return { expanded, ghash }
}

/**
 * A synchronous AES-GCM key (16 or 32 bytes, checked by the caller). It keeps the expanded
 * key, the GHASH table and scratch blocks of its own: use it from one place at a time, as a
 * record layer does. Both are made at the first seal or open, so a key that is never used
 * (a handshake derives traffic keys it may not need) costs a copy of the key only.
 *
 * @since 0.1.0
 */
export const keyedAesGcm = (key: Uint8Array): SyncAead => {
  const keyCopy = copyBytes(key)
  let keys: KeySchedule | undefined
  const counter = new Uint8Array(16)
  const mask = new Uint8Array(16)
  const tag = new Uint8Array(tagLength)

  /** Sets `mask` to E(K, J0) with J0 = nonce || 1, and the counter to J0 + 1. */
  const start = (nonce: Uint8Array): KeySchedule => {
    keys ??= keySchedule(keyCopy)
    counter.set(nonce)
    counter.fill(0, 12)
    counter[15] = 1
    mask.set(counter)
    unsafe.encryptBlock(keys.expanded, mask)
    counter[15] = 2
    return keys
  }

  /** Writes GHASH(aad, ciphertext) xor `mask` into `tag`. */
  const computeTag = (ghash: Ghash, aad: Uint8Array, ciphertext: Uint8Array): void => {
    ghash.reset()
    ghash.update(aad)
    ghash.update(ciphertext)
    ghash.finish(aad.length, ciphertext.length, tag)
    for (let i = 0; i < tagLength; i++) tag[i]! ^= mask[i]!
  }

  return {
    seal: (nonce, aad, plaintext) => {
      const { expanded, ghash } = start(nonce)
      const sealed = new Uint8Array(plaintext.length + tagLength)
      const ciphertext = sealed.subarray(0, plaintext.length)
      unsafe.ctr32(expanded, false, counter, aligned(plaintext), ciphertext)
      computeTag(ghash, aad, ciphertext)
      sealed.set(tag, plaintext.length)
      return sealed
    },
    open: (nonce, aad, sealed) => {
      const input = aligned(sealed)
      const ciphertext = input.subarray(0, input.length - tagLength)
      const { expanded, ghash } = start(nonce)
      computeTag(ghash, aad, ciphertext)
      // The tag is checked before anything is decrypted (SP 800-38D section 7.2).
      if (!tagsEqual(tag, input.subarray(ciphertext.length))) return undefined
      return unsafe.ctr32(expanded, false, counter, ciphertext)
    },
  }
}
