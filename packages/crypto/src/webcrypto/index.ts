/**
 * The WebCrypto layer of `TlsCrypto` (`globalThis.crypto.subtle`), the fast path for
 * browsers: AES-GCM, ECDH P-256/P-384, X25519, Ed25519, ECDSA and RSA run on the platform,
 * asynchronously. Imports nothing from `node:*`.
 *
 * The rest is the noble service's, on purpose: hashing is synchronous by contract;
 * ChaCha20-Poly1305 is not in WebCrypto; and HMAC/HKDF on TLS's short inputs were measured
 * slower through `subtle`, where each call needs a key import and an asynchronous round
 * trip: 3x to 5x noble's time for one HMAC-SHA256 of 100 bytes on Node 20 (bench/crypto.ts
 * prints the figure).
 * Where `subtle` refuses an algorithm or key (X25519/Ed25519 in older browsers, no
 * `subtle` outside a secure context), noble answers instead, from the same inputs.
 *
 * @since 0.1.0
 */
import { Layer } from "effect"
import { makeNobleCrypto } from "../noble/index.js"
import { type RandomSource, systemRandom } from "../random.js"
import { TlsCrypto, type TlsCryptoService } from "../TlsCrypto.js"
import { aeadKeyError, unlessInvalid } from "../validation.js"
import { webAeadKey } from "./aead.js"
import { webKeyShare } from "./keyAgreement.js"
import { webVerify } from "./signatures.js"
import { webImportSigningKey } from "./signingKeys.js"
import type { Subtle } from "./subtle.js"

/**
 * The WebCrypto service over a random source (the testing layer passes a scripted one) and
 * a `SubtleCrypto` (the platform's by default).
 *
 * @since 0.1.0
 */
export const makeWebCrypto = (random: RandomSource, subtle: Subtle = globalThis.crypto.subtle): TlsCryptoService => ({
  ...makeNobleCrypto(random),
  name: "webcrypto",
  aeadKey: (algorithm, key) => unlessInvalid(aeadKeyError(algorithm, key), webAeadKey(subtle, algorithm, key)),
  generateKeyShare: (group) => webKeyShare(subtle, random, group),
  verify: webVerify(subtle),
  importSigningKey: webImportSigningKey(subtle),
})

/**
 * The WebCrypto layer with the platform's CSPRNG.
 *
 * @since 0.1.0
 * @category layers
 */
export const WebCrypto: Layer.Layer<TlsCrypto> = Layer.sync(TlsCrypto, () => makeWebCrypto(systemRandom))
