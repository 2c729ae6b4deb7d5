/** The engine's lock: exclusion, order, release on failure and interruption. */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import { makeMutex } from "../../src/engine/mutex.js"

describe("makeMutex", () => {
  it.effect("one holder at a time, waiters in the order they came", () =>
    Effect.gen(function* () {
      const lock = makeMutex()
      const log: Array<string> = []
      const gate = yield* Deferred.make<void>()
      const first = yield* Effect.fork(
        lock.withLock(
          Effect.zipRight(
            Effect.sync(() => log.push("a")),
            Deferred.await(gate),
          ),
        ),
      )
      yield* Effect.yieldNow()
      expect(lock.locked).toBe(true)
      const second = yield* Effect.fork(lock.withLock(Effect.sync(() => log.push("b"))))
      const third = yield* Effect.fork(lock.withLock(Effect.sync(() => log.push("c"))))
      yield* Effect.yieldNow()
      expect(log).toEqual(["a"])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(first)
      yield* Fiber.join(second)
      yield* Fiber.join(third)
      expect(log).toEqual(["a", "b", "c"])
      expect(lock.locked).toBe(false)
    }),
  )

  it.effect("a failing holder releases the lock", () =>
    Effect.gen(function* () {
      const lock = makeMutex()
      const exit = yield* Effect.exit(lock.withLock(Effect.fail("boom")))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(lock.locked).toBe(false)
      expect(yield* lock.withLock(Effect.succeed(1))).toBe(1)
    }),
  )

  it.effect("a holder that dies or fails after waiting releases the lock, its exit unchanged", () =>
    Effect.gen(function* () {
      const lock = makeMutex()
      const died = yield* Effect.exit(lock.withLock(Effect.die("defect")))
      expect(Exit.isFailure(died) && Cause.isDie(died.cause)).toBe(true)
      expect(lock.locked).toBe(false)
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.fork(lock.withLock(Deferred.await(gate)))
      yield* Effect.yieldNow()
      // This one waits for the lock, then fails while holding it.
      const waiter = yield* Effect.fork(Effect.exit(lock.withLock(Effect.fail("after waiting"))))
      yield* Effect.yieldNow()
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      const failed = yield* Fiber.join(waiter)
      expect(failed).toEqual(Exit.fail("after waiting"))
      expect(lock.locked).toBe(false)
    }),
  )

  it.effect("an interrupted waiter leaves the queue; an interrupted holder releases", () =>
    Effect.gen(function* () {
      const lock = makeMutex()
      const holder = yield* Effect.fork(lock.withLock(Effect.never))
      yield* Effect.yieldNow()
      const waiter = yield* Effect.fork(lock.withLock(Effect.succeed("never runs")))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(waiter)
      expect(lock.locked).toBe(true)
      yield* Fiber.interrupt(holder)
      expect(lock.locked).toBe(false)
      expect(yield* lock.withLock(Effect.succeed(2))).toBe(2)
    }),
  )

  it.effect("many contending fibers never overlap", () =>
    Effect.gen(function* () {
      const lock = makeMutex()
      let inside = 0
      let most = 0
      const task = lock.withLock(
        Effect.gen(function* () {
          inside++
          most = Math.max(most, inside)
          yield* Effect.yieldNow()
          inside--
        }),
      )
      yield* Effect.all(
        Array.from({ length: 50 }, () => task),
        { concurrency: "unbounded" },
      )
      expect(most).toBe(1)
      expect(lock.locked).toBe(false)
    }),
  )
})
