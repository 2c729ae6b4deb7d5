/**
 * Stream mode beyond the interop matrix: STARTTLS over a wire that already carried
 * plaintext, the `tls.connect` span with its attributes, a re-runnable connect, reading
 * joined, per record and as a Stream, the handshake deadline over both transports, and a
 * timeout that ends a TCP connect which hangs.
 */
import { createServer, Socket } from "node:net"
import { TLSSocket } from "node:tls"
import { NodeSocket } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { CertificateVerifier, type CertificateVerifierService, type Fatal } from "@effect-tls/core"
import { concatBytes, NobleCrypto, TlsCrypto, type TlsCryptoService } from "@effect-tls/crypto"
import { NodeCrypto } from "@effect-tls/crypto/node"
import { connect, connectWire, NodeTls, socketWire } from "@effect-tls/transport"
import { Effect, Exit, Option, Stream, Tracer } from "effect"
import { testPki } from "./peers/certs.js"
import { fullListener } from "./peers/fullListener.js"
import { patternBytes, startNodeTlsServer } from "./peers/nodeTlsServer.js"

const decoder = new TextDecoder()

/** What `read` gives until close_notify, one element per read; `between(n)` runs after read n (from 0). */
const readToEnd = <A>(
  read: Effect.Effect<Option.Option<A>, Fatal>,
  between: (reads: number) => Effect.Effect<void> = () => Effect.void,
) =>
  Effect.gen(function* () {
    const all: Array<A> = []
    for (let reads = 0; ; reads++) {
      const next = yield* read
      if (Option.isNone(next)) return all
      all.push(next.value)
      yield* between(reads)
    }
  })

/** `NodeTls.connect` to a local test server for "localhost", trusting `ca`, with a crypto layer. */
const connectTo = (server: { readonly host: string; readonly port: number }, ca: string, crypto: "node" | "noble") =>
  NodeTls.connect({ host: server.host, port: server.port, serverName: "localhost", ca, crypto })

