/**
 * Interruption and load against a local node:tls echo server (verified against the test
 * PKI, not insecure): `connect` interrupted at random points, hundreds of times, leaves no
 * open socket on the server and no running fiber; and 200 concurrent connections all
 * complete the handshake and get their own bytes echoed, with nothing crossing between
 * them.
 */
import { createServer, type Server, type Socket } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, FastCheck, Fiber, Logger, LogLevel, Supervisor } from "effect"
import { NodeTls } from "../../src/index.js"
import type { TlsConnection } from "../../src/TlsConnection.js"
import { testPki } from "../peers/certs.js"
import { startNodeTlsServer } from "../peers/nodeTlsServer.js"
import { guardProcess } from "./harness.js"

guardProcess()

/** Counts the server's open TCP connections, from accept to close (handshake or not). */
const countOpen = (server: Server) => {
  let open = 0
  server.on("connection", (socket: Socket) => {
    open++
    socket.once("close", () => open--)
  })
  return () => open
}

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
const eventually = (check: () => boolean, what: string, ms = 2000) =>
  Effect.gen(function* () {
    const until = Date.now() + ms
    while (!check()) {
      if (Date.now() > until) return yield* Effect.dieMessage(what)
      yield* Effect.sleep("2 millis")
    }
  })

/** A payload no other connection sends: its index, then bytes from a per-index generator. */
const payloadFor = (index: number, length: number): Uint8Array => {
  const bytes = new Uint8Array(length)
  new DataView(bytes.buffer).setUint32(0, index)
  let state = (index + 1) * 2654435761
  for (let i = 4; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0
    bytes[i] = state >>> 24
  }
  return bytes
}

/** Writes `data` and reads until as many bytes came back. */
const echo = (connection: TlsConnection, data: Uint8Array) =>
  Effect.gen(function* () {
    yield* connection.write(data)
    const received: Array<Uint8Array> = []
    let length = 0
    while (length < data.length) {
      const next = yield* connection.read
      if (next._tag === "None") break
      received.push(next.value)
      length += next.value.length
    }
    return Buffer.concat(received)
  })

const quiet = Logger.withMinimumLogLevel(LogLevel.Error)

