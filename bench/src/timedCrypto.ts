/**
 * A TlsCrypto service that times another: the wall milliseconds spent inside each kind of
 * call, for the breakdown section. The Effect methods are wrapped with the inline
 * combinators, so a synchronous layer stays on the engine's inline path and the timing adds
 * about one `performance.now()` pair per call.
 */
import {
  type AeadKey,
  type Hasher,
  inlineEither,
  inlineGen,
  type KeyShare,
  type SyncAead,
  type TlsCryptoService,
} from "@effect-tls/crypto"
import type { Effect } from "effect"

/** What the calls are for. */
export type CryptoCategory = "curve" | "hash" | "aead"

/** The milliseconds per category so far, and how many AEAD opens there were. */
export interface CryptoTotals {
  readonly ms: Record<CryptoCategory, number>
  readonly opens: number
}

/** A timed service and its running totals. */
export interface TimedCrypto {
  readonly service: TlsCryptoService
  readonly totals: () => CryptoTotals
}

/** Runs `f(...args)` and tells `add` how long it took (generators made once: see inline.ts). */
function* timedSteps<A extends ReadonlyArray<unknown>, B, E>(
  add: (elapsed: number) => void,
  f: (...args: A) => Effect.Effect<B, E>,
  args: A,
) {
  const start = performance.now()
  const result = yield* inlineEither(f(...args))
  add(performance.now() - start)
  return yield* result
}

/** `effect`'s value through `f`. */
function* mapSteps<A, B, E>(effect: Effect.Effect<A, E>, f: (a: A) => B) {
  return f(yield* effect)
}

/** `base`, timed. */
export const timedCrypto = (base: TlsCryptoService): TimedCrypto => {
  const ms: Record<CryptoCategory, number> = { curve: 0, hash: 0, aead: 0 }
  let opens = 0
  const sync =
    <A extends ReadonlyArray<unknown>, B>(category: CryptoCategory, f: (...args: A) => B) =>
    (...args: A): B => {
      const start = performance.now()
      try {
        return f(...args)
      } finally {
        ms[category] += performance.now() - start
      }
    }
  const effect =
    <A extends ReadonlyArray<unknown>, B, E>(category: CryptoCategory, f: (...args: A) => Effect.Effect<B, E>) =>
    (...args: A): Effect.Effect<B, E> =>
      inlineGen(() => timedSteps((elapsed) => (ms[category] += elapsed), f, args))
  const countedOpen = (open: SyncAead["open"]): SyncAead["open"] => {
    const timedOpen = sync("aead", open)
    return (nonce, aad, sealed) => {
      opens++
      return timedOpen(nonce, aad, sealed)
    }
  }
  const aeadKey = (key: AeadKey): AeadKey => ({
    algorithm: key.algorithm,
    seal: effect("aead", key.seal),
    open: effect("aead", key.open),
    ...(key.sync === undefined
      ? {}
      : { sync: { seal: sync("aead", key.sync.seal), open: countedOpen(key.sync.open) } }),
  })
  const timedHasher = (hasher: Hasher): Hasher => ({
    algorithm: hasher.algorithm,
    update: sync("hash", (data: Uint8Array) => hasher.update(data)),
    snapshot: sync("hash", () => hasher.snapshot()),
    clone: () => timedHasher(sync("hash", () => hasher.clone())()),
  })
  const keyShare = (share: KeyShare): KeyShare => ({ ...share, agree: effect("curve", share.agree) })
  const service: TlsCryptoService = {
    ...base,
    hasher: (algorithm) => timedHasher(sync("hash", base.hasher)(algorithm)),
    digest: sync("hash", base.digest),
    hmac: effect("hash", base.hmac),
    hkdfExtract: effect("hash", base.hkdfExtract),
    hkdfExpand: effect("hash", base.hkdfExpand),
    aeadKey: (algorithm, key) => inlineGen(() => mapSteps(effect("aead", base.aeadKey)(algorithm, key), aeadKey)),
    generateKeyShare: (group) => inlineGen(() => mapSteps(effect("curve", base.generateKeyShare)(group), keyShare)),
    verify: effect("curve", base.verify),
  }
  return { service, totals: () => ({ ms: { ...ms }, opens }) }
}
