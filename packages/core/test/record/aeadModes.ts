/**
 * AEAD key variants for the record tests: the same key without its synchronous form, so the
 * Effect-only path of the record layer (as a WebCrypto provider would take) is exercised.
 */
import type { AeadKey } from "@effect-tls/crypto"

/** `key` with only its Effect methods. */
export const withoutSync = (key: AeadKey): AeadKey => ({ algorithm: key.algorithm, seal: key.seal, open: key.open })