describe("interruption and load (node:tls echo server)", () => {
  it.scopedLive(
    "connect interrupted after 300 random delays: no socket left open on the server, no fiber left running",
    () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        const server = yield* startNodeTlsServer()
        const open = countOpen(server.async.server)
        // node:crypto keeps each handshake cheap enough for 300 of them; the crypto layer is not what is tested here.
        const connectOptions = { host: "127.0.0.1", port: server.port, ca: pki.root.certPem, crypto: "node" } as const
        /** Connects, echoes, calls `established`, then holds the connection until interrupted. */
        const session = (index: number, established: () => void) =>
          Effect.scoped(
            Effect.gen(function* () {
              const connection = yield* NodeTls.connect(connectOptions)
              const data = payloadFor(index, 64)
              expect(new Uint8Array(yield* echo(connection, data))).toEqual(data)
              established()
              return yield* Effect.never
            }),
          ).pipe(quiet)

        /** A session interrupted after `delay` ms: whether it had echoed, and how many of its fibers still ran. */
        const interrupted = (index: number, delay: number) =>
          Effect.gen(function* () {
            const supervisor = yield* Supervisor.track
            let established = false
            const fiber = yield* session(index, () => (established = true)).pipe(
              Effect.supervised(supervisor),
              Effect.fork,
            )
            yield* Effect.sleep(delay)
            yield* Fiber.interrupt(fiber)
            const running = (yield* supervisor.value).filter((f) => f.unsafePoll() === null).length
            return { index, delay, established, running }
          })

        // The random delays span a whole session, from before the TCP connect to after the echo
        // (timed after a warm-up run: the first one also compiles and fills caches).
        const durations: Array<number> = []
        for (let i = 0; i < 6; i++) {
          const started = Date.now()
          const done = yield* Deferred.make<void>()
          const fiber = yield* Effect.fork(session(i, () => Deferred.unsafeDone(done, Effect.void)))
          yield* Deferred.await(done)
          if (i > 0) durations.push(Date.now() - started)
          yield* Fiber.interrupt(fiber)
        }
        const span = Math.ceil(1.3 * durations.sort((a, b) => a - b)[2]!)

        const delays = FastCheck.sample(FastCheck.integer({ min: 0, max: span }), { numRuns: 300, seed: 0x7e57 })
        const outcomes = { duringConnect: 0, established: 0 }
        for (const [index, delay] of delays.entries()) {
          const run = yield* interrupted(index, delay)
          outcomes[run.established ? "established" : "duringConnect"]++
          expect(run.running, `fibers still running after interruption #${index} at ${delay} ms`).toBe(0)
          yield* eventually(
            () => open() === 0,
            `the server still has ${open()} open connection(s) after interruption #${index} at ${delay} ms`,
          )
        }
        // The delays reach both sides of the handshake: some runs were cut during connect, some after the echo.
        expect(outcomes.duringConnect, JSON.stringify({ span, ...outcomes })).toBeGreaterThan(30)
        expect(outcomes.established, JSON.stringify({ span, ...outcomes })).toBeGreaterThan(30)
      }),
    60_000,
  )

  it.scopedLive(
    "200 concurrent connections: every one succeeds and gets exactly its own bytes back",
    () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        const server = yield* startNodeTlsServer()
        const open = countOpen(server.async.server)
        const supervisor = yield* Supervisor.track
        const count = 200
        const echoed = yield* Effect.forEach(
          Array.from({ length: count }, (_, index) => index),
          (index) =>
            Effect.scoped(
              Effect.gen(function* () {
                const connection = yield* NodeTls.connect({
                  host: "127.0.0.1",
                  port: server.port,
                  ca: pki.root.certPem,
                  crypto: "node",
                  // 200 handshakes share one thread: the last ones wait seconds for the CPU.
                  handshakeTimeoutMs: 120_000,
                })
                const data = payloadFor(index, 2048 + index)
                const back = yield* echo(connection, data)
                return { data, back }
              }),
            ),
          { concurrency: "unbounded" },
        ).pipe(Effect.supervised(supervisor), quiet)
        for (const { data, back } of echoed) expect(new Uint8Array(back)).toEqual(data)
        yield* eventually(() => open() === 0, "connections still open after 200 sessions")
        expect(server.connections).toHaveLength(count)
        const seen = server.connections.map((c) => Buffer.from(c.received()).toString("hex")).sort()
        const sent = echoed.map(({ data }) => Buffer.from(data).toString("hex")).sort()
        expect(seen).toEqual(sent)
        expect((yield* supervisor.value).filter((f) => f.unsafePoll() === null)).toEqual([])
      }),
    60_000,
  )
})

describe("timers of an interrupted handshake", () => {
  // A handshake timeout no other code uses, so that its timer can be told apart.
  const timeoutMs = 987_654

  it.scopedLive("interrupting the handshake (a silent server) clears its timeout timer when the scope closes", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const server = createServer(() => {})
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
        () => Effect.sync(() => server.close()),
      )
      const port = (server.address() as { port: number }).port
      const connected = countOpen(server)
      // Record the handshake's timer and whether it is cleared.
      const set = globalThis.setTimeout
      const clear = globalThis.clearTimeout
      const timers = new Set<unknown>()
      const cleared = new Set<unknown>()
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          globalThis.setTimeout = ((handler: () => void, ms?: number, ...rest: Array<unknown>) => {
            const timer = (set as (...args: Array<unknown>) => ReturnType<typeof setTimeout>)(handler, ms, ...rest)
            if (ms === timeoutMs) timers.add(timer)
            return timer
          }) as typeof setTimeout
          globalThis.clearTimeout = ((timer: Parameters<typeof clearTimeout>[0]) => {
            cleared.add(timer)
            clear(timer)
          }) as typeof clearTimeout
        }),
        () =>
          Effect.sync(() => {
            globalThis.setTimeout = set
            globalThis.clearTimeout = clear
          }),
      )
      const fiber = yield* Effect.fork(
        Effect.scoped(
          NodeTls.connect({
            host: "127.0.0.1",
            port,
            serverName: "localhost",
            ca: pki.root.certPem,
            handshakeTimeoutMs: timeoutMs,
          }),
        ),
      )
      yield* eventually(() => connected() === 1 && timers.size === 1, "the handshake did not start")
      yield* Fiber.interrupt(fiber)
      expect([...timers].filter((timer) => !cleared.has(timer))).toEqual([])
    }),
  )
})
