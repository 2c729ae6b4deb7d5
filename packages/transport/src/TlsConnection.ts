/**
 * An established TLS connection: the session facts, Effects typed with `Fatal` for callers
 * who want them, and the platform `Socket` interface, so any code that consumes a Socket
 * works over TLS (its `SocketError`s carry the `Fatal` as `cause`).
 *
 * @since 0.1.0
 */
import * as Socket from "@effect/platform/Socket"
import { type Fatal, makeMutex, type SessionInfo, X509 } from "@effect-tls/core"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import type { Pump } from "./pump.js"

/** RFC 9266: the label of the tls-exporter channel binding. @since 0.1.0 */
export const channelBindingLabel = "EXPORTER-Channel-Binding"

/** An established TLS connection. @since 0.1.0 */
export interface TlsConnection extends Socket.Socket {
  /** What was negotiated and verified. */
  readonly session: SessionInfo
  /** The server's certificates, parsed (leaf first; ones that do not parse are left out). */
  readonly peerCertificates: ReadonlyArray<X509.Certificate>
  /**
   * The next application data (everything that has arrived, as one chunk); `None` after the
   * peer's close_notify.
   */
  readonly read: Effect.Effect<Option.Option<Uint8Array>, Fatal>
  /**
   * `read` without joining: one chunk per TLS record, as decrypted. For bulk readers: no copy
   * of the data into one buffer.
   */
  readonly readChunks: Effect.Effect<Option.Option<ReadonlyArray<Uint8Array>>, Fatal>
  /** The application data as a `Stream` (one element per TLS record); it ends at the peer's close_notify. */
  readonly stream: Stream.Stream<Uint8Array, Fatal>
  /** Sends application data. */
  readonly write: (data: Uint8Array) => Effect.Effect<void, Fatal>
  /** Sends close_notify; the transport is closed with the connection's scope. */
  readonly shutdown: Effect.Effect<void, Fatal>
  /** Sends a KeyUpdate (RFC 8446 section 4.6.3). */
  readonly keyUpdate: (requestPeer: boolean) => Effect.Effect<void, Fatal>
  /** Exported keying material (RFC 8446 section 7.5). */
  readonly exportKeyingMaterial: (
    label: string,
    context: Uint8Array,
    length: number,
  ) => Effect.Effect<Uint8Array, Fatal>
  /** The RFC 9266 tls-exporter channel binding (32 bytes), e.g. for SCRAM-SHA-256-PLUS. */
  readonly channelBinding: Effect.Effect<Uint8Array, Fatal>
}

const encoder = new TextEncoder()

const socketError = (reason: "Read" | "Write") => (cause: Fatal) => new Socket.SocketGenericError({ reason, cause })

/** The steps of a connection's `run` (a generator made once: see inline.ts on generator closures). */
function* runSteps<_, E, R>(
  readChunks: Effect.Effect<Option.Option<ReadonlyArray<Uint8Array>>, Fatal>,
  // biome-ignore lint/suspicious/noConfusingVoidType: the handler type of Socket's `run`
  handler: (_: Uint8Array) => Effect.Effect<_, E, R> | void,
  options: { readonly onOpen?: Effect.Effect<void> | undefined } | undefined,
) {
  if (options?.onOpen) yield* options.onOpen
  for (;;) {
    const next = yield* Effect.mapError(readChunks, socketError("Read"))
    if (Option.isNone(next)) return
    for (const chunk of next.value) {
      const handled = handler(chunk)
      if (Effect.isEffect(handled)) yield* handled
    }
  }
}

