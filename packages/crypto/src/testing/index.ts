/**
 * `@effect-tls/crypto/testing`: a deterministic `TlsCrypto` for tests. Randomness is
 * answered by purpose (client random, legacy session id, the private key of a group) from
 * a script or a seeded stream, so a test does not depend on the order of draws. This is
 * how RFC 8448 is replayed byte for byte.
 *
 * @since 0.1.0
 */
import { Layer } from "effect"
import { makeNobleCrypto } from "../noble/index.js"
import { makeNodeCrypto } from "../node/index.js"
import { TlsCrypto } from "../TlsCrypto.js"
import { makeWebCrypto } from "../webcrypto/index.js"
import { type RandomScript, scriptedRandom } from "./scriptedRandom.js"

export { type RandomScript, scriptedRandom } from "./scriptedRandom.js"

/** Options of the testing layer. @since 0.1.0 */
export interface TestingCryptoOptions {
  /** Whose arithmetic runs under the scripted randomness (default noble). */
  readonly provider?: "noble" | "node" | "webcrypto"
  readonly script?: RandomScript
}

/**
 * The deterministic testing layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const TestingCrypto = {
  layer: (options: TestingCryptoOptions = {}): Layer.Layer<TlsCrypto> =>
    Layer.sync(TlsCrypto, () => {
      const random = scriptedRandom(options.script)
      switch (options.provider) {
        case "node":
          return makeNodeCrypto(random)
        case "webcrypto":
          return makeWebCrypto(random)
        default:
          return makeNobleCrypto(random)
      }
    }),
}
