/**
 * A mutual-exclusion lock: one holder at a time, waiters served in order, the lock released
 * when the holder's effect ends however it ends. Effect's `Semaphore` does the same with
 * more machinery per use (permit counts, a fiber-runtime lookup, a release scheduled as a
 * separate task); the engine and the transport take their locks once per record batch,
 * where that machinery showed in the profile. Same structure as `Semaphore.withPermits(1)`.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"

/** A lock. @since 0.1.0 */
export interface Mutex {
  /** True while some effect holds the lock. */
  readonly locked: boolean
  /** Runs `effect` holding the lock, waiting (interruptibly) for it first. */
  readonly withLock: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /**
   * Takes the lock if it is free, without waiting; true when taken. The caller must call
   * `release` on every path (no Effect in between may be interrupted before it is sure to).
   */
  readonly tryAcquire: () => boolean
  /** Releases a lock taken with `tryAcquire`. */
  readonly release: () => void
}

/** A new, free lock. @since 0.1.0 */
export const makeMutex = (): Mutex => {
  let locked = false
  const waiters: Array<() => void> = []
  const release = () => {
    const next = waiters.shift()
    if (next === undefined) locked = false
    else next()
  }
  const acquire = Effect.async<void>((resume) => {
    if (!locked) {
      locked = true
      return resume(Effect.void)
    }
    let handedOver = false
    const waiter = () => {
      handedOver = true
      resume(Effect.void)
    }
    waiters.push(waiter)
    return Effect.sync(() => {
      const at = waiters.indexOf(waiter)
      if (at >= 0) waiters.splice(at, 1)
      // Interrupted after the lock was passed to us: pass it on.
      else if (handedOver) release()
    })
  })
  const released = Effect.sync(release)
  return {
    get locked() {
      return locked
    },
    withLock: (effect) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.suspend(() => {
          // Free: taken at once, no wait to set up (the common case, a few Effect operations fewer).
          if (!locked) {
            locked = true
            return Effect.ensuring(restore(effect), released)
          }
          return Effect.zipRight(restore(acquire), Effect.ensuring(restore(effect), released))
        }),
      ),
    tryAcquire: () => {
      if (locked) return false
      locked = true
      return true
    },
    release,
  }
}
