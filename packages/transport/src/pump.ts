/**
 * Stream mode = memory mode + a pump. On any `Want*` the pump first drains the engine's
 * output to the transport (the ClientHello is waiting there when the first `WantRead`
 * comes), then, on `WantRead`, reads from the transport and feeds the engine; then the
 * operation is retried. One state machine serves both modes.
 *
 * @since 0.1.0
 */
import { Fatal, FatalReason, isWant, makeMutex, type TlsEngine, type WantRead, type WantWrite } from "@effect-tls/core"
import { Effect, Option } from "effect"

/**
 * A byte transport under TLS: a read returns what arrived, as one chunk or as consecutive
 * chunks in order, and `None` at end of stream. A chunk's bytes must stay unchanged at least
 * until the next read: fresh buffers handed over, as in an Effect `Stream`, or a buffer the
 * wire reuses once read again. The pump feeds chunks to the engine uncopied and reads again
 * only when the engine asks for more bytes, which it does only once it has processed every
 * byte fed (keeping copies of what it still needs).
 *
 * @since 0.1.0
 */
export interface Wire {
  readonly read: Effect.Effect<Option.Option<Uint8Array | ReadonlyArray<Uint8Array>>, Fatal>
  readonly write: (bytes: Uint8Array) => Effect.Effect<void, Fatal>
  /**
   * Optional, for a wire that can keep a deadline with a plain timer: after `millis`, unless
   * the returned function is called first, the waiting read and every later one fail with
   * `onTimeout()`; writes still work (for the alert that follows). Without it, a deadline is
   * a race with a timer (`Effect.timeout`: two fibers and some 50 Effect operations).
   */
  readonly failReadsAfter?: (millis: number, onTimeout: () => Fatal) => () => void
  /**
   * Optional, as `failReadsAfter`: after `millis`, unless the returned function is called
   * first, the transport is closed and waiting reads and writes end.
   */
  readonly closeAfter?: (millis: number) => () => void
}

/** The engine and its wire, with a lock that keeps drained output in order on the wire. @since 0.1.0 */
export interface Pump {
  readonly engine: TlsEngine<never>
  readonly wire: Wire
  /** Sends everything the engine has produced. */
  readonly flush: Effect.Effect<void, Fatal>
  /** Runs `operation` until it stops asking for I/O, moving bytes as it asks. */
  readonly drive: <A, E, R>(operation: Effect.Effect<A, E | WantRead | WantWrite, R>) => Effect.Effect<A, E | Fatal, R>
}

/** The pump over an engine and a wire. @since 0.1.0 */
export const makePump = (engine: TlsEngine<never>, wire: Wire): Effect.Effect<Pump> =>
  Effect.sync(() => {
    const sendLock = makeMutex()
    const send = sendLock.withLock(
      Effect.flatMap(engine.drain, (bytes) => (bytes.length === 0 ? Effect.void : wire.write(bytes))),
    )
    const flush = Effect.flatMap(engine.pendingOutput, (pending) => (pending === 0 ? Effect.void : send))
    const receive = Effect.flatMap(
      wire.read,
      Option.match({
        onNone: () =>
          Effect.fail(
            new Fatal({ reason: FatalReason.UnexpectedEof({ detail: "the transport closed without close_notify" }) }),
          ),
        // Uncopied: the engine is done with them before it asks for more (see `Wire`).
        onSome: (bytes) => engine.feed(bytes, { transfer: true }),
      }),
    )
    const onWant = (error: WantRead | WantWrite) =>
      error._tag === "WantRead" ? Effect.zipRight(flush, receive) : flush
    const drive = <A, E, R>(operation: Effect.Effect<A, E | WantRead | WantWrite, R>) => {
      // A plain loop rather than `Effect.retry`: no schedule to drive per record.
      const attempt: Effect.Effect<A, E | Fatal, R> = Effect.catchIf(operation, isWant, (error) =>
        Effect.zipRight(onWant(error), attempt),
      ) as Effect.Effect<A, E | Fatal, R>
      // Send what the operation produced (our Finished, a record, an alert) before returning or failing.
      return Effect.tapBoth(attempt, { onFailure: () => Effect.ignore(flush), onSuccess: () => flush })
    }
    return { engine, wire, flush, drive }
  })
