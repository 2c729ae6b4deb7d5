/**
 * `connect`: SSL_connect as an Effect in stream mode. The memory engine plus a pump over a
 * platform `Socket` (or any byte transport), scoped: closing the scope sends close_notify
 * and closes the transport. The fiber suspends on I/O, so `WantRead`/`WantWrite` never
 * escape; failures are `CleanShutdown` or `Fatal`.
 *
 * @since 0.1.0
 */
import type * as Socket from "@effect/platform/Socket"
import {
  CertificateVerifier,
  type CleanShutdown,
  type EngineRequirements,
  Fatal,
  FatalReason,
  makeEngine,
} from "@effect-tls/core"
import { NobleCrypto, TlsCrypto, type TlsCryptoService } from "@effect-tls/crypto"
import { Clock, Context, Deferred, Duration, Effect, Mailbox, Option, Scope } from "effect"
import { clientCertificateFor } from "./clientCertificate.js"
import { ioError } from "./ioError.js"
import { decodeOptions, resolveConfig, type TlsOptionsInput } from "./Options.js"
import { makePump, type Wire } from "./pump.js"
import { makeConnection, type TlsConnection } from "./TlsConnection.js"
import { type VerifyHook, verifierFor } from "./trust.js"

/** What `connect` takes besides the Schema-validated options. @since 0.1.0 */
export interface ConnectExtras {
  /** Checks after the built-in certificate verification (e.g. key pinning). */
  readonly verifyHook?: VerifyHook
  /** STARTTLS: bytes already read from the transport that belong to TLS. */
  readonly initialData?: Uint8Array
}

const defaultHandshakeTimeout = Duration.seconds(30)

/** How long closing the scope waits for close_notify to be written. */
const closeTimeout = Duration.seconds(2)

/** The crypto service in context, else the noble default. */
const cryptoService = Effect.flatMap(
  Effect.serviceOption(TlsCrypto),
  Option.match({ onNone: () => Effect.provide(TlsCrypto, NobleCrypto), onSome: Effect.succeed }),
)

/**
 * Services a caller that has them as values passes directly (`NodeTls.connect`): providing
 * each to the context cost an `acquireUseRelease` per connection. What is not given comes
 * from the context.
 */
export interface GivenServices {
  readonly crypto?: TlsCryptoService
  readonly systemRoots?: ReadonlyArray<string>
}

/**
 * `effect` with a timer `start` sets, cancelled (by the function `start` returns) when `effect`
 * ends. A match, not `Effect.ensuring`: with `ensuring` around the close_notify, every closed
 * connection (~13 KB) survived the minor GCs until the next full one on Node 20 (a closure
 * `uninterruptibleMask` stores into a property per run; see the `Connection` class). An
 * interrupted `effect` skips the match: `NodeTls`'s wire cancels its timers when it is
 * closed, and a timer left set on another wire only fails reads or closes a transport that
 * is gone.
 */
const whileTimer = <A, E, R>(start: () => () => void, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const cancel = start()
    return Effect.matchCauseEffect(effect, {
      onFailure: (cause) => {
        cancel()
        return Effect.failCause(cause)
      },
      onSuccess: (value) => {
        cancel()
        return Effect.succeed(value)
      },
    })
  })

/**
 * TLS over any byte transport (the STARTTLS entry point: pass bytes already read as
 * `initialData`).
 *
 * @since 0.1.0
 */
export const connectWire = (
  wire: Wire,
  options: TlsOptionsInput,
  extras: ConnectExtras = {},
): Effect.Effect<TlsConnection, CleanShutdown | Fatal, Scope.Scope> => connectWireWith(wire, options, extras, {})

/** `connectWire` with some services given as values (see `GivenServices`). */
export const connectWireWith = (
  wire: Wire,
  options: TlsOptionsInput,
  extras: ConnectExtras,
  given: GivenServices,
): Effect.Effect<TlsConnection, CleanShutdown | Fatal, Scope.Scope> =>
  Effect.gen(() => connectWireWithSteps(wire, options, extras, given))

