/**
 * A `node:net` socket as a TLS `Wire`, for `NodeTls.connect`. The platform `Socket` path
 * (`socketWire`) runs a fiber set, a latch and a race per write; on Node that machinery cost
 * more CPU per connection than the TLS handshake's own work, so the common case talks to the
 * socket through callbacks: reads take whatever has arrived (coalesced into one chunk),
 * writes complete when node hands the bytes to the kernel.
 *
 * @since 0.1.0
 */
import { type Socket as NetSocket, connect as netConnect } from "node:net"
import { Fatal, FatalReason } from "@effect-tls/core"
import { concatBytes } from "@effect-tls/crypto"
import { Effect, Option, type Scope } from "effect"
import type { Wire } from "./pump.js"

/** Bytes held before the socket is paused until the TLS engine asks for more. */
const highWaterMark = 256 * 1024

const ioFailure = (detail: string, cause: unknown) =>
  new Fatal({
    reason: FatalReason.Io({ detail: `${detail}: ${cause instanceof Error ? cause.message : String(cause)}`, cause }),
  })

type Resume = (effect: Effect.Effect<Option.Option<Uint8Array>, Fatal>) => void

/**
 * Reads and writes over a connected `net.Socket`. The caller owns the socket's lifetime
 * (see `openNetSocket`).
 *
 * @since 0.1.0
 */
export const netSocketWire = (socket: NetSocket): Wire => {
  const queued: Array<Uint8Array> = []
  let queuedBytes = 0
  let ended = false
  let failure: Fatal | undefined
  let waiting: Resume | undefined

  const take = (): Effect.Effect<Option.Option<Uint8Array>, Fatal> | undefined => {
    if (queued.length > 0) {
      const chunk = queued.length === 1 ? queued[0]! : concatBytes(...queued)
      queued.length = 0
      queuedBytes = 0
      if (socket.isPaused()) socket.resume()
      return Effect.succeed(Option.some(chunk))
    }
    if (failure !== undefined) return Effect.fail(failure)
    if (ended) return Effect.succeed(Option.none())
    return undefined
  }
  const wake = () => {
    const resume = waiting
    if (resume === undefined) return
    const next = take()
    if (next === undefined) return
    waiting = undefined
    resume(next)
  }
  socket.on("data", (chunk: Buffer) => {
    queued.push(chunk)
    queuedBytes += chunk.length
    if (queuedBytes >= highWaterMark) socket.pause()
    wake()
  })
  socket.on("end", () => {
    ended = true
    wake()
  })
  socket.on("error", (cause) => {
    failure ??= ioFailure("reading from the transport failed", cause)
    wake()
  })
  socket.on("close", () => {
    ended = true
    wake()
  })

  const read = Effect.async<Option.Option<Uint8Array>, Fatal>((resume) => {
    const next = take()
    if (next !== undefined) return resume(next)
    waiting = resume
    return Effect.sync(() => {
      if (waiting === resume) waiting = undefined
    })
  })
  const write = (bytes: Uint8Array) =>
    Effect.async<void, Fatal>((resume) => {
      if (socket.destroyed || socket.writableEnded) {
        return resume(Effect.fail(ioFailure("writing to the transport failed", "the transport is closed")))
      }
      socket.write(bytes, (cause) =>
        resume(cause ? Effect.fail(ioFailure("writing to the transport failed", cause)) : Effect.void),
      )
    })
  return { read, write }
}

/**
 * Opens a TCP connection, scoped: the socket is destroyed when the scope closes (after the
 * TLS layer's close_notify, whose finalizer is added later and so runs first).
 *
 * @since 0.1.0
 */
export const openNetSocket = (host: string, port: number): Effect.Effect<NetSocket, Fatal, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<NetSocket, Fatal>((resume) => {
      const socket = netConnect({ host, port })
      const onError = (cause: Error) => {
        socket.destroy()
        resume(Effect.fail(ioFailure(`cannot open a socket to ${host}:${port}`, cause)))
      }
      socket.once("error", onError)
      socket.once("connect", () => {
        socket.off("error", onError)
        // Errors from here on reach the wire as a failed read or write; this keeps an error
        // that comes before the wire listens from being an uncaught exception.
        socket.on("error", () => {})
        socket.setNoDelay(true)
        resume(Effect.succeed(socket))
      })
      return Effect.sync(() => socket.destroy())
    }),
    (socket) =>
      Effect.sync(() => {
        if (!socket.destroyed) socket.destroySoon()
      }),
  )
