/**
 * `@effect-tls/crypto`: the cryptography TLS needs, as the `TlsCrypto` Effect service, and
 * its portable default layer built on the noble libraries.
 *
 * @since 0.1.0
 */

export { concatBytes, copyBytes } from "./bytes.js"
export * from "./errors.js"
export {
  inlineCurrentTimeMillis,
  inlineEither,
  inlineGen,
  inlineMapError,
  inlineSuspend,
  inlineSync,
  runInline,
} from "./inline.js"
export { makeNobleCrypto, NobleCrypto } from "./noble/index.js"
export { type RandomSource, systemRandom } from "./random.js"
export * from "./TlsCrypto.js"
