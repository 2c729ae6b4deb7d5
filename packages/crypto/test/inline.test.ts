/**
 * `runInline` against the fiber runtime: the same program gives the same exit either way;
 * programs made only of inline Effects finish without the runtime (an `Exit` comes back);
 * an Effect that needs the runtime is run by it and the rest continues inline.
 */
import { describe, expect, it } from "@effect/vitest"
import { inlineEither, inlineGen, inlineMapError, inlineSuspend, inlineSync, runInline } from "@effect-tls/crypto"
import { Cause, Context, Data, Effect, Either, Exit } from "effect"
import * as fc from "fast-check"

class Counter extends Context.Tag("test/Counter")<Counter, { readonly step: number }>() {}
class Boom extends Data.TaggedError("Boom")<{ readonly at: string }> {}
class Wrapped extends Data.TaggedError("Wrapped")<{ readonly inner: unknown }> {}

const context = Context.make(Counter, { step: 3 })

describe("runInline", () => {
  it("runs nested generators, sync thunks, suspends and services without the runtime", () => {
    const inner = (x: number) =>
      inlineGen(function* () {
        const counter = yield* Counter
        const doubled = yield* inlineSync(() => x * 2)
        return yield* inlineSuspend(() => Effect.succeed(doubled + counter.step))
      })
    const program = inlineGen(function* () {
      const a = yield* inner(1)
      const b = yield* inner(a)
      return [a, b]
    })
    const result = runInline(program, context)
    expect(Exit.isExit(result)).toBe(true)
    expect(result).toStrictEqual(Exit.succeed([5, 13]))
    expect(Effect.runSync(Effect.provide(program, context))).toStrictEqual([5, 13])
  })

  it("stops a generator at a failure and maps it through every mapError on the way out", () => {
    const after: Array<string> = []
    const failing = inlineGen(function* () {
      yield* Effect.fail(new Boom({ at: "inner" }))
      after.push("inner resumed")
      return 1
    })
    const program = inlineMapError(
      inlineGen(function* () {
        const value = yield* inlineMapError(failing, (error) => new Wrapped({ inner: error }))
        after.push("outer resumed")
        return value
      }),
      (error) => new Wrapped({ inner: error }),
    )
    // Effect.fail of an object needs the runtime (it records the current span): runInline hands it over.
    const result = Effect.runSyncExit(Effect.provide(runInline(program, context), context))
    expect(result).toStrictEqual(Exit.fail(new Wrapped({ inner: new Wrapped({ inner: new Boom({ at: "inner" }) }) })))
    expect(after).toStrictEqual([])
    expect(Effect.runSyncExit(program)).toStrictEqual(result)
  })

  it("turns a throw into a defect", () => {
    const result = runInline(
      inlineGen(function* () {
        yield* inlineSync(() => {
          throw new Error("bug")
        })
      }),
      context,
    ) as Exit.Exit<void>
    expect(Exit.isExit(result) && Exit.isFailure(result) && Cause.isDie(result.cause)).toBe(true)
  })

  it("hands an Effect it cannot run to the runtime and continues inline after it", async () => {
    const seen: Array<string> = []
    const program = inlineGen(function* () {
      seen.push("before")
      const slow = yield* Effect.promise(() => Promise.resolve(20))
      seen.push("after")
      const missing = yield* Effect.serviceOption(Counter)
      return slow + (missing._tag === "Some" ? missing.value.step : 0) + (yield* inlineSync(() => 1))
    })
    const result = runInline(program, context)
    expect(Exit.isExit(result)).toBe(false)
    expect(seen).toStrictEqual(["before"])
    expect(await Effect.runPromise(Effect.provide(result, context))).toBe(24)
    expect(seen).toStrictEqual(["before", "after"])
  })

  it("maps failures of Effects the runtime ran", async () => {
    const program = inlineMapError(
      inlineGen(function* () {
        yield* Effect.promise(() => Promise.resolve())
        return yield* Effect.fail(new Boom({ at: "async" }))
      }),
      (error) => new Wrapped({ inner: error }),
    )
    const exit = await Effect.runPromiseExit(Effect.provide(runInline(program, context), context))
    expect(exit).toStrictEqual(Exit.fail(new Wrapped({ inner: new Boom({ at: "async" }) })))
  })

  type Program = {
    readonly kind: "value" | "fail" | "async" | "gen" | "mapError" | "suspend" | "either" | "left"
    readonly children: ReadonlyArray<Program>
  }
  const kind = fc.constantFrom<Program["kind"]>(
    "value",
    "fail",
    "async",
    "gen",
    "mapError",
    "suspend",
    "either",
    "left",
  )
  const program: fc.Arbitrary<Program> = fc.letrec<{ program: Program }>((tie) => ({
    program: fc.oneof(
      { maxDepth: 4, depthIdentifier: "program" },
      fc.record({ kind, children: fc.constant([]) }),
      fc.record({ kind, children: fc.array(tie("program"), { maxLength: 3 }) }),
    ),
  })).program

  /** A program's Effect; every node records its visit so both runs can be compared step by step. */
  const build = (node: Program, trace: Array<string>, path: string): Effect.Effect<number, Boom | Wrapped> => {
    const children = node.children.map((child, i) => build(child, trace, `${path}.${i}`))
    const sum = inlineGen(function* () {
      trace.push(path)
      let total = 1
      for (const child of children) total += yield* child
      return total
    })
    switch (node.kind) {
      case "value":
        return Effect.map(sum, (n) => n * 2)
      case "fail":
        return Effect.zipRight(sum, Effect.fail(new Boom({ at: path })))
      case "async":
        return Effect.flatMap(
          Effect.promise(() => Promise.resolve(7)),
          (n) => Effect.map(sum, (m) => m + n),
        )
      case "gen":
        return sum
      case "mapError":
        return inlineMapError(sum, (error) => new Wrapped({ inner: error }))
      case "suspend":
        return inlineSuspend(() => sum)
      case "either":
        return inlineGen(function* () {
          const result = yield* inlineEither(sum)
          return Either.isRight(result) ? result.right : -1
        })
      case "left":
        return inlineGen(function* () {
          const total = yield* sum
          return total > 3 ? yield* Either.left(new Boom({ at: path })) : yield* Either.right(total)
        })
    }
  }

  it("gives the runtime's exit and trace for any program", async () => {
    await fc.assert(
      fc.asyncProperty(program, async (tree) => {
        const viaRuntime: Array<string> = []
        const viaInline: Array<string> = []
        const expected = await Effect.runPromiseExit(build(tree, viaRuntime, "r"))
        const actual = await Effect.runPromiseExit(runInline(build(tree, viaInline, "r"), Context.empty()))
        expect(actual).toStrictEqual(expected)
        expect(viaInline).toStrictEqual(viaRuntime)
      }),
      { numRuns: 300 },
    )
  })
})
