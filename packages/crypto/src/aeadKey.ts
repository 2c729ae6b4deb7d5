/**
 * Builds the service's `AeadKey` from a synchronous seal/open pair; nonce and tag
 * lengths are checked here once for every synchronous provider.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { AeadOpenFailed } from "./errors.js"
import { inlineSuspend, inlineSync } from "./inline.js"
import type { AeadAlgorithm, AeadKey, SyncAead } from "./TlsCrypto.js"

const nonceLength = 12
const tagLength = 16

/** An `AeadKey` whose Effect methods run the synchronous ones. @since 0.1.0 */
export const fromSyncAead = (algorithm: AeadAlgorithm, raw: SyncAead): AeadKey => {
  const sync: SyncAead = {
    seal: (nonce, aad, plaintext) => {
      if (nonce.length !== nonceLength) throw new RangeError(`AEAD nonce must be ${nonceLength} bytes`)
      return raw.seal(nonce, aad, plaintext)
    },
    open: (nonce, aad, sealed) =>
      nonce.length !== nonceLength || sealed.length < tagLength ? undefined : raw.open(nonce, aad, sealed),
  }
  return {
    algorithm,
    sync,
    seal: (nonce, aad, plaintext) => inlineSync(() => sync.seal(nonce, aad, plaintext)),
    open: (nonce, aad, sealed) =>
      inlineSuspend(() => {
        const opened = sync.open(nonce, aad, sealed)
        return opened === undefined ? Effect.fail(new AeadOpenFailed()) : Effect.succeed(opened)
      }),
  }
}
