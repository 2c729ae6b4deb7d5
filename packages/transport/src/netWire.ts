/**
 * A `node:net` TCP connection as a TLS `Wire`, for `NodeTls.connect`. The platform `Socket`
 * path (`socketWire`) runs a fiber set, a latch and a race per write; on Node that machinery
 * cost more CPU per connection than the TLS handshake's own work, so the common case talks
 * to the socket through callbacks. A read takes every chunk that has arrived, so when the
 * client is the slower side one read hands the engine dozens of records at once. Writes
 * complete when node has taken the bytes (see `writeTo`). Downloads are read into one
 * buffer per connection that is lent to the engine, not into fresh memory (see `Inbox`).
 *
 * @since 0.1.0
 */
import { type Socket as NetSocket, connect as netConnect } from "node:net"
import type { Fatal } from "@effect-tls/core"
import { copyBytes } from "@effect-tls/crypto"
import { Effect, Exit, Option, Scope } from "effect"
import { ioError } from "./ioError.js"
import type { Wire } from "./pump.js"

/**
 * Where small reads from the kernel land. One buffer serves all sockets: node fills it and
 * calls back synchronously for one socket at a time, and the callback copies what arrived
 * out before returning, so an idle connection holds no read buffer of its own.
 */
const sharedReadBuffer = Buffer.allocUnsafe(64 * 1024)

/**
 * A socket whose last read filled the shared buffer is downloading: it reads into a buffer
 * of this size of its own, lent to the engine (see `Inbox`), and dropped once reads are
 * small again. Copying bulk data out of the shared buffer into fresh memory cost more CPU
 * (mostly page faults) than decrypting it with AES-GCM, and reading into a fresh buffer per
 * read doubled the memory V8 had to track: in 64 MiB downloads over the node layer, a
 * buffer reused instead of fresh ones took CPU per download from ~300 to ~200 ms and the
 * V8 helper threads' share from 70-190 to 50-80 ms.
 */
const bulkReadLength = 1024 * 1024

/** Bytes held before the socket is paused until the TLS engine asks for more. */
const highWaterMark = 4 * 1024 * 1024

type Received = Exit.Exit<Option.Option<Uint8Array | ReadonlyArray<Uint8Array>>, Fatal>

/**
 * What has arrived and not been read yet, and the read waiting for it. A chunk of the
 * connection's download buffer is lent: it is the reader's until its next read, so the
 * socket pauses from the moment such a chunk arrives until that next read, and the kernel
 * writes into the buffer only after the engine is done with it (the engine processes every
 * byte it was fed before it asks for more).
 */
class Inbox {
  private queued: Array<Uint8Array> = []
  private queuedBytes = 0
  /** A queued chunk is lent. */
  private queuedLent = false
  /** The last read returned a lent chunk, which the reader holds until its next read. */
  private lentOut = false
  /** The socket is paused (its read callback returned false). */
  private paused = false
  private ended = false
  private failure: Fatal | undefined = undefined
  private waiting: ((received: Received) => void) | undefined = undefined
  /** Set once connected: the socket to resume after a pause. */
  socket: NetSocket | undefined = undefined

  /** Keeps `bytes` (handed over, or `lent`: see the class); false asks the socket to pause. */
  push(bytes: Uint8Array, lent: boolean): boolean {
    this.queued.push(bytes)
    this.queuedBytes += bytes.length
    if (lent) this.queuedLent = true
    this.wake()
    this.paused = this.mustPause()
    return !this.paused
  }

  private mustPause(): boolean {
    return this.queuedBytes >= highWaterMark || this.queuedLent || this.lentOut
  }

  private resumeIfAllowed(): void {
    if (!this.paused || this.mustPause()) return
    this.paused = false
    this.socket?.resume()
  }

  end(): void {
    this.ended = true
    this.wake()
  }

  fail(cause: unknown): void {
    this.failWith(ioError("reading from the transport failed")(cause))
  }

  /** Fails the waiting read and later ones with `failure` (kept: the first failure wins). */
  failWith(failure: Fatal): void {
    this.failure ??= failure
    this.wake()
  }

