/**
 * Stream mode = memory mode + a pump. On any `Want*` the pump first drains the engine's
 * output to the transport (the ClientHello is waiting there when the first `WantRead`
 * comes), then, on `WantRead`, reads from the transport and feeds the engine; then the
 * operation is retried. One state machine serves both modes.
 *
 * @since 0.1.0
 */
import {
  type CleanShutdown,
  type ConnectError,
  Fatal,
  FatalReason,
  isWant,
  makeMutex,
  type SessionInfo,
  type TlsEngine,
  type WantRead,
  type WantWrite,
} from "@effect-tls/core"
import { Cause, Effect, Exit, Option } from "effect"

/** What a wire's read gives: what arrived (one chunk or consecutive chunks), or `None` at end of stream. */
export type WireRead = Option.Option<Uint8Array | ReadonlyArray<Uint8Array>>

/**
 * A wire moved by plain callbacks: the handshake then runs in the read callback that brings
 * its bytes, and its fiber is resumed once at the end instead of once per flight.
 *
 * @since 0.1.0
 */
export interface WireCallbacks {
  /**
   * Hands the next read to `onRead`: at once, before returning, when one is there (then
   * undefined), else later (then a function that stops waiting).
   */
  readonly read: (onRead: (received: Exit.Exit<WireRead, Fatal>) => void) => (() => void) | undefined
  /**
   * Hands `bytes` to the transport without waiting for it to take them (for handshake
   * flights, a few KB); the failure when it cannot.
   */
  readonly write: (bytes: Uint8Array) => Fatal | undefined
}

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
  readonly read: Effect.Effect<WireRead, Fatal>
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
  /** Optional: the same wire through plain callbacks (see `WireCallbacks`). */
  readonly callbacks?: WireCallbacks
}

/** The engine and its wire, with a lock that keeps drained output in order on the wire. @since 0.1.0 */
export interface Pump {
  readonly engine: TlsEngine<never>
  readonly wire: Wire
  /** Sends everything the engine has produced. */
  readonly flush: Effect.Effect<void, Fatal>
  /** Runs `operation` until it stops asking for I/O, moving bytes as it asks. */
  readonly drive: <A, E, R>(operation: Effect.Effect<A, E | WantRead | WantWrite, R>) => Effect.Effect<A, E | Fatal, R>
  /** The handshake: `drive(engine.connect)`, moved by the wire's callbacks when it has them. */
  readonly connect: Effect.Effect<SessionInfo, CleanShutdown | Fatal>
}

const unexpectedEof = () =>
  new Fatal({ reason: FatalReason.UnexpectedEof({ detail: "the transport closed without close_notify" }) })

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
        onNone: () => Effect.fail(unexpectedEof()),
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
    const connect =
      wire.callbacks === undefined ? drive(engine.connect) : connectByCallbacks(engine, wire.callbacks, drive)
    return { engine, wire, flush, drive, connect }
  })

/**
 * The handshake moved by the wire's callbacks: each attempt of `connect` runs as plain calls
 * (`unsafeConnect`) in the read callback that brought its bytes, and the fiber is resumed
 * once, with the result. From the first attempt that needs the fiber runtime (an
 * asynchronous crypto layer, a KeyLog), `drive` takes over. This saves the Effect operations
 * of a locked `connect`, a flush and a read per flight, and a fiber resumption per flight:
 * measured, 0.1-0.2 ms of CPU per noble handshake, nothing measurable with the node layer.
 */
const connectByCallbacks = (
  engine: TlsEngine<never>,
  wire: WireCallbacks,
  drive: Pump["drive"],
): Effect.Effect<SessionInfo, CleanShutdown | Fatal> =>
  Effect.async((resume) => {
    let stopReading: (() => void) | undefined
    /** Sends what the engine produced; the failure when the wire cannot take it. */
    const send = (): Fatal | undefined => {
      const bytes = engine.unsafeDrain()
      return bytes.length === 0 ? undefined : wire.write(bytes)
    }
    const onRead = (received: Exit.Exit<WireRead, Fatal>): void => {
      stopReading = undefined
      if (Exit.isFailure(received)) resume(Exit.failCause(received.cause))
      else if (Option.isNone(received.value)) resume(Exit.fail(unexpectedEof()))
      else {
        // Uncopied: the engine is done with them before it asks for more (see `Wire`).
        engine.unsafeFeed(received.value.value, { transfer: true })
        attempt()
      }
    }
    /** What comes after an attempt that ran to the end: the result, or a wait for bytes. */
    const after = (
      exit: Exit.Exit<SessionInfo, ConnectError>,
    ): Effect.Effect<SessionInfo, CleanShutdown | Fatal> | undefined => {
      // Our flight, or the alert of a failure (which wins over a failure to send it).
      const unsent = send()
      if (Exit.isSuccess(exit)) return unsent === undefined ? (exit as Exit.Exit<SessionInfo>) : Exit.fail(unsent)
      const error = Cause.failureOption(exit.cause)
      if (Option.isNone(error) || !isWant(error.value)) return exit as Exit.Exit<never, CleanShutdown | Fatal>
      if (unsent !== undefined) return Exit.fail(unsent)
      // WantWrite: the output was just drained, so `drive` goes on at once.
      if (error.value._tag === "WantWrite") return drive(engine.connect)
      // A read handed over at once has run `onRead` (and the attempts after it) already.
      const stop = wire.read(onRead)
      if (stop !== undefined) stopReading = stop
      return undefined
    }
    const attempt = (): void => {
      const result = engine.unsafeConnect()
      if (Exit.isExit(result)) {
        const next = after(result as Exit.Exit<SessionInfo, ConnectError>)
        if (next !== undefined) resume(next)
        return
      }
      // The rest of this attempt needs the runtime: `drive` runs it, then `connect` as usual.
      let rest: typeof result | undefined = result
      resume(
        drive(
          Effect.suspend(() => {
            const next = rest ?? engine.connect
            rest = undefined
            return next
          }),
        ),
      )
    }
    attempt()
    return Effect.sync(() => stopReading?.())
  })
