/**
 * The node:crypto layer of `TlsCrypto` (OpenSSL inside Node). A separate entry point,
 * `@effect-tls/crypto/node`, so that browser bundles never load `node:*`.
 *
 * @since 0.1.0
 */
import { randomFillSync } from "node:crypto"
import { Layer } from "effect"
import type { RandomSource } from "../random.js"
import { makeSyncService, type SyncPrimitives } from "../syncService.js"
import { TlsCrypto, type TlsCryptoService } from "../TlsCrypto.js"
import { nodeAeadKey } from "./aead.js"
import { nodeDigest, nodeHasher, nodeHkdfExpand, nodeHkdfExtract, nodeHmac } from "./hash.js"
import { nodeKeyShare } from "./keyAgreement.js"
import { nodeImportSigningKey, nodeVerify } from "./signatures.js"

/** node:crypto's CSPRNG. @since 0.1.0 */
export const nodeRandom: RandomSource = (length) => randomFillSync(new Uint8Array(length))

const primitives: SyncPrimitives = {
  name: "node",
  hasher: nodeHasher,
  digest: nodeDigest,
  hmac: nodeHmac,
  hkdfExtract: nodeHkdfExtract,
  hkdfExpand: nodeHkdfExpand,
  aeadKey: nodeAeadKey,
  keyShare: nodeKeyShare,
  verify: nodeVerify,
  importSigningKey: nodeImportSigningKey,
}

/** The node:crypto service over a given random source (the testing layer passes a scripted one). @since 0.1.0 */
export const makeNodeCrypto = (random: RandomSource): TlsCryptoService => makeSyncService(primitives, random)

/**
 * The node:crypto layer with Node's CSPRNG.
 *
 * @since 0.1.0
 * @category layers
 */
export const NodeCrypto: Layer.Layer<TlsCrypto> = Layer.sync(TlsCrypto, () => makeNodeCrypto(nodeRandom))
