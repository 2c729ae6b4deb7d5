// The handle every process-based test server returns (openssl, GnuTLS, Go), in two flavours:
// `AsyncPeerServer` with promises for plain async tests, and `PeerServer` with Effects, made
// scoped by `scopedServer` so the server is stopped when the test's scope closes. Also the
// free-port picking for servers that cannot report the port they bound.
import { createServer } from "node:net"
import { Effect, type Scope } from "effect"
import { type PeerError, toPeerError } from "./errors.js"
import type { PeerExit, PeerProcess, WaitForOutputOptions } from "./peerProcess.js"

/** A server process listening on `host:port`, with promise-returning methods. */
export interface AsyncPeerServer extends PeerProcess {
  /** Always "127.0.0.1": connect there (GnuTLS listens on every address, the others only on loopback). */
  readonly host: string
  readonly port: number
}

/** A server process listening on `host:port`, with Effect-returning methods (see `AsyncPeerServer`). */
export interface PeerServer {
  readonly name: string
  readonly host: string
  readonly port: number
  readonly pid: number
  readonly args: ReadonlyArray<string>
  readonly stdout: () => string
  readonly stderr: () => string
  readonly output: () => string
  readonly send: (line: string) => Effect.Effect<void, PeerError>
  readonly waitForOutput: (
    pattern: RegExp | string,
    options?: WaitForOutputOptions,
  ) => Effect.Effect<RegExpExecArray, PeerError>
  readonly stop: Effect.Effect<PeerExit>
  /** The same server with promise-returning methods. */
  readonly async: AsyncPeerServer
}

const attempt = <A>(run: () => Promise<A>): Effect.Effect<A, PeerError> =>
  Effect.tryPromise({ try: run, catch: toPeerError })

/** Wraps an `AsyncPeerServer` in the Effect API. */
export const toPeerServer = (server: AsyncPeerServer): PeerServer => ({
  name: server.name,
  host: server.host,
  port: server.port,
  pid: server.pid,
  args: server.args,
  stdout: server.stdout,
  stderr: server.stderr,
  output: server.output,
  send: (line) => attempt(() => server.send(line)),
  waitForOutput: (pattern, options) => attempt(() => server.waitForOutput(pattern, options)),
  stop: Effect.promise(server.stop),
  async: server,
})

/** Starts a server with `start` and stops it (awaiting its exit) when the scope closes. */
export const scopedServer = (
  start: () => Promise<AsyncPeerServer>,
): Effect.Effect<PeerServer, PeerError, Scope.Scope> =>
  Effect.acquireRelease(attempt(start), (server) => Effect.promise(server.stop)).pipe(Effect.map(toPeerServer))

/** A TCP port that was free on 127.0.0.1 a moment ago (bind port 0, read it, close). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/**
 * Runs `start` on a free port, again on a new port (up to `attempts` times) when it fails with
 * a `PortInUse` `PeerError`: someone took the port between `freePort` and the server's bind.
 */
export const withFreePort = async <A>(start: (port: number) => Promise<A>, attempts = 5): Promise<A> => {
  for (let left = attempts; ; left--) {
    try {
      return await start(await freePort())
    } catch (error) {
      if (left <= 1 || toPeerError(error).reason !== "PortInUse") throw error
    }
  }
}
