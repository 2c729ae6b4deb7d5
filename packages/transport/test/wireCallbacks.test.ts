/**
 * A `Wire` with `callbacks` (the handshake then runs in its read callbacks, see
 * `Pump.connect`), written here over a plain `node:net` socket: reads handed over before
 * `callbacks.read` returns and reads handed over later, both in one handshake; and a
 * handshake that times out stops waiting for its read.
 */
import { createServer, connect as netConnect, type Server, type Socket } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Fatal, FatalReason } from "@effect-tls/core"
import { connectWire, type Wire } from "@effect-tls/transport"
import { Effect, Exit, Option } from "effect"
import { testPki } from "./peers/certs.js"
import { startNodeTlsServer } from "./peers/nodeTlsServer.js"

type Received = Exit.Exit<Option.Option<ReadonlyArray<Uint8Array>>, Fatal>
type OnRead = (received: Received) => void

const ioFailure = (detail: string) => new Fatal({ reason: FatalReason.Io({ detail, cause: undefined }) })

/** What the test wire did. */
interface WireLog {
  /** Reads handed over before `callbacks.read` returned, and reads it had to wait for. */
  readonly handedAtOnce: number
  readonly waited: number
  /** Waits stopped through the function `callbacks.read` returned. */
  readonly stopped: number
}

/**
 * A wire over `socket` whose reads give at most `slice` bytes, so that a flight takes several
 * reads and every read after the first finds bytes already there.
 */
const slicingWire = (socket: Socket, slice: number): { readonly wire: Wire; readonly log: () => WireLog } => {
  const queued: Array<Uint8Array> = []
  let ended = false
  let waiting: OnRead | undefined
  let handedAtOnce = 0
  let waited = 0
  let stopped = 0
  const take = (): Received | undefined => {
    const first = queued.shift()
    if (first === undefined) return ended ? Exit.succeed(Option.none()) : undefined
    if (first.length > slice) queued.unshift(first.subarray(slice))
    return Exit.succeed(Option.some([first.subarray(0, slice)]))
  }
  const wake = () => {
    const onRead = waiting
    const next = onRead === undefined ? undefined : take()
    if (onRead === undefined || next === undefined) return
    waiting = undefined
    onRead(next)
  }
  socket.on("data", (data: Buffer) => {
    queued.push(new Uint8Array(data))
    wake()
  })
  socket.on("end", () => {
    ended = true
    wake()
  })
  const read = (onRead: OnRead) => {
    const next = take()
    if (next !== undefined) {
      handedAtOnce++
      onRead(next)
      return undefined
    }
    waited++
    waiting = onRead
    return () => {
      if (waiting !== onRead) return
      waiting = undefined
      stopped++
    }
  }
  const write = (bytes: Uint8Array) => {
    if (socket.destroyed) return ioFailure("the socket is closed")
    socket.write(bytes)
    return undefined
  }
  const wire: Wire = {
    read: Effect.async((resume) => {
      const stop = read(resume)
      return stop === undefined ? undefined : Effect.sync(stop)
    }),
    write: (bytes) =>
      Effect.suspend(() => {
        const failed = write(bytes)
        return failed === undefined ? Effect.void : Effect.fail(failed)
      }),
    callbacks: { read, write },
  }
  return { wire, log: () => ({ handedAtOnce, waited, stopped }) }
}

/** A TCP connection to `port` on 127.0.0.1, destroyed with the scope. */
const tcp = (port: number) =>
  Effect.acquireRelease(
    Effect.async<Socket, Fatal>((resume) => {
      const socket = netConnect({ host: "127.0.0.1", port })
      socket.once("connect", () => resume(Effect.succeed(socket)))
      socket.once("error", (cause) => resume(Effect.fail(ioFailure(cause.message))))
    }),
    (socket) => Effect.sync(() => socket.destroy()),
  )

describe("a wire with callbacks", () => {
  it.scopedLive("the handshake takes reads handed over at once and reads it waits for, then data flows", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const server = yield* startNodeTlsServer()
      const { wire, log } = slicingWire(yield* tcp(server.port), 100)
      const connection = yield* connectWire(wire, { serverName: "localhost", ca: pki.root.certPem })
      expect(connection.session.certificateVerified).toBe(true)
      const handshake = log()
      expect(handshake.waited).toBeGreaterThan(0)
      expect(handshake.handedAtOnce).toBeGreaterThan(0)
      yield* connection.write(new TextEncoder().encode("over callbacks"))
      expect(new TextDecoder().decode(Option.getOrThrow(yield* connection.read))).toBe("over callbacks")
    }),
  )

  it.scopedLive("a handshake that times out stops waiting for its read", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      // A TCP server that accepts and never answers.
      const silent = yield* Effect.acquireRelease(
        Effect.async<Server>((resume) => {
          const server = createServer(() => {})
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) => Effect.sync(() => server.close()),
      )
      const { wire, log } = slicingWire(yield* tcp((silent.address() as { port: number }).port), 100)
      const failure = yield* Effect.flip(
        Effect.scoped(connectWire(wire, { serverName: "localhost", ca: pki.root.certPem, handshakeTimeoutMs: 300 })),
      )
      expect(failure).toMatchObject({ _tag: "Fatal", reason: { _tag: "Timeout" } })
      expect(log()).toMatchObject({ waited: 1, stopped: 1 })
    }),
  )
})