/**
 * A connection: a class, so that it is a fast-mode object. The object literal it replaces
 * (a getter and a symbol key among sixteen properties) was kept in dictionary mode, an
 * 832-byte property table per connection. Function-valued members are own fields, bound to
 * the connection, so they can be passed on (`Effect.flatMap(data, connection.write)`); the
 * members most callers never use are made on first use.
 *
 * The bound functions are arrow-function fields, not `this.write = (data) => ...` in the
 * constructor: on Node 20 (V8 11.3) a function literal stored straight into a property that
 * way survives every minor GC until the next full one, and with it all it captures (here
 * the pump, the engine and its keys): a closed connection's ~13 KB were promoted to the old
 * generation instead of dying young. A reproduction: `class C { constructor(big) { this.f =
 * () => big } }` keeps every `big`; `const f = () => big; this.f = f`, an object literal
 * `{ f: () => big }` or a field `f = () => this.big` does not.
 */
class Connection implements TlsConnection {
  readonly [Socket.TypeId]: Socket.TypeId = Socket.TypeId
  readonly read: TlsConnection["read"]
  readonly readChunks: TlsConnection["readChunks"]
  readonly shutdown: TlsConnection["shutdown"]
  readonly write: TlsConnection["write"] = (data) => this.pump.drive(this.pump.engine.write(data))
  readonly run: TlsConnection["run"] = (handler, options) =>
    Effect.gen(() => runSteps(this.readChunks, handler, options))
  readonly runRaw: TlsConnection["runRaw"] = this.run
  readonly keyUpdate: TlsConnection["keyUpdate"] = (requestPeer) =>
    this.pump.drive(this.pump.engine.keyUpdate(requestPeer))
  readonly exportKeyingMaterial: TlsConnection["exportKeyingMaterial"] = (label, context, length) =>
    this.pump.engine.exportKeyingMaterial(label, context, length)
  private parsedCertificates: TlsConnection["peerCertificates"] | undefined
  private madeStream: TlsConnection["stream"] | undefined
  private madeWriter: TlsConnection["writer"] | undefined
  private madeChannelBinding: TlsConnection["channelBinding"] | undefined

  constructor(
    private readonly pump: Pump,
    readonly session: SessionInfo,
  ) {
    const readLock = makeMutex()
    const { engine } = pump
    this.read = readLock.withLock(pump.drive(engine.read))
    this.readChunks = readLock.withLock(pump.drive(engine.readChunks))
    this.shutdown = Effect.asVoid(pump.drive(engine.shutdown))
  }

  /** Parsed on first use: most callers never look. */
  get peerCertificates(): TlsConnection["peerCertificates"] {
    this.parsedCertificates ??= this.session.peerCertificates.flatMap((der) => {
      const parsed = X509.parseCertificate(der)
      return Either.isRight(parsed) ? [parsed.right] : []
    })
    return this.parsedCertificates
  }

  get stream(): TlsConnection["stream"] {
    this.madeStream ??= Stream.repeatEffectChunkOption(
      Effect.flatMap(
        Effect.mapError(this.readChunks, Option.some),
        Option.match({
          onNone: () => Effect.fail(Option.none()),
          onSome: (chunks) => Effect.succeed(Chunk.unsafeFromArray(chunks)),
        }),
      ),
    )
    return this.madeStream
  }

  get writer(): TlsConnection["writer"] {
    if (this.madeWriter === undefined) {
      const writeChunk = (chunk: Uint8Array | string | Socket.CloseEvent) =>
        Effect.mapError(
          Socket.isCloseEvent(chunk)
            ? this.shutdown
            : this.write(typeof chunk === "string" ? encoder.encode(chunk) : chunk),
          socketError("Write"),
        )
      this.madeWriter = Effect.acquireRelease(Effect.succeed(writeChunk), () => Effect.ignore(this.shutdown))
    }
    return this.madeWriter
  }

  get channelBinding(): TlsConnection["channelBinding"] {
    this.madeChannelBinding ??= this.exportKeyingMaterial(channelBindingLabel, new Uint8Array(0), 32)
    return this.madeChannelBinding
  }
}

/**
 * The connection over a pump whose engine has completed the handshake. Operations run with
 * the services the engine was bound to at connect time.
 *
 * @since 0.1.0
 */
export const makeConnection = (pump: Pump, session: SessionInfo): Effect.Effect<TlsConnection> =>
  Effect.sync(() => new Connection(pump, session))
