/**
 * AEAD for the node:crypto layer (OpenSSL's AES-GCM and ChaCha20-Poly1305).
 *
 * @since 0.1.0
 */
import { type CipherChaCha20Poly1305Types, type CipherGCMTypes, createCipheriv, createDecipheriv } from "node:crypto"
import { fromSyncAead } from "../aeadKey.js"
import type { AeadAlgorithm, AeadKey } from "../TlsCrypto.js"

const tagLength = 16

const cipherName = (algorithm: AeadAlgorithm): CipherGCMTypes | CipherChaCha20Poly1305Types =>
  algorithm === "AES-128-GCM" ? "aes-128-gcm" : algorithm === "AES-256-GCM" ? "aes-256-gcm" : "chacha20-poly1305"

/** An AEAD key over node:crypto; the key length has been checked by the caller. @since 0.1.0 */
export const nodeAeadKey = (algorithm: AeadAlgorithm, key: Uint8Array): AeadKey => {
  const name = cipherName(algorithm)
  const keyCopy = Buffer.from(key)
  return fromSyncAead(algorithm, {
    seal: (nonce, aad, plaintext) => {
      const cipher = createCipheriv(name as CipherGCMTypes, keyCopy, nonce, { authTagLength: tagLength })
      cipher.setAAD(aad)
      const out = new Uint8Array(plaintext.length + tagLength)
      const body = cipher.update(plaintext)
      out.set(body, 0)
      const rest = cipher.final()
      out.set(rest, body.length)
      out.set(cipher.getAuthTag(), plaintext.length)
      return out
    },
    open: (nonce, aad, sealed) => {
      const split = sealed.length - tagLength
      const decipher = createDecipheriv(name as CipherGCMTypes, keyCopy, nonce, { authTagLength: tagLength })
      decipher.setAuthTag(sealed.subarray(split))
      decipher.setAAD(aad)
      // update() returns the whole plaintext (final() adds nothing for GCM and ChaCha20-Poly1305,
      // only checks the tag): hand out a view of that buffer instead of a copy.
      const body = decipher.update(sealed.subarray(0, split))
      try {
        decipher.final()
      } catch {
        return undefined
      }
      return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
    },
  })
}
