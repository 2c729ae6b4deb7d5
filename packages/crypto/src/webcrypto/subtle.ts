/**
 * The WebCrypto surface the layer uses, and WebCrypto calls as Effects: a rejected promise
 * or a synchronous throw (an algorithm the platform lacks, a key it refuses, `subtle`
 * missing outside a secure context) becomes the internal `SubtleRefused`, which the layer
 * either answers with its noble fallback or maps to a `CryptoError`.
 *
 * @since 0.1.0
 */
import { Data, Effect } from "effect"

/** `crypto.subtle` of the platform (browsers, workers, Node 20, Deno, Bun). @since 0.1.0 */
export type Subtle = typeof globalThis.crypto.subtle

/** A WebCrypto key. @since 0.1.0 */
export type SubtleKey = Awaited<ReturnType<Subtle["importKey"]>>

/** The JSON Web Key members the layer imports (RFC 7518 section 6, RFC 8037). @since 0.1.0 */
export interface Jwk {
  readonly kty: "EC" | "OKP" | "RSA"
  readonly crv?: string
  readonly x?: string
  readonly y?: string
  readonly d?: string
  readonly n?: string
  readonly e?: string
}

/** A WebCrypto call failed; `cause` is what it threw or rejected with. @since 0.1.0 */
export class SubtleRefused extends Data.TaggedError("SubtleRefused")<{ readonly cause: unknown }> {}

/** Runs one WebCrypto call. @since 0.1.0 */
export const subtleCall = <A>(call: () => PromiseLike<A>): Effect.Effect<A, SubtleRefused> =>
  Effect.tryPromise({ try: () => Promise.resolve(call()), catch: (cause) => new SubtleRefused({ cause }) })

/** Runs one WebCrypto call that yields bytes. @since 0.1.0 */
export const subtleBytes = (call: () => PromiseLike<ArrayBuffer>): Effect.Effect<Uint8Array, SubtleRefused> =>
  Effect.map(subtleCall(call), (buffer) => new Uint8Array(buffer))