  /** The next read: every chunk queued (not joined: that would copy them), or the end, or undefined when nothing is there yet. */
  private take(): Received | undefined {
    if (this.queued.length > 0) {
      const chunks = this.queued.length === 1 ? this.queued[0]! : this.queued
      this.queued = []
      this.queuedBytes = 0
      this.lentOut = this.queuedLent
      this.queuedLent = false
      this.resumeIfAllowed()
      return Exit.succeed(Option.some(chunks))
    }
    if (this.failure !== undefined) return Exit.fail(this.failure)
    if (this.ended) return Exit.succeed(Option.none())
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

  /**
   * The next read, handed to `onRead` at once when something is there (and then true), else
   * when it arrives (false: `onRead` waits until then or until `stopWaiting`).
   */
  readNow(onRead: (received: Received) => void): boolean {
    // A new read: the reader is done with the chunk it was lent.
    this.lentOut = false
    this.resumeIfAllowed()
    const next = this.take()
    if (next !== undefined) {
      onRead(next)
      return true
    }
    this.waiting = onRead
    return false
  }

  /** Stops `onRead` waiting for a read. */
  stopWaiting(onRead: (received: Received) => void): void {
    if (this.waiting === onRead) this.waiting = undefined
  }

  readonly read: Effect.Effect<Option.Option<Uint8Array | ReadonlyArray<Uint8Array>>, Fatal> = Effect.async((resume) =>
    this.readNow(resume) ? undefined : Effect.sync(() => this.stopWaiting(resume)),
  )
}

/**
 * Runs `action` after `millis` unless the returned function is called first; the timer keeps
 * no process alive. `armed` holds the timer's cancel function while it is set, so that
 * closing the connection cancels a timer whose user was interrupted before it could.
 */
const after = (armed: Set<() => void>, millis: number, action: () => void): (() => void) => {
  const timer = setTimeout(() => {
    armed.delete(cancel)
    action()
  }, millis)
  timer.unref()
  const cancel = () => {
    armed.delete(cancel)
    clearTimeout(timer)
  }
  armed.add(cancel)
  return cancel
}

const writeFailed = ioError("writing to the transport failed")

/** Waits until node has written what it buffered, or fails once the socket is gone. */
const drained = (socket: NetSocket): Effect.Effect<void, Fatal> =>
  Effect.async((resume) => {
    const done = () => {
      socket.off("drain", onDrain)
      socket.off("close", onClose)
    }
    const onDrain = () => {
      done()
      resume(Effect.void)
    }
    const onClose = () => {
      done()
      resume(Effect.fail(writeFailed("the transport closed before its buffer drained")))
    }
    socket.on("drain", onDrain)
    socket.on("close", onClose)
    return Effect.sync(done)
  })

/**
 * Hands `bytes` to node: true while its buffer is under the high-water mark, false when the
 * writer should wait for it to drain, or the failure when the socket is closed. A write that
 * fails later fails the reads (and the socket is destroyed, so later writes fail).
 */
const writeNow = (socket: NetSocket, inbox: Inbox, bytes: Uint8Array): boolean | Fatal => {
  if (socket.destroyed || socket.writableEnded) return writeFailed("the transport is closed")
  return socket.write(bytes, (cause) => {
    if (cause) inbox.failWith(writeFailed(cause))
  })
}

/**
 * A write completes once node has taken the bytes: at once while its buffer is under the
 * high-water mark, else when the buffer has drained (backpressure). Waiting for each write's
 * callback cost a round of the event loop and a fiber resumption per flight and per record.
 */
const writeTo =
  (socket: NetSocket, inbox: Inbox) =>
  (bytes: Uint8Array): Effect.Effect<void, Fatal> =>
    Effect.suspend(() => {
      const written = writeNow(socket, inbox, bytes)
      return written === true ? Effect.void : written === false ? drained(socket) : Effect.fail(written)
    })

/**
 * Opens a TCP connection to `host:port` as a `Wire`, scoped: the socket is destroyed when
 * the scope closes (after the TLS layer's close_notify, whose finalizer is added later and
 * so runs first). Opening is interruptible, so `Effect.timeout` ends a connect that hangs
 * (an unreachable host): the release is in the scope before the socket exists, and an
 * interrupted connect destroys its socket. (`Effect.acquireRelease` would make the connect
 * uninterruptible, and its finalizer costs several times what `Scope.addFinalizer` does.)
 *
 * @since 0.1.0
 */
export const openNetWire = (host: string, port: number): Effect.Effect<Wire, Fatal, Scope.Scope> =>
  Effect.flatMap(Effect.scope, (scope) => {
    // Per run of the returned Effect: a connection (and an inbox) of its own.
    const inbox = new Inbox()
    let downloading = false
    /** The download buffer, while downloading (an idle connection holds none). */
    let downloadBuffer: Buffer | undefined
    let opened: NetSocket | undefined
    /** Timers set through the wire and not yet run or cancelled (see `after`). */
    const armed = new Set<() => void>()
    const release = Effect.sync(() => {
      for (const cancel of armed) cancel()
      if (opened !== undefined && !opened.destroyed) opened.destroySoon()
    })
    return Effect.zipRight(
      Scope.addFinalizer(scope, release),
      Effect.async<NetSocket, Fatal>((resume) => {
        const socket = netConnect({
          host,
          port,
          onread: {
            // Asked after each read for the next one's buffer; the socket is paused while a chunk of the download buffer is lent.
            buffer: () => (downloading ? (downloadBuffer ??= Buffer.allocUnsafe(bulkReadLength)) : sharedReadBuffer),
            callback: (length, buffer) => {
              // A read as large as the shared buffer (it filled it, or the download buffer got as much) is a download.
              downloading = length >= sharedReadBuffer.length
              if (!downloading) downloadBuffer = undefined
              // The shared buffer serves every socket: copied out. The download buffer is lent.
              return buffer === sharedReadBuffer
                ? inbox.push(copyBytes(buffer.subarray(0, length)), false)
                : inbox.push(new Uint8Array(buffer.buffer, buffer.byteOffset, length), true)
            },
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
          inbox.socket = socket
          opened = socket
          resume(Effect.succeed(socket))
        })
        // Interrupted while connecting.
        return Effect.sync(() => socket.destroy())
      }),
    ).pipe(
      Effect.map(
        (socket): Wire => ({
          read: inbox.read,
          write: writeTo(socket, inbox),
          callbacks: {
            read: (onRead) => (inbox.readNow(onRead) ? undefined : () => inbox.stopWaiting(onRead)),
            // A handshake flight is a few KB: node's buffer takes it whatever its level.
            write: (bytes) => {
              const written = writeNow(socket, inbox, bytes)
              return typeof written === "boolean" ? undefined : written
            },
          },
          failReadsAfter: (millis, onTimeout) => after(armed, millis, () => inbox.failWith(onTimeout())),
          closeAfter: (millis) => after(armed, millis, () => socket.destroy()),
        }),
      ),
    )
  })
