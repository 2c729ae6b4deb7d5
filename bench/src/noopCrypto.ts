/**
 * The record section's crypto: NodeCrypto except `aeadKey`, whose keys become no-op AEADs
 * once the bench flips a switch (seal = plaintext followed by 16 zero bytes; open = check
 * the length is at least 16 and drop the last 16), in both the Effect and the `sync` form.
 * Until then they are the real node:crypto keys, because the scripted server seals its
 * handshake flight with real keys of its own; the switch is flipped once the handshake is
 * done, before any record is measured.
 */
import { type AeadKey, AeadOpenFailed, type SyncAead, TlsCrypto, type TlsCryptoService } from "@effect-tls/crypto"
import { makeNodeCrypto, nodeRandom } from "@effect-tls/crypto/node"
import { Effect, Layer } from "effect"

/** Turns every AEAD key of a `noopCrypto` service into a no-op. */
export interface NoopSwitch {
  on: boolean
}

const tagLength = 16

/** plaintext || 16 zero bytes. */
const noopSeal = (plaintext: Uint8Array): Uint8Array => {
  const sealed = new Uint8Array(plaintext.length + tagLength)
  sealed.set(plaintext)
  return sealed
}

/** sealed without its last 16 bytes; `undefined` when shorter than a tag. */
const noopOpen = (sealed: Uint8Array): Uint8Array | undefined =>
  sealed.length < tagLength ? undefined : sealed.subarray(0, sealed.length - tagLength)

/** A key that is `real` until the switch is on, a no-op after. */
const switchable = (real: AeadKey, noop: NoopSwitch): AeadKey => {
  const realSync = real.sync
  if (realSync === undefined) throw new Error("NodeCrypto AEAD keys are synchronous")
  const sync: SyncAead = {
    seal: (nonce, aad, plaintext) => (noop.on ? noopSeal(plaintext) : realSync.seal(nonce, aad, plaintext)),
    open: (nonce, aad, sealed) => (noop.on ? noopOpen(sealed) : realSync.open(nonce, aad, sealed)),
  }
  return {
    algorithm: real.algorithm,
    sync,
    seal: (nonce, aad, plaintext) =>
      noop.on ? Effect.sync(() => noopSeal(plaintext)) : real.seal(nonce, aad, plaintext),
    open: (nonce, aad, sealed) =>
      noop.on
        ? Effect.suspend(() => {
            const opened = noopOpen(sealed)
            return opened === undefined ? Effect.fail(new AeadOpenFailed()) : Effect.succeed(opened)
          })
        : real.open(nonce, aad, sealed),
  }
}

/** The NodeCrypto service with switchable AEAD keys. */
export const noopCrypto = (noop: NoopSwitch): TlsCryptoService => {
  const node = makeNodeCrypto(nodeRandom)
  return { ...node, aeadKey: (algorithm, key) => Effect.map(node.aeadKey(algorithm, key), (k) => switchable(k, noop)) }
}

/** `noopCrypto` as a layer. */
export const noopCryptoLayer = (noop: NoopSwitch): Layer.Layer<TlsCrypto> =>
  Layer.sync(TlsCrypto, () => noopCrypto(noop))