/** A line server that answers "STARTTLS" with "OK" and then runs TLS on the same TCP connection. */
const startTlsServer = (cert: string, key: string) =>
  Effect.acquireRelease(
    Effect.async<{ port: number; close: () => void }>((resume) => {
      const server = createServer((socket) => {
        socket.once("data", (line) => {
          if (line.toString() !== "STARTTLS\r\n") return socket.destroy()
          socket.write("OK\r\n", () => {
            const secure = new TLSSocket(socket, { isServer: true, cert, key, minVersion: "TLSv1.3" })
            secure.on("data", (data: Buffer) => secure.write(`upgraded: ${data}`))
            secure.on("error", () => {})
          })
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(
          Effect.succeed({
            port: typeof address === "object" && address ? address.port : 0,
            close: () => server.close(),
          }),
        )
      })
    }),
    ({ close }) => Effect.sync(close),
  )

describe("stream mode", () => {
  it.scopedLive("STARTTLS: plaintext first, then TLS over the same wire", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const leaf = pki.leaves.ecdsaP256
      const { port } = yield* startTlsServer(leaf.chainPem, leaf.keyPem)
      const wire = yield* socketWire(yield* NodeSocket.makeNet({ host: "127.0.0.1", port }))
      yield* wire.write(new TextEncoder().encode("STARTTLS\r\n"))
      const reply = Option.getOrThrow(yield* wire.read)
      expect(decoder.decode(reply instanceof Uint8Array ? reply : concatBytes(...reply))).toBe("OK\r\n")
      const connection = yield* connectWire(
        wire,
        { serverName: "localhost", ca: pki.root.certPem },
        { initialData: new Uint8Array(0) },
      )
      expect(connection.session.certificateVerified).toBe(true)
      yield* connection.write(new TextEncoder().encode("hello"))
      expect(decoder.decode(Option.getOrThrow(yield* connection.read))).toBe("upgraded: hello")
    }),
  )

  it.scopedLive("the handshake runs in a tls.connect span with the negotiated facts", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const leaf = pki.leaves.ecdsaP256
      const { port } = yield* startTlsServer(leaf.chainPem, leaf.keyPem)
      const spans: Array<{ name: string; attributes: Map<string, unknown> }> = []
      const tracer = Tracer.make({
        span: (name, parent, context, links, startTime, kind) => {
          const attributes = new Map<string, unknown>()
          spans.push({ name, attributes })
          const span: Tracer.Span = {
            _tag: "Span",
            name,
            spanId: `span-${spans.length}`,
            traceId: "trace",
            parent,
            context,
            links,
            sampled: true,
            kind,
            status: { _tag: "Started", startTime },
            attributes,
            end: () => {},
            attribute: (key, value) => {
              attributes.set(key, value)
            },
            event: () => {},
            addLinks: () => {},
          }
          return span
        },
        context: (f) => f(),
      })
      const wire = yield* socketWire(yield* NodeSocket.makeNet({ host: "127.0.0.1", port }))
      yield* wire.write(new TextEncoder().encode("STARTTLS\r\n"))
      yield* wire.read
      yield* connectWire(wire, { serverName: "localhost", ca: pki.root.certPem }).pipe(Effect.withTracer(tracer))
      const span = spans.find((s) => s.name === "tls.connect")
      expect(span).toBeDefined()
      expect(Object.fromEntries(span!.attributes)).toMatchObject({
        "tls.server_name": "localhost",
        "tls.version": "TLSv1.3",
        "tls.group": "x25519",
        "tls.hello_retry_request": false,
      })
    }),
  )

  it.scopedLive("one NodeTls.connect Effect run three times makes three connections (as Effect.retry would)", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const server = yield* startNodeTlsServer()
      const connectOnce = NodeTls.connect({
        host: server.host,
        port: server.port,
        serverName: "localhost",
        ca: pki.root.certPem,
        crypto: "node",
      })
      for (const round of [1, 2, 3]) {
        const echoed = yield* Effect.scoped(
          Effect.gen(function* () {
            const tls = yield* connectOnce
            yield* tls.write(new TextEncoder().encode(`round ${round}`))
            return decoder.decode(Option.getOrThrow(yield* tls.read))
          }),
        )
        expect(echoed).toBe(`round ${round}`)
      }
      expect(server.connections.length).toBe(3)
    }),
  )

  it.scopedLive(
    "readChunks and stream hand over one chunk per record, the same bytes as read, until close_notify",
    () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        const size = 300_000
        const server = yield* startNodeTlsServer({ mode: { sendBytes: size } })
        const connectNode = connectTo(server, pki.root.certPem, "node")
        const joined = concatBytes(...(yield* Effect.scoped(Effect.flatMap(connectNode, (tls) => readToEnd(tls.read)))))
        // Buffer comparisons: a deep equality over 300,000 elements takes seconds.
        const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))
        expect(same(joined, patternBytes(size))).toBe(true)
        const chunks = (yield* Effect.scoped(Effect.flatMap(connectNode, (tls) => readToEnd(tls.readChunks)))).flat()
        // node:tls writes records of at most 16 KiB: never one chunk for the whole download.
        expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(size / 16384))
        expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThanOrEqual(16384)
        expect(same(concatBytes(...chunks), joined)).toBe(true)
        const streamed = yield* Effect.scoped(
          Effect.flatMap(connectTo(server, pki.root.certPem, "noble"), (tls) => Stream.runCollect(tls.stream)),
        )
        expect(same(concatBytes(...streamed), joined)).toBe(true)
        expect(server.connections.length).toBe(3)
      }),
  )

  it.scopedLive("a connection's operations work detached from it, and its lazy members are made once", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const server = yield* startNodeTlsServer()
      const tls = yield* connectTo(server, pki.root.certPem, "noble")
      // Passed on as functions and values, as Effect code does (`Effect.flatMap(data, tls.write)`).
      const { write, read, keyUpdate, exportKeyingMaterial, shutdown } = tls
      yield* Effect.flatMap(Effect.succeed(new TextEncoder().encode("ping")), write)
      expect(decoder.decode(Option.getOrThrow(yield* read))).toBe("ping")
      yield* keyUpdate(false)
      yield* write(new TextEncoder().encode("pong"))
      expect(decoder.decode(Option.getOrThrow(yield* read))).toBe("pong")
      expect((yield* exportKeyingMaterial("EXPORTER-test", new Uint8Array(0), 16)).length).toBe(16)
      expect(tls.stream).toBe(tls.stream)
      expect(tls.writer).toBe(tls.writer)
      expect(tls.channelBinding).toBe(tls.channelBinding)
      expect(tls.peerCertificates).toBe(tls.peerCertificates)
      expect(tls.peerCertificates).toHaveLength(tls.session.peerCertificates.length)
      expect(tls.peerCertificates[0]?.subject.text).toBe("CN=localhost")
      yield* shutdown
    }),
  )

  it.scopedLive("NodeTls.connect's crypto layer and verifier win over services of the same kind in context", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const server = yield* startNodeTlsServer()
      const noble = yield* Effect.provide(TlsCrypto, NobleCrypto)
      // Services a caller's context may hold for other uses: none of them may be used here.
      const contextCrypto: TlsCryptoService = { ...noble, aeadKey: () => Effect.die("the context's crypto was used") }
      const contextVerifier: CertificateVerifierService = {
        verify: () => Effect.die("the context's verifier was used"),
      }
      const tls = yield* connectTo(server, pki.root.certPem, "node").pipe(
        Effect.provideService(TlsCrypto, contextCrypto),
        Effect.provideService(CertificateVerifier, contextVerifier),
      )
      expect(tls.session.peerCertificates.length).toBeGreaterThan(0)
      yield* tls.write(new TextEncoder().encode("ping"))
      const reply = yield* tls.read
      expect(decoder.decode(Option.getOrThrow(reply))).toBe("ping")
    }),
  )

  it.scopedLive(
    "a download read into the connection's lent buffer arrives intact, also when the reader pauses between reads",
    () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        // Several MiB: the node:net wire reads them into its download buffer, lent to the engine.
        const size = 6 * 1024 * 1024 + 12_345
        const server = yield* startNodeTlsServer({ mode: { sendBytes: size } })
        const expected = Buffer.from(patternBytes(size))
        for (const crypto of ["node", "noble"] as const) {
          const reads = yield* Effect.scoped(
            Effect.flatMap(connectTo(server, pki.root.certPem, crypto), (tls) =>
              // A slow reader: bytes arrive while a lent chunk waits to be read.
              readToEnd(tls.readChunks, (reads) => (reads % 4 === 0 ? Effect.sleep("3 millis") : Effect.void)),
            ),
          )
          const chunks = reads.flat()
          // Every chunk kept to the end: none may share memory the wire reused.
          expect(Buffer.concat(chunks).equals(expected)).toBe(true)
        }
      }),
    60_000,
  )

  it.scopedLive("a write larger than node's socket buffer completes once it has drained, every byte delivered", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const server = yield* startNodeTlsServer()
      const tls = yield* connectTo(server, pki.root.certPem, "node")
      const size = 8 * 1024 * 1024
      const data = patternBytes(size)
      yield* tls.write(data)
      const peer = yield* server.waitForConnection(1)
      for (let waited = 0; peer.received().length < size && waited < 200; waited++) yield* Effect.sleep("25 millis")
      expect(Buffer.from(peer.received()).equals(Buffer.from(data))).toBe(true)
    }),
  )

  /** A TCP server that accepts and never answers; how many bytes it received. */
  const silentServer = Effect.acquireRelease(
    Effect.async<{ port: number; received: () => number; close: () => void }>((resume) => {
      let received = 0
      const sockets: Array<Socket> = []
      const server = createServer((socket) => {
        sockets.push(socket)
        socket.on("data", (data) => {
          received += data.length
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(
          Effect.succeed({
            port: typeof address === "object" && address ? address.port : 0,
            received: () => received,
            close: () => {
              for (const socket of sockets) socket.destroy()
              server.close()
            },
          }),
        )
      })
    }),
    ({ close }) => Effect.sync(close),
  )

  it.scopedLive(
    "Effect.timeout ends a TCP connect that hangs, over node:net (leaving no socket) and a platform socket",
    () =>
      Effect.gen(function* () {
        const listener = yield* fullListener
        const options = { serverName: "localhost", insecure: true } as const
        const overNet = NodeTls.connect({ host: "127.0.0.1", port: listener.port, crypto: "node", ...options })
        const overSocket = Effect.flatMap(NodeSocket.makeNet({ host: "127.0.0.1", port: listener.port }), (socket) =>
          Effect.provide(connect(socket, options), NodeCrypto),
        )
        const sockets = () =>
          (process as unknown as { _getActiveHandles(): Array<unknown> })
            ._getActiveHandles()
            .filter((handle) => handle instanceof Socket).length
        const before = sockets()
        for (const attempt of [overNet, overSocket]) {
          const started = Date.now()
          const exit = yield* Effect.exit(Effect.timeout(Effect.scoped(attempt), "300 millis"))
          const elapsed = Date.now() - started
          expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("TimeoutException")
          expect(elapsed).toBeGreaterThanOrEqual(290)
          expect(elapsed).toBeLessThan(2000)
          if (attempt === overNet) {
            // The interrupted connect destroyed its socket (a handle closes on the next turn of
            // the event loop). Not checked for the platform socket: @effect/platform-node's
            // `makeNet` ends a socket that is still connecting with `destroySoon`, which waits
            // for the connect, so the kernel's connect timeout ends it.
            yield* Effect.sleep("20 millis")
            expect(sockets()).toBe(before)
          }
        }
      }),
  )

  it.scopedLive("the handshake deadline is the same over node:net (a timer) and a platform socket (a race)", () =>
    Effect.gen(function* () {
      const server = yield* silentServer
      const options = { serverName: "localhost", insecure: true, handshakeTimeoutMs: 300 } as const
      const overNet = NodeTls.connect({ host: "127.0.0.1", port: server.port, crypto: "node", ...options })
      const overSocket = Effect.flatMap(NodeSocket.makeNet({ host: "127.0.0.1", port: server.port }), (socket) =>
        Effect.provide(connect(socket, options), NodeCrypto),
      )
      for (const attempt of [overNet, overSocket]) {
        const started = Date.now()
        const exit = yield* Effect.exit(Effect.scoped(attempt))
        const elapsed = Date.now() - started
        expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag === "Fatal").toBe(true)
        if (Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag === "Fatal") {
          expect(exit.cause.error.reason._tag).toBe("Timeout")
        }
        expect(elapsed).toBeGreaterThanOrEqual(290)
        expect(elapsed).toBeLessThan(2000)
      }
      // Both ClientHellos reached the server: the deadline, not the connection, ended each attempt.
      expect(server.received()).toBeGreaterThan(2 * 200)
    }),
  )
})
