/**
 * AEAD for the WebCrypto layer: AES-GCM through `subtle` (the key imported once, then one
 * asynchronous `encrypt`/`decrypt` per record, so these keys have no `sync` form), and
 * ChaCha20-Poly1305 from noble, which WebCrypto does not offer.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { copyBytes } from "../bytes.js"
import { AeadOpenFailed } from "../errors.js"
import { nobleAeadKey } from "../noble/aead.js"
import type { AeadAlgorithm, AeadKey } from "../TlsCrypto.js"
import { type Subtle, type SubtleKey, subtleBytes, subtleCall } from "./subtle.js"

const nonceLength = 12
const tagLength = 16

const aesGcmKey = (subtle: Subtle, algorithm: AeadAlgorithm, key: SubtleKey): AeadKey => ({
  algorithm,
  seal: (nonce, aad, plaintext) =>
    nonce.length !== nonceLength
      ? Effect.die(new RangeError(`AEAD nonce must be ${nonceLength} bytes`))
      : Effect.orDie(
          subtleBytes(() =>
            subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 }, key, plaintext),
          ),
        ),
  open: (nonce, aad, sealed) =>
    nonce.length !== nonceLength || sealed.length < tagLength
      ? Effect.fail(new AeadOpenFailed())
      : Effect.mapError(
          subtleBytes(() =>
            subtle.decrypt({ name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 }, key, sealed),
          ),
          () => new AeadOpenFailed(),
        ),
})

/**
 * An AEAD key; the key length has been checked by the caller. Where `subtle` refuses the
 * AES key (no WebCrypto, e.g. outside a secure context), the noble key is used instead.
 *
 * @since 0.1.0
 */
export const webAeadKey = (subtle: Subtle, algorithm: AeadAlgorithm, key: Uint8Array): Effect.Effect<AeadKey> => {
  const noble = Effect.sync(() => nobleAeadKey(algorithm, key))
  if (algorithm === "ChaCha20-Poly1305") return noble
  const keyCopy = copyBytes(key)
  return subtleCall(() => subtle.importKey("raw", keyCopy, "AES-GCM", false, ["encrypt", "decrypt"])).pipe(
    Effect.map((imported) => aesGcmKey(subtle, algorithm, imported)),
    Effect.orElse(() => noble),
  )
}