/** The steps of `connectWireWith` (a generator made once: see inline.ts on generator closures). */
function* connectWireWithSteps(wire: Wire, options: TlsOptionsInput, extras: ConnectExtras, given: GivenServices) {
  const validated = yield* decodeOptions(options)
  const crypto = given.crypto ?? (yield* cryptoService)
  const config = {
    ...(yield* resolveConfig(validated)),
    clientCertificate: yield* clientCertificateFor(validated, crypto),
  }
  const verifier = yield* verifierFor(validated, extras.verifyHook, given.systemRoots)
  // The caller's services (a KeyLog, a SessionStore) with this connection's crypto and verifier over any in context,
  // and the fiber's clock, which the certificate checks then read without the runtime (see `inlineCurrentTimeMillis`).
  const context = (yield* Effect.context<never>()).pipe(
    Context.add(TlsCrypto, crypto),
    Context.add(CertificateVerifier, verifier),
    Context.add(Clock.Clock, yield* Effect.clock),
  ) as Context.Context<EngineRequirements>
  const maxPendingOutput = validated.limits?.maxPendingOutput
  // Bound to its services: no Effect.provide per operation.
  const engine = yield* makeEngine({
    config,
    services: context,
    ...(maxPendingOutput === undefined ? {} : { maxPendingOutput }),
  })
  if (extras.initialData !== undefined) yield* engine.feed(extras.initialData)
  const pump = yield* makePump(engine, wire)
  const timeout =
    validated.handshakeTimeoutMs === undefined ? defaultHandshakeTimeout : Duration.millis(validated.handshakeTimeoutMs)
  const timedOut = () =>
    new Fatal({
      reason: FatalReason.Timeout({ detail: `handshake not complete after ${Duration.format(timeout)}` }),
    })
  const handshake = pump.connect
  // The handshake only waits on reads: a wire that can fail them at a deadline saves a race.
  const failReadsAfter = wire.failReadsAfter
  const session = yield* (
    failReadsAfter === undefined
      ? Effect.timeoutFail(handshake, { duration: timeout, onTimeout: timedOut })
      : whileTimer(() => failReadsAfter(Duration.toMillis(timeout), timedOut), handshake)
  ).pipe(
    Effect.tap((s) =>
      Effect.annotateCurrentSpan({
        "tls.version": s.version,
        "tls.cipher_suite": s.cipherSuite,
        "tls.group": s.group,
        "tls.alpn": s.alpn ?? "",
        "tls.resumed": s.resumed,
        "tls.hello_retry_request": s.helloRetryRequest,
      }),
    ),
    // A timeout ends the handshake from outside: tell the server (user_canceled) before giving up.
    Effect.tapError((error) =>
      error._tag === "Fatal" && error.reason._tag === "Timeout"
        ? Effect.zipRight(engine.abort(error), Effect.ignore(Effect.timeout(pump.flush, closeTimeout)))
        : Effect.void,
    ),
    Effect.tapError((error) => Effect.annotateCurrentSpan("tls.error", error.message)),
    // No stack trace captured for the span: an Error per connection showed in the profile.
    Effect.withSpan("tls.connect", {
      attributes: { "tls.server_name": config.serverIdentity ?? "" },
      captureStackTrace: false,
    }),
  )
  const connection = yield* makeConnection(pump, session)
  const shutdown = Effect.interruptible(connection.shutdown)
  const closeAfter = wire.closeAfter
  // `Scope.addFinalizer`: `Effect.addFinalizer` also saves and restores the fiber's FiberRefs
  // around the finalizer, which close_notify does not need and which cost some 15-20 µs.
  yield* Scope.addFinalizer(
    yield* Effect.scope,
    Effect.ignore(
      closeAfter === undefined
        ? Effect.timeout(shutdown, closeTimeout)
        : whileTimer(() => closeAfter(Duration.toMillis(closeTimeout)), shutdown),
    ),
  )
  return connection
}

/**
 * A platform `Socket` as a byte `Wire`, run once (a `NodeSocket` opens its TCP connection on
 * `run`). For STARTTLS: speak plaintext over the wire, then hand it to `connectWire` with any
 * bytes read past the upgrade point as `initialData`.
 *
 * @since 0.1.0
 */
export const socketWire = (socket: Socket.Socket): Effect.Effect<Wire, Fatal, Scope.Scope> =>
  Effect.gen(() => socketWireSteps(socket))

/** The steps of `socketWire` (a generator made once: see inline.ts on generator closures). */
function* socketWireSteps(socket: Socket.Socket) {
  const incoming = yield* Mailbox.make<Uint8Array, Socket.SocketError>()
  const opened = yield* Deferred.make<void, Socket.SocketError>()
  const ended = yield* Deferred.make<void>()
  yield* socket
    .run((chunk) => void incoming.unsafeOffer(chunk), { onOpen: Deferred.succeed(opened, undefined) })
    .pipe(
      Effect.exit,
      Effect.flatMap((exit) =>
        Effect.all([Deferred.done(opened, exit), incoming.done(exit), Deferred.succeed(ended, undefined)]),
      ),
      Effect.forkScoped,
    )
  yield* Effect.mapError(Deferred.await(opened), ioError("opening the transport failed"))
  const write = yield* socket.writer
  // A platform socket's write waits for a running `run`: once the socket is gone, fail instead of waiting.
  const gone = Effect.zipRight(Deferred.await(ended), Effect.fail(new Error("the transport is closed")))
  return {
    read: incoming.take.pipe(
      Effect.map(Option.some),
      Effect.catchTag("NoSuchElementException", () => Effect.succeed(Option.none())),
      Effect.mapError(ioError("reading from the transport failed")),
    ),
    write: (bytes: Uint8Array) =>
      Effect.mapError(Effect.raceFirst(write(bytes), gone), ioError("writing to the transport failed")),
  }
}

/**
 * TLS over a platform `Socket`; the result is itself a `Socket`.
 *
 * @since 0.1.0
 */
export const connect = (
  socket: Socket.Socket,
  options: TlsOptionsInput,
  extras: ConnectExtras = {},
): Effect.Effect<TlsConnection, CleanShutdown | Fatal, Scope.Scope> =>
  Effect.flatMap(socketWire(socket), (wire) => connectWire(wire, options, extras))
