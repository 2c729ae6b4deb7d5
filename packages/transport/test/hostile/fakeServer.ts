/**
 * A fake server for the hostile-peer tests: raw TCP on 127.0.0.1 (port 0) that runs a
 * script per connection. The script reads what the client sent, record by record, and
 * answers with bytes the test composes: at once, trickled (slowloris), or not at all; it
 * may close (FIN) or reset (RST) at any point. Every byte the client sent and how each
 * connection ended are recorded, so a test can check the alert we sent and that our
 * socket was released.
 */
import * as Net from "node:net"
import { Data, Deferred, Duration, Effect, type Exit, FiberId, FiberSet, type Scope } from "effect"

/** The client closed its side before the script got what it waited for. */
export class ClientGone extends Data.TaggedError("ClientGone")<{}> {}

/** One accepted connection, as the fake server sees it. */
export interface FakeConnection {
  /** Every byte the client sent so far. */
  readonly received: () => Uint8Array
  /** Completes when the socket has closed and the script has ended. */
  readonly settled: Effect.Effect<void>
  /** How the script ended, once it has (a failure here is a bug in the test's script). */
  readonly scriptExit: () => Exit.Exit<void, unknown> | undefined
}

/** What a script drives one connection with. */
export interface FakePeer {
  readonly connection: FakeConnection
  /**
   * The complete records the client sent since the last call (at least one), waiting for
   * them; fails with `ClientGone` once the client has closed and nothing complete is left.
   */
  readonly records: Effect.Effect<Uint8Array, ClientGone>
  /** Writes bytes (nothing once our side is ended or the socket closed). */
  readonly send: (bytes: Uint8Array) => Effect.Effect<void>
  /** Writes `bytes` in pieces of `size` bytes, one every `every` (slowloris); stops when the socket closes. */
  readonly trickle: (bytes: Uint8Array, every: Duration.DurationInput, size?: number) => Effect.Effect<void>
  /** Ends our side (FIN) once what was written is out. */
  readonly end: Effect.Effect<void>
  /** Resets the connection (RST). */
  readonly reset: Effect.Effect<void>
  /** Waits until the socket is closed. */
  readonly closed: Effect.Effect<void>
}

/** A script: what the server does on one connection. */
export type Script = (peer: FakePeer) => Effect.Effect<void, unknown>

/** A running fake server. */
export interface FakeServer {
  readonly port: number
  /** The `index`-th accepted connection (0-based), waiting for it. */
  readonly connection: (index?: number) => Effect.Effect<FakeConnection>
}

/** The total length of the complete records at the start of `bytes`. */
const completeRecords = (bytes: Uint8Array): number => {
  let at = 0
  while (at + 5 <= bytes.length) {
    const end = at + 5 + ((bytes[at + 3]! << 8) | bytes[at + 4]!)
    if (end > bytes.length) break
    at = end
  }
  return at
}

/** A wake-up for code waiting on socket events. */
const signal = () => {
  const waiters = new Set<() => void>()
  return {
    notify: () => {
      for (const waiter of [...waiters]) waiter()
    },
    wait: <A>(check: () => A | undefined): Effect.Effect<A> =>
      Effect.async<A>((resume) => {
        const attempt = () => {
          const value = check()
          if (value === undefined) return false
          waiters.delete(listener)
          resume(Effect.succeed(value))
          return true
        }
        const listener = () => void attempt()
        if (attempt()) return
        waiters.add(listener)
        return Effect.sync(() => waiters.delete(listener))
      }),
  }
}

