/**
 * AEAD for the noble layer: AES-GCM and ChaCha20-Poly1305 from `@noble/ciphers`.
 *
 * @since 0.1.0
 */
import { gcm } from "@noble/ciphers/aes.js"
import { chacha20poly1305 } from "@noble/ciphers/chacha.js"
import { fromSyncAead } from "../aeadKey.js"
import { copyBytes } from "../bytes.js"
import type { AeadAlgorithm, AeadKey } from "../TlsCrypto.js"

/** An AEAD key over noble; the key length has been checked by the caller. @since 0.1.0 */
export const nobleAeadKey = (algorithm: AeadAlgorithm, key: Uint8Array): AeadKey => {
  const cipher = algorithm === "ChaCha20-Poly1305" ? chacha20poly1305 : gcm
  const keyCopy = copyBytes(key)
  return fromSyncAead(algorithm, {
    seal: (nonce, aad, plaintext) => cipher(keyCopy, nonce, aad).encrypt(plaintext),
    open: (nonce, aad, sealed) => {
      try {
        return cipher(keyCopy, nonce, aad).decrypt(sealed)
      } catch {
        return undefined
      }
    },
  })
}
