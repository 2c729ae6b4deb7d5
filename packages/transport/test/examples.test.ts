/**
 * The guide's examples (packages/transport/examples), run against local servers.
 */
import { createServer as createTcpServer } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { InsecureAcceptAnyCertificate } from "@effect-tls/core"
import { NobleCrypto } from "@effect-tls/crypto"
import { Effect, Layer } from "effect"
import { linesOverTls } from "../examples/asSocket.js"
import { httpsGet } from "../examples/httpsGet.js"
import { handshakeInMemory } from "../examples/memoryMode.js"
import { connectWithRetry } from "../examples/retryAndTimeout.js"
import { testPki } from "./peers/certs.js"
import { makeMemoryTlsServer } from "./peers/memoryTlsServer.js"
import { startNodeTlsServer } from "./peers/nodeTlsServer.js"

describe("guide examples", () => {
  it.scopedLive("httpsGet: an HTTP/1.1 response over NodeTls, read until close_notify", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const server = yield* startNodeTlsServer({ mode: { sendBytes: 0 } })
      server.async.server.removeAllListeners("secureConnection")
      server.async.server.on("secureConnection", (socket) => {
        socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"))
      })
      const response = yield* httpsGet(server.host, server.port, "/", { ca: pki.root.certPem })
      expect(response.startsWith("HTTP/1.1 200 OK")).toBe(true)
      expect(response.endsWith("\r\n\r\nok")).toBe(true)
    }),
  )

  it.scopedLive("retryAndTimeout: a refused port is retried, then fails with Io", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const port = yield* Effect.promise(
        () =>
          new Promise<number>((resolve) => {
            const probe = createTcpServer().listen(0, "127.0.0.1", () => {
              const address = probe.address()
              probe.close(() => resolve(typeof address === "object" && address ? address.port : 0))
            })
          }),
      )
      const failure = yield* Effect.flip(Effect.scoped(connectWithRetry("127.0.0.1", port, pki.root.certPem)))
      expect(failure._tag).toBe("Fatal")
      if (failure._tag === "Fatal") expect(failure.reason._tag).toBe("Io")
    }),
  )

  it.scopedLive("asSocket: platform code written against Socket runs over the TlsConnection", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const server = yield* startNodeTlsServer({ mode: "echo" })
      server.async.server.on("secureConnection", (socket) => socket.on("end", () => socket.end()))
      const replies = yield* linesOverTls(server.host, server.port, pki.root.certPem, ["one", "two"])
      expect(replies).toBe("one\ntwo\n")
    }),
  )

  it.scopedLive("memoryMode: a handshake with bytes moved by hand to a node:tls server with no TCP", () =>
    Effect.gen(function* () {
      const server = yield* makeMemoryTlsServer()
      const exchange = (bytes: Uint8Array) =>
        Effect.zipRight(
          bytes.length > 0 ? server.push(bytes) : Effect.void,
          Effect.orElseSucceed(server.read(2000), () => new Uint8Array(0)),
        )
      const engine = yield* handshakeInMemory("localhost", exchange).pipe(
        Effect.provide(Layer.merge(NobleCrypto, InsecureAcceptAnyCertificate)),
      )
      expect((yield* engine.session)._tag).toBe("Some")
      yield* server.secure
    }),
  )
})
