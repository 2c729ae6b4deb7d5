/**
 * A mutual-exclusion lock: one holder at a time, waiters served in order, the lock released
 * when the holder's effect ends however it ends. Effect's `Semaphore` does the same with
 * more machinery per use (permit counts, a fiber-runtime lookup, a release scheduled as a
 * separate task); the engine and the transport take their locks once per record batch,
 * where that machinery showed in the profile. Same structure as `Semaphore.withPermits(1)`.
 *
 * @since 0.1.0
 */
import { type Cause, Effect } from "effect"

/** A lock. @since 0.1.0 */
export interface Mutex {
  /** True while some effect holds the lock. */
  readonly locked: boolean
  /** Runs `effect` holding the lock, waiting (interruptibly) for it first. */
  withLock<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R>
  /**
   * Takes the lock if it is free, without waiting; true when taken. The caller must call
   * `release` on every path (no Effect in between may be interrupted before it is sure to).
   */
  tryAcquire(): boolean
  /** Releases a lock taken with `tryAcquire`. */
  readonly release: () => void
}

/**
 * The lock behind `makeMutex`. A class, so that each lock is a small fast-mode object with
 * its methods on the prototype: the object literal with a getter it replaces was kept in
 * dictionary mode (a 448-byte property table per lock, and an idle connection has three).
 */
class Lock implements Mutex {
  private held = false
  private readonly waiters: Array<() => void> = []

  /** A function field, not a method: callers pass it on as it is (`Effect.sync(lock.release)`). */
  readonly release = (): void => {
    const next = this.waiters.shift()
    if (next === undefined) this.held = false
    else next()
  }

  /** Ends a holder's effect: the lock is released, then the effect's own exit goes on. */
  private readonly releasing = {
    onFailure: (cause: Cause.Cause<unknown>): Effect.Effect<never, unknown> => {
      this.release()
      return Effect.failCause(cause)
    },
    onSuccess: (value: unknown): Effect.Effect<unknown> => {
      this.release()
      return Effect.succeed(value)
    },
  }
  private readonly acquire = Effect.async<void>((resume) => {
    if (!this.held) {
      this.held = true
      return resume(Effect.void)
    }
    let handedOver = false
    const waiter = () => {
      handedOver = true
      resume(Effect.void)
    }
    this.waiters.push(waiter)
    return Effect.sync(() => {
      const at = this.waiters.indexOf(waiter)
      if (at >= 0) this.waiters.splice(at, 1)
      // Interrupted after the lock was passed to us: pass it on.
      else if (handedOver) this.release()
    })
  })

  get locked(): boolean {
    return this.held
  }

  withLock<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        // Already uninterruptible here, so a plain match releases on every exit (interruption
        // included) with fewer Effect operations than `Effect.ensuring`, which masks again.
        const held = Effect.matchCauseEffect(restore(effect), this.releasing) as Effect.Effect<A, E, R>
        // Free: taken at once, no wait to set up (the common case).
        if (!this.held) {
          this.held = true
          return held
        }
        return Effect.zipRight(restore(this.acquire), held)
      }),
    )
  }

  tryAcquire(): boolean {
    if (this.held) return false
    this.held = true
    return true
  }
}

/** A new, free lock. @since 0.1.0 */
export const makeMutex = (): Mutex => new Lock()
