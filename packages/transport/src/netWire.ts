/**
 * A `node:net` TCP connection as a TLS `Wire`, for `NodeTls.connect`. The platform `Socket`
 * path (`socketWire`) runs a fiber set, a latch and a race per write; on Node that machinery
 * cost more CPU per connection than the TLS handshake's own work, so the common case talks
 * to the socket through callbacks. Reads take everything that has arrived as one chunk; the
 * socket reads from the kernel up to 1 MiB at a time (node's default is 64 KiB), so when the
 * client is the slower side one read hands the engine dozens of records at once. Writes
 * complete when node hands the bytes to the kernel.
 *
 * @since 0.1.0
 */
import { type Socket as NetSocket, connect as netConnect } from "node:net"
import type { Fatal } from "@effect-tls/core"
import { concatBytes } from "@effect-tls/crypto"
import { Effect, Option, type Scope } from "effect"
import { ioError } from "./ioError.js"
import type { Wire } from "./pump.js"

/**
 * Where every connection's reads from the kernel land, up to 1 MiB at a time. One buffer
 * serves all sockets: node fills it and calls back synchronously for one socket at a time,
 * and the callback copies what arrived out before returning, so an idle connection holds no
 * read buffer of its own.
 */
const sharedReadBuffer = Buffer.allocUnsafe(1024 * 1024)

/** Bytes held before the socket is paused until the TLS engine asks for more. */
const highWaterMark = 4 * 1024 * 1024

type Received = Effect.Effect<Option.Option<Uint8Array>, Fatal>

/** What has arrived and not been read yet, and the read waiting for it. */
class Inbox {
  private readonly queued: Array<Uint8Array> = []
  private queuedBytes = 0
  private ended = false
  private failure: Fatal | undefined = undefined
  private waiting: ((received: Received) => void) | undefined = undefined
  /** Set once connected: resumes reading after a pause. */
  resumeSocket: () => void = () => {}

  /** Keeps a copy of `bytes` (the read buffer is reused); false asks the socket to pause. */
  push(bytes: Uint8Array): boolean {
    // allocUnsafe: no zero-filling of memory the copy overwrites at once.
    const copy = Buffer.allocUnsafe(bytes.length)
    copy.set(bytes)
    this.queued.push(new Uint8Array(copy.buffer, copy.byteOffset, copy.length))
    this.queuedBytes += bytes.length
    this.wake()
    return this.queuedBytes < highWaterMark
  }

  end(): void {
    this.ended = true
    this.wake()
  }

  fail(cause: unknown): void {
    this.failure ??= ioError("reading from the transport failed")(cause)
    this.wake()
  }

  /** The next read: everything queued, or the end, or undefined when nothing is there yet. */
  private take(): Received | undefined {
    if (this.queued.length > 0) {
      const chunk = this.queued.length === 1 ? this.queued[0]! : concatBytes(...this.queued)
      const paused = this.queuedBytes >= highWaterMark
      this.queued.length = 0
      this.queuedBytes = 0
      if (paused) this.resumeSocket()
      return Effect.succeed(Option.some(chunk))
    }
    if (this.failure !== undefined) return Effect.fail(this.failure)
    if (this.ended) return Effect.succeed(Option.none())
    return undefined
  }

  private wake(): void {
    const resume = this.waiting
    if (resume === undefined) return
    const next = this.take()
    if (next === undefined) return
    this.waiting = undefined
    resume(next)
  }

  readonly read: Received = Effect.async((resume) => {
    const next = this.take()
    if (next !== undefined) return resume(next)
    this.waiting = resume
    return Effect.sync(() => {
      if (this.waiting === resume) this.waiting = undefined
    })
  })
}

const writeTo =
  (socket: NetSocket) =>
  (bytes: Uint8Array): Effect.Effect<void, Fatal> =>
    Effect.async((resume) => {
      if (socket.destroyed || socket.writableEnded) {
        return resume(Effect.fail(ioError("writing to the transport failed")("the transport is closed")))
      }
      socket.write(bytes, (cause) =>
        resume(cause ? Effect.fail(ioError("writing to the transport failed")(cause)) : Effect.void),
      )
    })

/**
 * Opens a TCP connection to `host:port` as a `Wire`, scoped: the socket is destroyed when
 * the scope closes (after the TLS layer's close_notify, whose finalizer is added later and
 * so runs first).
 *
 * @since 0.1.0
 */
export const openNetWire = (host: string, port: number): Effect.Effect<Wire, Fatal, Scope.Scope> =>
  // Suspended: every run of the returned Effect gets a connection (and an inbox) of its own.
  Effect.suspend(() => {
    const inbox = new Inbox()
    return Effect.acquireRelease(
      Effect.async<NetSocket, Fatal>((resume) => {
        const socket = netConnect({
          host,
          port,
          onread: {
            buffer: sharedReadBuffer,
            callback: (length, buffer) => inbox.push(buffer.subarray(0, length)),
          },
        })
        const onConnectError = (cause: Error) => {
          socket.destroy()
          resume(Effect.fail(ioError(`cannot open a socket to ${host}:${port}`)(cause)))
        }
        socket.once("error", onConnectError)
        socket.once("connect", () => {
          socket.off("error", onConnectError)
          socket.on("error", (cause) => inbox.fail(cause))
          socket.on("end", () => inbox.end())
          socket.on("close", () => inbox.end())
          socket.setNoDelay(true)
          inbox.resumeSocket = () => socket.resume()
          resume(Effect.succeed(socket))
        })
        return Effect.sync(() => socket.destroy())
      }),
      (socket) =>
        Effect.sync(() => {
          if (!socket.destroyed) socket.destroySoon()
        }),
    ).pipe(Effect.map((socket): Wire => ({ read: inbox.read, write: writeTo(socket) })))
  })