/** Records what arrives on `socket` and makes the connection's view and the script's handle of it. */
const track = (socket: Net.Socket, done: Deferred.Deferred<void>) => {
  const chunks: Array<Uint8Array> = []
  let length = 0
  let consumed = 0
  let ended = false
  let closed = false
  let scriptExit: Exit.Exit<void, unknown> | undefined
  const changed = signal()
  socket.on("data", (chunk: Buffer) => {
    chunks.push(new Uint8Array(chunk))
    length += chunk.length
    changed.notify()
  })
  socket.on("end", () => {
    ended = true
    changed.notify()
  })
  socket.on("error", () => {})
  socket.on("close", () => {
    closed = true
    changed.notify()
  })
  const received = (): Uint8Array => {
    if (chunks.length !== 1) {
      const all = new Uint8Array(length)
      let at = 0
      for (const chunk of chunks) {
        all.set(chunk, at)
        at += chunk.length
      }
      chunks.length = 0
      chunks.push(all)
    }
    return chunks[0] ?? new Uint8Array(0)
  }
  const isClosed = changed.wait(() => (closed ? true : undefined))
  const connection: FakeConnection = {
    received,
    settled: Effect.zipRight(isClosed, Deferred.await(done)),
    scriptExit: () => scriptExit,
  }
  const whenOpen = (write: () => void) =>
    Effect.sync(() => (socket.destroyed || socket.writableEnded ? undefined : write()))
  const peer: FakePeer = {
    connection,
    records: Effect.flatMap(
      changed.wait(() => {
        const fresh = received().subarray(consumed)
        const complete = completeRecords(fresh)
        if (complete > 0) return fresh.subarray(0, complete)
        return ended || closed ? null : undefined
      }),
      (records) => {
        if (records === null) return Effect.fail(new ClientGone())
        consumed += records.length
        return Effect.succeed(records.slice())
      },
    ),
    send: (bytes) => whenOpen(() => socket.write(bytes)),
    trickle: (bytes, every, size = 1) =>
      Effect.gen(function* () {
        for (let at = 0; at < bytes.length && !socket.destroyed; at += size) {
          if (at > 0) yield* Effect.sleep(Duration.decode(every))
          yield* whenOpen(() => socket.write(bytes.subarray(at, at + size)))
        }
      }),
    end: whenOpen(() => socket.end()),
    reset: Effect.sync(() => (socket.destroyed ? undefined : socket.resetAndDestroy())),
    closed: Effect.asVoid(isClosed),
  }
  const finish = (exit: Exit.Exit<void, unknown>) => {
    scriptExit = exit
  }
  return { connection, peer, finish }
}

/**
 * Starts a fake server running `script` on every connection. Scoped: closing the scope
 * stops the scripts and destroys the listener and every socket.
 */
export const startFakeServer = (script: Script): Effect.Effect<FakeServer, never, Scope.Scope> =>
  Effect.gen(function* () {
    const runFork = yield* FiberSet.makeRuntime<never, void, never>()
    const connections: Array<FakeConnection> = []
    const sockets = new Set<Net.Socket>()
    const accepted = signal()
    const server = Net.createServer((socket) => {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
      const done = Deferred.unsafeMake<void>(FiberId.none)
      const { connection, peer, finish } = track(socket, done)
      connections.push(connection)
      accepted.notify()
      runFork(
        Effect.suspend(() => script(peer)).pipe(
          Effect.exit,
          Effect.flatMap((exit) => Effect.sync(() => finish(exit))),
          Effect.ensuring(Deferred.succeed(done, undefined)),
        ),
      )
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
        })
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const socket of sockets) socket.destroy()
          server.close(() => resume(Effect.void))
        }),
    )
    return { port, connection: (index = 0) => accepted.wait(() => connections[index]) }
  })

/** A script that keeps the connection open, answering nothing, until the client closes. */
export const neverAnswer: Script = (peer) => peer.closed

/** A script that reads the ClientHello, sends `reply(clientHello)`, then waits for the client to close. */
export const answer =
  (reply: (clientHello: Uint8Array) => Uint8Array): Script =>
  (peer) =>
    Effect.gen(function* () {
      const hello = yield* peer.records
      yield* peer.send(reply(hello))
      yield* peer.closed
    }).pipe(Effect.catchTag("ClientGone", () => Effect.void))
