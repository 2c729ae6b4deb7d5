// A node:tls server as a test peer, on 127.0.0.1 port 0: it echoes, or sends N bytes and closes
// (close_notify, then FIN), optionally requiring a client certificate. It records every
// connection's negotiated facts, the plaintext it received, requested exporter values and the
// server's key log lines, so tests can compare them with what our client saw.
import { createServer, type Server, type TLSSocket } from "node:tls"
import { Effect, type Scope } from "effect"
import { getTestPki } from "./certs.js"
import { type PeerError, peerError, toPeerError } from "./errors.js"
import { type ExportedKey, exportKeys, type NodeTlsPeerOptions, serverTlsOptions } from "./nodeTlsShared.js"

/** `echo` sends back what it receives; `{ sendBytes: n }` sends `patternBytes(n)` and closes. */
export type NodeTlsMode = "echo" | { readonly sendBytes: number }

/** Options of `startNodeTlsServer`. */
export interface NodeTlsServerOptions extends NodeTlsPeerOptions {
  readonly mode?: NodeTlsMode
}

/** One accepted connection, as the server saw it. */
export interface NodeTlsConnection {
  readonly socket: TLSSocket
  /** "TLSv1.3" etc. */
  readonly protocol: string | null
  /** The IANA suite name, e.g. "TLS_AES_128_GCM_SHA256". */
  readonly cipher: string
  readonly alpn: string | false | null
  /** The SNI the client sent, `false` when none. */
  readonly serverName: string | false
  /** Whether the client certificate verified (with `requestCert`). */
  readonly authorized: boolean
  readonly peerCertificateDer: Uint8Array | undefined
  /** The `exporters` of the options, computed right after the handshake. */
  readonly exported: ReadonlyArray<ExportedKey>
  /** The plaintext received so far. */
  readonly received: () => Uint8Array
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>
}

/** A running node:tls server with promise-returning methods. */
export interface AsyncNodeTlsServer {
  readonly host: string
  readonly port: number
  readonly server: Server
  /** Connections whose handshake completed, in order. */
  readonly connections: ReadonlyArray<NodeTlsConnection>
  /** NSS key log lines the server produced (for every connection), without newlines. */
  readonly keyLog: ReadonlyArray<string>
  /** Failed handshakes (`tlsClientError`). */
  readonly handshakeErrors: ReadonlyArray<Error>
  /** Resolves with the `count`-th connection once it has completed its handshake. */
  readonly waitForConnection: (count?: number, timeoutMs?: number) => Promise<NodeTlsConnection>
  /** Closes the listener and every connection; resolves when all are closed. */
  readonly stop: () => Promise<void>
}

/** `AsyncNodeTlsServer` with Effect-returning methods. */
export interface NodeTlsServer {
  readonly host: string
  readonly port: number
  readonly connections: ReadonlyArray<NodeTlsConnection>
  readonly keyLog: ReadonlyArray<string>
  readonly handshakeErrors: ReadonlyArray<Error>
  readonly waitForConnection: (count?: number, timeoutMs?: number) => Effect.Effect<NodeTlsConnection, PeerError>
  readonly stop: Effect.Effect<void>
  readonly async: AsyncNodeTlsServer
}

/** `n` bytes with byte i = i mod 251 (a prime, so a lost or repeated chunk shows). */
export const patternBytes = (n: number): Uint8Array => {
  const bytes = new Uint8Array(n)
  for (let i = 0; i < n; i++) bytes[i] = i % 251
  return bytes
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => new Uint8Array(Buffer.concat(chunks))

/** Starts a node:tls server on 127.0.0.1 (port 0) and resolves once it listens. */
export const startNodeTlsServerAsync = async (options: NodeTlsServerOptions = {}): Promise<AsyncNodeTlsServer> => {
  const pki = await getTestPki()
  const mode = options.mode ?? "echo"
  const connections: Array<NodeTlsConnection> = []
  const keyLog: Array<string> = []
  const handshakeErrors: Array<Error> = []
  const sockets = new Set<TLSSocket>()
  const listeners = new Set<() => void>()
  const notify = (): void => {
    for (const listener of listeners) listener()
  }

  const server = createServer(serverTlsOptions(pki, options))
  server.on("keylog", (line) => keyLog.push(line.toString("utf8").trimEnd()))
  server.on("tlsClientError", (error) => {
    handshakeErrors.push(error)
  })
  server.on("secureConnection", (socket) => {
    sockets.add(socket)
    const chunks: Array<Uint8Array> = []
    const closed = new Promise<void>((done) => socket.once("close", () => done()))
    void closed.then(() => sockets.delete(socket))
    socket.on("error", () => {})
    socket.on("data", (chunk: Buffer) => {
      chunks.push(new Uint8Array(chunk))
      if (mode === "echo") socket.write(chunk)
    })
    socket.on("end", () => socket.end())
    const peer = socket.getPeerCertificate(false)
    connections.push({
      socket,
      protocol: socket.getProtocol(),
      cipher: socket.getCipher().standardName,
      alpn: socket.alpnProtocol ?? null,
      serverName: socket.servername ?? false,
      authorized: socket.authorized,
      peerCertificateDer: peer?.raw === undefined ? undefined : new Uint8Array(peer.raw),
      exported: exportKeys(socket, options.exporters ?? []),
      received: () => concat(chunks),
      closed,
    })
    if (mode !== "echo") socket.end(patternBytes(mode.sendBytes))
    notify()
  })

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0

  const waitForConnection = (count = 1, timeoutMs = 10_000): Promise<NodeTlsConnection> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const connection = connections[count - 1]
        if (connection === undefined) return
        clearTimeout(timer)
        listeners.delete(check)
        resolve(connection)
      }
      const timer = setTimeout(() => {
        listeners.delete(check)
        const errors = handshakeErrors.map((e) => e.message).join("\n")
        reject(peerError("Timeout", `node:tls server: no connection #${count} within ${timeoutMs} ms`, errors))
      }, timeoutMs)
      listeners.add(check)
      check()
    })

  const stop = async (): Promise<void> => {
    const closing = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const socket of sockets) socket.destroy()
    await Promise.all([closing, ...connections.map((c) => c.closed)])
  }

  return { host: "127.0.0.1", port, server, connections, keyLog, handshakeErrors, waitForConnection, stop }
}

/** `startNodeTlsServerAsync` as a scoped Effect: the server stops when the scope closes. */
export const startNodeTlsServer = (
  options: NodeTlsServerOptions = {},
): Effect.Effect<NodeTlsServer, PeerError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({ try: () => startNodeTlsServerAsync(options), catch: toPeerError }),
    (server) => Effect.promise(server.stop),
  ).pipe(
    Effect.map(
      (server): NodeTlsServer => ({
        host: server.host,
        port: server.port,
        connections: server.connections,
        keyLog: server.keyLog,
        handshakeErrors: server.handshakeErrors,
        waitForConnection: (count, timeoutMs) =>
          Effect.tryPromise({ try: () => server.waitForConnection(count, timeoutMs), catch: toPeerError }),
        stop: Effect.promise(server.stop),
        async: server,
      }),
    ),
  )
