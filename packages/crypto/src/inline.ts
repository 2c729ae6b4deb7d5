/**
 * Effects that can also run inline. `inlineGen`, `inlineSync`, `inlineSuspend`,
 * `inlineMapError` and `inlineEither` build ordinary Effects (same meaning as `Effect.gen`,
 * `Effect.sync`, `Effect.suspend`, `Effect.mapError` and `Effect.either`) that also remember
 * how they were made, so that
 * `runInline` can run them as plain function calls: a TLS handshake step with a
 * synchronous crypto layer is a few hundred such Effects, and the fiber runtime costs
 * microseconds for each. `runInline` falls back to the runtime at the first Effect it cannot
 * run itself (an asynchronous crypto call, a clock read) and continues inline after it, so
 * the result is the same whatever the layer; only the cost differs.
 *
 * @since 0.1.0
 */
import { Cause, Context, Effect, Either, Exit, Option } from "effect"
import { type YieldWrap, yieldWrapGet } from "effect/Utils"

const genKey = Symbol.for("@effect-tls/crypto/inline/gen")
const syncKey = Symbol.for("@effect-tls/crypto/inline/sync")
const suspendKey = Symbol.for("@effect-tls/crypto/inline/suspend")
const mapErrorKey = Symbol.for("@effect-tls/crypto/inline/mapError")
const eitherKey = Symbol.for("@effect-tls/crypto/inline/either")

type AnyEffect = Effect.Effect<unknown, unknown, unknown>
type Body = Iterator<YieldWrap<AnyEffect>, unknown, unknown>

interface Marked {
  [genKey]?: () => Body
  [syncKey]?: () => unknown
  [suspendKey]?: () => AnyEffect
  [mapErrorKey]?: { readonly self: AnyEffect; readonly f: (error: unknown) => unknown }
  [eitherKey]?: AnyEffect
}

const mark = <T extends keyof Marked>(effect: object, key: T, value: Marked[T]) => {
  ;(effect as Marked)[key] = value
  return effect
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
  return mark((Effect.gen as (...a: Array<unknown>) => AnyEffect)(...args), genKey, body)
} as typeof Effect.gen

/** `Effect.sync` whose thunk `runInline` calls itself. @since 0.1.0 */
export const inlineSync = <A>(thunk: () => A): Effect.Effect<A> =>
  mark(Effect.sync(thunk), syncKey, thunk) as Effect.Effect<A>

/** `Effect.suspend` whose thunk `runInline` calls itself. @since 0.1.0 */
export const inlineSuspend = <A, E, R>(thunk: () => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  mark(Effect.suspend(thunk), suspendKey, thunk as () => AnyEffect) as Effect.Effect<A, E, R>

/** `Effect.mapError` that `runInline` sees through. @since 0.1.0 */
export const inlineMapError = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  f: (error: E) => E2,
): Effect.Effect<A, E2, R> =>
  mark(Effect.mapError(self, f), mapErrorKey, {
    self: self as AnyEffect,
    f: f as (error: unknown) => unknown,
  }) as Effect.Effect<A, E2, R>

/** `Effect.either` that `runInline` sees through. @since 0.1.0 */
export const inlineEither = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Either.Either<A, E>, never, R> =>
  mark(Effect.either(self), eitherKey, self as AnyEffect) as Effect.Effect<Either.Either<A, E>, never, R>

/** Turns the exit of what it wraps into an Either (failures with an error only; defects go on). */
const toEither = { either: true } as const

/**
 * What waits for an exit: a generator for the value of what it yielded, a mapError for a
 * failure on its way out, or an `inlineEither`.
 */
type Frame = Body | ((error: unknown) => unknown) | typeof toEither

const isToEither = (frame: Frame): frame is typeof toEither => frame === toEither

const attempt = <A>(thunk: () => A): Exit.Exit<A, never> => {
  try {
    return Exit.succeed(thunk())
  } catch (defect) {
    return Exit.die(defect)
  }
}

