/**
 * The noble layer: the portable default `TlsCrypto`, pure JavaScript on `@noble/curves`,
 * `@noble/ciphers` and `@noble/hashes`, with RSA verification in BigInt. Imports nothing
 * from `node:*`, so it runs in browsers, workers, Deno and Bun.
 *
 * @since 0.1.0
 */
import { Layer } from "effect"
import { type RandomSource, systemRandom } from "../random.js"
import { makeSyncService, type SyncPrimitives } from "../syncService.js"
import { TlsCrypto, type TlsCryptoService } from "../TlsCrypto.js"
import { nobleAeadKey } from "./aead.js"
import { nobleDigest, nobleHasher, nobleHkdfExpand, nobleHkdfExtract, nobleHmac } from "./hash.js"
import { nobleKeyShare } from "./keyAgreement.js"
import { nobleImportSigningKey, nobleVerify } from "./signatures.js"

const primitives: SyncPrimitives = {
  name: "noble",
  hasher: nobleHasher,
  digest: nobleDigest,
  hmac: nobleHmac,
  hkdfExtract: nobleHkdfExtract,
  hkdfExpand: nobleHkdfExpand,
  aeadKey: nobleAeadKey,
  keyShare: nobleKeyShare,
  verify: nobleVerify,
  importSigningKey: nobleImportSigningKey,
}

/** The noble service over a given random source (the testing layer passes a scripted one). @since 0.1.0 */
export const makeNobleCrypto = (random: RandomSource): TlsCryptoService => makeSyncService(primitives, random)

/**
 * The default layer: noble with the platform's CSPRNG.
 *
 * @since 0.1.0
 * @category layers
 */
export const NobleCrypto: Layer.Layer<TlsCrypto> = Layer.sync(TlsCrypto, () => makeNobleCrypto(systemRandom))
