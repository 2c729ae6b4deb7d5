/**
 * Effects that can also run inline. `inlineGen`, `inlineSync`, `inlineSuspend`,
 * `inlineMapError`, `inlineEither` and `inlineCurrentTimeMillis` build ordinary Effects (same
 * meaning as `Effect.gen`, `Effect.sync`, `Effect.suspend`, `Effect.mapError`,
 * `Effect.either` and `Clock.currentTimeMillis`) that also keep their parts, so that
 * `runInline` can run them as plain function calls: a TLS handshake step with a synchronous
 * crypto layer is a few hundred such Effects, and the fiber runtime costs about a
 * microsecond for each. `runInline` falls back to the runtime at the first Effect it cannot
 * run itself (an asynchronous crypto call, a clock read with no `Clock` in its context) and
 * continues inline after it, so the result is the same whatever the layer; only the cost
 * differs.
 *
 * Generator functions must be made once: write the steps as a module-level `function*` (or
 * a class's generator method) taking what they need as arguments, and pass
 * `() => steps(a, b)` to `inlineGen` or `Effect.gen`. V8 gives every generator *closure* a
 * prototype and, at its first call, a new hidden class of its own, allocated in old space:
 * a `function* () {}` written inside a function that runs per handshake step cost ~3.4 µs
 * per call instead of ~0.2 µs, and its ~125 bytes of old-space map kept the closure and
 * all it captured alive through every scavenge until the next full collection (~94 KB per
 * handshake promoted, with ~80 such closures per handshake). A test in packages/core checks
 * the rule across the packages' sources.
 *
 * @since 0.1.0
 */
import { Cause, Clock, Context, Effect, Effectable, Either, Exit, Option } from "effect"
import { type YieldWrap, yieldWrapGet } from "effect/Utils"

type AnyEffect = Effect.Effect<unknown, unknown, unknown>
type Body = Iterator<YieldWrap<AnyEffect>, unknown, unknown>

/**
 * An Effect that remembers how it was made: run by the fiber runtime through `commit` (the
 * ordinary Effect it stands for), or by `runInline` from its parts.
 */
class Inline extends Effectable.Class<unknown, unknown, unknown> {
  constructor(
    readonly kind: "gen" | "sync" | "suspend" | "mapError" | "either" | "clock",
    /** The generator function, the thunk, or the wrapped Effect. */
    readonly source: unknown,
    readonly mapError?: (error: unknown) => unknown,
  ) {
    super()
  }

  commit(): AnyEffect {
    switch (this.kind) {
      case "gen":
        return (Effect.gen as unknown as (body: () => Body) => AnyEffect)(this.source as () => Body)
      case "sync":
        return Effect.sync(this.source as () => unknown)
      case "suspend":
        return Effect.suspend(this.source as () => AnyEffect)
      case "mapError":
        return Effect.mapError(this.source as AnyEffect, this.mapError!)
      case "either":
        return Effect.either(this.source as AnyEffect)
      case "clock":
        return this.source as AnyEffect
    }
  }
}

/**
 * `Effect.gen` (either form) whose generator `runInline` steps itself.
 *
 * @since 0.1.0
 */
export const inlineGen: typeof Effect.gen = function (this: unknown) {
  // biome-ignore lint/complexity/noArguments: the two forms of Effect.gen, passed on as they came
  const args = arguments as unknown as [unknown, ((...a: Array<unknown>) => Body)?]
  const body: () => Body =
    args.length === 1 ? (args[0] as () => Body) : () => (args[1] as (...a: Array<unknown>) => Body).call(args[0])
  return new Inline("gen", body)
} as unknown as typeof Effect.gen

/** `Effect.sync` whose thunk `runInline` calls itself. @since 0.1.0 */
export const inlineSync = <A>(thunk: () => A): Effect.Effect<A> =>
  new Inline("sync", thunk) as unknown as Effect.Effect<A>

/** `Effect.suspend` whose thunk `runInline` calls itself. @since 0.1.0 */
export const inlineSuspend = <A, E, R>(thunk: () => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  new Inline("suspend", thunk) as unknown as Effect.Effect<A, E, R>

/** `Effect.mapError` that `runInline` sees through. @since 0.1.0 */
export const inlineMapError = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  f: (error: E) => E2,
): Effect.Effect<A, E2, R> =>
  new Inline("mapError", self, f as (error: unknown) => unknown) as unknown as Effect.Effect<A, E2, R>

/** `Effect.either` that `runInline` sees through. @since 0.1.0 */
export const inlineEither = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Either.Either<A, E>, never, R> =>
  new Inline("either", self) as unknown as Effect.Effect<Either.Either<A, E>, never, R>

/**
 * `Clock.currentTimeMillis` that `runInline` reads from a `Clock` in its context (a
 * connection puts its fiber's clock there), so that a step that checks certificate validity
 * periods needs no runtime. Without one, the fiber's clock, as `Clock.currentTimeMillis`.
 *
 * @since 0.1.0
 */
