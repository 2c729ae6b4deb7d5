/**
 * AEAD for the noble layer: ChaCha20-Poly1305 from `@noble/ciphers`, and AES-GCM over
 * noble's AES with the key set up once (`keyedAesGcm`).
 *
 * @since 0.1.0
 */
import { chacha20poly1305 } from "@noble/ciphers/chacha.js"
import { fromSyncAead } from "../aeadKey.js"
import { copyBytes } from "../bytes.js"
import type { AeadAlgorithm, AeadKey, SyncAead } from "../TlsCrypto.js"
import { aligned } from "./aligned.js"
import { keyedAesGcm } from "./gcm.js"

/** ChaCha20-Poly1305: noble's cipher object is cheap to make, so one is made per record. */
const chacha = (key: Uint8Array): SyncAead => {
  const keyCopy = copyBytes(key)
  return {
    seal: (nonce, aad, plaintext) => chacha20poly1305(keyCopy, nonce, aad).encrypt(plaintext),
    open: (nonce, aad, sealed) => {
      try {
        return chacha20poly1305(keyCopy, nonce, aad).decrypt(aligned(sealed))
      } catch {
        return undefined
      }
    },
  }
}

/** An AEAD key over noble; the key length has been checked by the caller. @since 0.1.0 */
export const nobleAeadKey = (algorithm: AeadAlgorithm, key: Uint8Array): AeadKey =>
  fromSyncAead(algorithm, algorithm === "ChaCha20-Poly1305" ? chacha(key) : keyedAesGcm(key))