/**
 * Runs `effect` as far as it can without the fiber runtime: the Effects above, completed
 * ones (`Effect.succeed`, `Effect.fail`: they are `Exit`s) and service tags found in
 * `context`. Returns the `Exit` when it got to the end; otherwise an Effect that runs the
 * first Effect it could not run and then goes on inline. `Either`s count as completed. A
 * generator is not resumed after a
 * failure, as with `Effect.gen`; a throw is a defect.
 *
 * @since 0.1.0
 */
export const runInline = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  context: Context.Context<R>,
): Effect.Effect<A, E, R> =>
  drive([], effect as AnyEffect, undefined, context as Context.Context<unknown>) as Effect.Effect<A, E, R>

/**
 * The interpreter: evaluates `effect` (when given) or hands `exit` back to the frame on top
 * of the stack, until the stack is empty or an Effect needs the runtime.
 */
const drive = (
  stack: Array<Frame>,
  first: AnyEffect | undefined,
  returned: Exit.Exit<unknown, unknown> | undefined,
  context: Context.Context<unknown>,
): AnyEffect => {
  let effect = first
  let exit = returned ?? Exit.void
  for (;;) {
    if (effect !== undefined) {
      const current = effect as AnyEffect & Marked
      effect = undefined
      // Completed Effects and Eithers first, recognised by their tag (the full checks are slower).
      const tag = (current as { readonly _tag?: unknown })._tag
      if ((tag === "Success" || tag === "Failure") && Exit.isExit(current)) {
        exit = current
      } else if ((tag === "Right" || tag === "Left") && Either.isEither(current)) {
        exit = Either.isRight(current) ? Exit.succeed(current.right) : Exit.fail(current.left)
      } else if (current[syncKey] !== undefined) {
        exit = attempt(current[syncKey])
      } else if (current[suspendKey] !== undefined) {
        const next = attempt(current[suspendKey])
        if (Exit.isSuccess(next)) {
          effect = next.value
          continue
        }
        exit = next
      } else if (current[genKey] !== undefined) {
        const body = attempt(current[genKey])
        if (Exit.isSuccess(body)) stack.push(body.value)
        exit = Exit.isSuccess(body) ? Exit.void : body
      } else if (current[eitherKey] !== undefined) {
        stack.push(toEither)
        effect = current[eitherKey]
        continue
      } else if (current[mapErrorKey] !== undefined) {
        stack.push(current[mapErrorKey].f)
        effect = current[mapErrorKey].self
        continue
      } else {
        const service = Context.isTag(current) ? Context.getOption(context, current) : Option.none()
        if (Option.isNone(service)) {
          return Effect.matchCauseEffect(current, {
            onSuccess: (value) => drive(stack, undefined, Exit.succeed(value), context),
            onFailure: (cause) => drive(stack, undefined, Exit.failCause(cause), context),
          })
        }
        exit = Exit.succeed(service.value)
      }
    }
    const frame = stack.pop()
    if (frame === undefined) return exit
    if (typeof frame === "function") {
      if (Exit.isFailure(exit)) exit = Exit.mapError(exit, frame)
      continue
    }
    if (isToEither(frame)) {
      if (Exit.isSuccess(exit)) {
        exit = Exit.succeed(Either.right(exit.value))
      } else {
        const error = Cause.failureOption(exit.cause)
        if (Option.isSome(error)) exit = Exit.succeed(Either.left(error.value))
      }
      continue
    }
    if (Exit.isFailure(exit)) continue
    let next: IteratorResult<YieldWrap<AnyEffect>, unknown>
    try {
      next = frame.next(exit.value)
    } catch (defect) {
      exit = Exit.die(defect)
      continue
    }
    if (next.done === true) {
      exit = Exit.succeed(next.value)
    } else {
      stack.push(frame)
      effect = yieldWrapGet(next.value)
    }
  }
}