export const inlineCurrentTimeMillis: Effect.Effect<number> = new Inline(
  "clock",
  Clock.currentTimeMillis,
) as unknown as Effect.Effect<number>

/** Turns the exit of what it wraps into an Either (failures with an error only; defects go on). */
const toEither = { either: true } as const

/**
 * What waits for an exit: a generator for the value of what it yielded, a mapError for a
 * failure on its way out, or an `inlineEither`.
 */
type Frame = Body | ((error: unknown) => unknown) | typeof toEither

const isToEither = (frame: Frame): frame is typeof toEither => frame === toEither

/**
 * Runs `effect` as far as it can without the fiber runtime: the Effects above, completed
 * ones (`Exit`s, such as `Effect.succeed` and `Effect.void`; `Either`s) and service tags
 * found in `context`. Returns the `Exit` when it got to the end; otherwise an Effect that
 * runs the first Effect it could not run (`Effect.fail` of an object is one: it records the
 * current span) and then goes on inline. A generator is not resumed after a failure, as with
 * `Effect.gen`; a throw is a defect.
 *
 * @since 0.1.0
 */
export const runInline = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  context: Context.Context<R>,
): Effect.Effect<A, E, R> =>
  drive([], effect as AnyEffect, undefined, context as Context.Context<unknown>) as Effect.Effect<A, E, R>

/**
 * The interpreter: evaluates `first` (when given) or hands `returned` back to the frame on
 * top of the stack, until the stack is empty or an Effect needs the runtime.
 */
const drive = (
  stack: Array<Frame>,
  first: AnyEffect | undefined,
  returned: Exit.Exit<unknown, unknown> | undefined,
  context: Context.Context<unknown>,
): AnyEffect => {
  let effect = first
  // What goes back to the frame on top: `value`, unless `failure` is set.
  let value: unknown
  let failure: Exit.Failure<unknown, unknown> | undefined
  if (returned !== undefined) {
    if (Exit.isSuccess(returned)) value = returned.value
    else failure = returned
  }
  for (;;) {
    if (effect !== undefined) {
      const current = effect
      effect = undefined
      failure = undefined
      value = undefined
      try {
        if (current instanceof Inline) {
          switch (current.kind) {
            case "gen":
              stack.push((current.source as () => Body)())
              break
            case "sync":
              value = (current.source as () => unknown)()
              break
            case "suspend":
              effect = (current.source as () => AnyEffect)()
              continue
            case "mapError":
              stack.push(current.mapError!)
              effect = current.source as AnyEffect
              continue
            case "either":
              stack.push(toEither)
              effect = current.source as AnyEffect
              continue
            case "clock": {
              const clock = Context.getOption(context, Clock.Clock)
              if (Option.isSome(clock)) {
                value = clock.value.unsafeCurrentTimeMillis()
                break
              }
              effect = current.source as AnyEffect
              continue
            }
          }
        } else {
          // Completed Effects and Eithers, recognised by their tag first (the full checks are slower).
          const tag = (current as { readonly _tag?: unknown })._tag
          if ((tag === "Success" || tag === "Failure") && Exit.isExit(current)) {
            if (Exit.isSuccess(current)) value = current.value
            else failure = current
          } else if ((tag === "Right" || tag === "Left") && Either.isEither(current)) {
            if (Either.isRight(current)) value = current.right
            else failure = Exit.fail(current.left) as Exit.Failure<unknown, unknown>
          } else {
            const service = Context.isTag(current) ? Context.getOption(context, current) : Option.none()
            if (Option.isNone(service)) {
              return Effect.matchCauseEffect(current, {
                onSuccess: (result) => drive(stack, undefined, Exit.succeed(result), context),
                onFailure: (cause) => drive(stack, undefined, Exit.failCause(cause), context),
              })
            }
            value = service.value
          }
        }
      } catch (defect) {
        failure = Exit.die(defect) as Exit.Failure<unknown, unknown>
      }
    }
    const frame = stack.pop()
    if (frame === undefined) return failure ?? Exit.succeed(value)
    if (typeof frame === "function") {
      if (failure !== undefined) failure = Exit.mapError(failure, frame) as Exit.Failure<unknown, unknown>
      continue
    }
    if (isToEither(frame)) {
      if (failure === undefined) {
        value = Either.right(value)
      } else {
        const error = Cause.failureOption(failure.cause)
        if (Option.isSome(error)) {
          value = Either.left(error.value)
          failure = undefined
        }
      }
      continue
    }
    if (failure !== undefined) continue
    let next: IteratorResult<YieldWrap<AnyEffect>, unknown>
    try {
      next = frame.next(value)
    } catch (defect) {
      failure = Exit.die(defect) as Exit.Failure<unknown, unknown>
      continue
    }
    if (next.done === true) {
      value = next.value
    } else {
      stack.push(frame)
      effect = yieldWrapGet(next.value)
    }
  }
}
