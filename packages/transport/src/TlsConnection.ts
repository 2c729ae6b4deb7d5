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
 * The connection over a pump whose engine has completed the handshake. Operations run with
 * the services the engine was bound to at connect time.
 *
 * @since 0.1.0
 */
export const makeConnection = (pump: Pump, session: SessionInfo): Effect.Effect<TlsConnection> =>
  Effect.sync(() => {
    const readLock = makeMutex()
    const { engine } = pump
    let peerCertificates: ReadonlyArray<X509.Certificate> | undefined
    const read = readLock.withLock(pump.drive(engine.read))
    const readChunks = readLock.withLock(pump.drive(engine.readChunks))
    const write = (data: Uint8Array) => pump.drive(engine.write(data))
    const shutdown = Effect.asVoid(pump.drive(engine.shutdown))
    const exportKeyingMaterial = (label: string, context: Uint8Array, length: number) =>
      engine.exportKeyingMaterial(label, context, length)

    const run: Socket.Socket["run"] = (handler, options) => Effect.gen(() => runSteps(readChunks, handler, options))

    const writeChunk = (chunk: Uint8Array | string | Socket.CloseEvent) =>
      Effect.mapError(
        Socket.isCloseEvent(chunk) ? shutdown : write(typeof chunk === "string" ? encoder.encode(chunk) : chunk),
        socketError("Write"),
      )

    return {
      [Socket.TypeId]: Socket.TypeId,
      run,
      runRaw: run,
      writer: Effect.acquireRelease(Effect.succeed(writeChunk), () => Effect.ignore(shutdown)),
      session,
      // Parsed on first use: most callers never look.
      get peerCertificates() {
        peerCertificates ??= session.peerCertificates.flatMap((der) => {
          const parsed = X509.parseCertificate(der)
          return Either.isRight(parsed) ? [parsed.right] : []
        })
        return peerCertificates
      },
      read,
      readChunks,
      stream: Stream.repeatEffectChunkOption(
        Effect.flatMap(
          Effect.mapError(readChunks, Option.some),
          Option.match({
            onNone: () => Effect.fail(Option.none()),
            onSome: (chunks) => Effect.succeed(Chunk.unsafeFromArray(chunks)),
          }),
        ),
      ),
      write,
      shutdown,
      keyUpdate: (requestPeer) => pump.drive(engine.keyUpdate(requestPeer)),
      exportKeyingMaterial,
      channelBinding: exportKeyingMaterial(channelBindingLabel, new Uint8Array(0), 32),
    }
  })
