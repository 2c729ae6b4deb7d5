/**
 * Test helper: the peers the CLI connects to, each a scoped resource on 127.0.0.1 port 0.
 * A throwaway PKI written to a temp dir, node:tls servers (echo, or answer-then-close with
 * close_notify), `openssl s_server`, and a TCP server that never answers.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createServer, type Server, type TLSSocket, type TlsOptions } from "node:tls"
import { Effect, type Scope } from "effect"
import { makeThrowawayPki } from "../src/throwawayPki.js"

/** A temp dir with the PKI as files, and a second CA that did not issue the leaf. */
export interface PkiFiles {
  readonly dir: string
  readonly ca: string
  readonly otherCa: string
  readonly cert: string
  readonly key: string
  readonly certPem: string
  readonly keyPem: string
}

/** Makes a temp dir holding a fresh throwaway PKI; removed with the scope. */
export const pkiFiles: Effect.Effect<PkiFiles, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = mkdtempSync(join(tmpdir(), "effect-tls-cli-"))
    const pki = makeThrowawayPki()
    const file = (name: string, text: string) => {
      const path = join(dir, name)
      writeFileSync(path, text)
      return path
    }
    return {
      dir,
      ca: file("ca.pem", pki.caCertificate),
      otherCa: file("other-ca.pem", makeThrowawayPki().caCertificate),
      cert: file("leaf.pem", pki.leafCertificate),
      key: file("leaf.key", pki.leafKey),
      certPem: pki.leafCertificate,
      keyPem: pki.leafKey,
    }
  }),
  ({ dir }) => Effect.sync(() => rmSync(dir, { recursive: true, force: true })),
)

/** What a node:tls server saw. */
export interface TlsPeer {
  readonly port: number
  /** The application bytes each connection received, in order of connection. */
  readonly received: Array<Buffer>
  /** The SNI of each connection (`false` when none was sent). */
  readonly serverNames: Array<string | false>
  /** The NSS key log lines node wrote for the server side. */
  readonly keyLog: Array<string>
  /** How many connections completed a handshake. */
  readonly handshakes: () => number
}

/**
 * `echo`: echoes every chunk and never closes. `answer`: on the first chunk, replies
 * `heard: <chunk>` and closes with close_notify (`socket.end()`).
 */
export type TlsPeerMode = "echo" | "answer"

const listen = (server: TcpServer): Effect.Effect<number> =>
  Effect.async<number>((resume) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const closeServer = (server: TcpServer, sockets: ReadonlyArray<Socket>) =>
  Effect.async<void>((resume) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resume(Effect.void))
  })

/** A TLS 1.3 node:tls server with the PKI's leaf; `options` override the defaults. */
export const tlsPeer = (
  pki: PkiFiles,
  mode: TlsPeerMode,
  options: TlsOptions = {},
): Effect.Effect<TlsPeer, never, Scope.Scope> =>
  Effect.gen(function* () {
    const sockets: Array<TLSSocket> = []
    const received: Array<Buffer> = []
    const serverNames: Array<string | false> = []
    const keyLog: Array<string> = []
    const server: Server = createServer(
      { cert: pki.certPem, key: pki.keyPem, minVersion: "TLSv1.3", ...options },
      (socket) => {
        const index = received.push(Buffer.alloc(0)) - 1
        sockets.push(socket)
        serverNames.push(socket.servername ?? false)
        socket.on("error", () => {})
        socket.on("data", (data: Buffer) => {
          received[index] = Buffer.concat([received[index]!, data])
          if (mode === "echo") socket.write(data)
          else if (socket.writable) socket.end(`heard: ${data}`)
        })
      },
    )
    server.on("keylog", (line: Buffer) => keyLog.push(line.toString("latin1").trimEnd()))
    server.on("tlsClientError", () => {})
    const port = yield* Effect.acquireRelease(listen(server), () => closeServer(server, sockets))
    return { port, received, serverNames, keyLog, handshakes: () => sockets.length }
  })

/** A TCP server that accepts connections and never sends a byte. */
export const silentTcpPeer: Effect.Effect<number, never, Scope.Scope> = Effect.gen(function* () {
  const sockets: Array<Socket> = []
  const server = createTcpServer((socket) => {
    sockets.push(socket)
    socket.on("error", () => {})
  })
  return yield* Effect.acquireRelease(listen(server), () => closeServer(server, sockets))
})

/** A port on 127.0.0.1 where nothing listens (bound, then closed again). */
export const refusedPort: Effect.Effect<number> = Effect.scoped(silentTcpPeer)

/**
 * `openssl s_server -accept 127.0.0.1:0 -cert -key ...args`, stdin kept open (it quits at
 * EOF); succeeds with the port once it prints `ACCEPT`.
 */
export const opensslPeer = (pki: PkiFiles, args: ReadonlyArray<string>): Effect.Effect<number, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ child: ChildProcess; port: number }, Error>((resume) => {
      const child = spawn(
        "openssl",
        ["s_server", "-accept", "127.0.0.1:0", "-cert", pki.cert, "-key", pki.key, ...args],
        { stdio: ["pipe", "pipe", "pipe"] },
      )
      let output = ""
      let started = false
      const settle = (result: Effect.Effect<{ child: ChildProcess; port: number }, Error>) => {
        if (started) return
        started = true
        resume(result)
      }
      const onData = (text: string) => {
        if (started) return
        output += text
        const match = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(output)
        if (match) settle(Effect.succeed({ child, port: Number(match[1]) }))
      }
      child.stdout.setEncoding("utf8").on("data", onData)
      child.stderr.setEncoding("utf8").on("data", onData)
      child.on("error", (error) => settle(Effect.fail(error)))
      child.on("exit", (code) => settle(Effect.fail(new Error(`openssl s_server exited (${code}): ${output}`))))
    }),
    ({ child }) => Effect.sync(() => child.kill("SIGKILL")),
  ).pipe(Effect.map(({ port }) => port))
