// Our client against the other TLS 1.3 stacks on 127.0.0.1: gnutls-serv (`--echo`, TLS 1.3
// only), Go's crypto/tls (the echo server the peer helper builds; skipped with a visible
// warning where `go` is missing) and a node:tls server. Each: the handshake, a line and a
// 40 000-byte block echoed, on both crypto layers, one server per stack for all connections.
// Also gnutls-serv's default of asking for an optional client certificate, its printed
// tls-exporter binding, and against node:tls the exporter (with and without context, and the
// RFC 9266 channel binding) and the key log, compared with what the server computed.
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { KeyLog } from "@effect-tls/core"
import { Effect } from "effect"
import { channelBindingLabel, type TlsConnection } from "../../src/index.js"
import { getTestPki, type TestPki } from "../peers/certs.js"
import { startGnutlsServer, startGnutlsServerAsync } from "../peers/gnutlsServer.js"
import { goVersion, startGoServer, startGoServerAsync } from "../peers/goServer.js"
import { type AsyncNodeTlsServer, startNodeTlsServerAsync } from "../peers/nodeTlsServer.js"
import { type PeerServer, toPeerServer } from "../peers/peerServer.js"
import { toolVersion } from "../peers/tools.js"
import { bytes, type CryptoLayer, connectTo, hex, readBytes, readUntil, text } from "./support.js"

const cryptoLayers: ReadonlyArray<CryptoLayer> = ["noble", "node"]

/** 40 lines of 1000 bytes: text, since gnutls-serv --echo handles what it receives as text lines. */
const block = bytes(Array.from({ length: 40 }, (_, i) => `${String(i).padStart(3, "0")}${"x".repeat(996)}\n`).join(""))

/** A line, then a 40 000-byte block, each echoed back intact. */
const echoBothWays = (connection: TlsConnection, line: string) =>
  Effect.gen(function* () {
    yield* connection.write(bytes(`${line}\n`))
    expect(yield* readUntil(connection, `${line}\n`)).toBe(`${line}\n`)
    yield* connection.write(block)
    const echoed = yield* readBytes(connection, block.length)
    // Buffer.equals: vitest's deep equality takes about a second on 40 000 elements.
    expect(echoed.length).toBe(block.length)
    expect(Buffer.from(echoed).equals(block)).toBe(true)
  })

const tls13Only = "NORMAL:-VERS-ALL:+VERS-TLS1.3"

let pki: TestPki

/** Registers the tests against gnutls-serv, Go crypto/tls and node:tls. */
export const otherServersSuite = (): void => {
  beforeAll(async () => {
    pki = await getTestPki()
  }, 30_000)

  // CI installs gnutls-serv (.ci/run), so there its absence is a failure; a developer machine
  // without it skips these tests with a visible message.
  const skipGnutls = toolVersion("gnutls-serv", ["--version"]) === undefined && process.env.CI !== "true"
  if (skipGnutls) {
    console.warn("SKIPPED: the GnuTLS interop tests need `gnutls-serv` (apt-get install -y gnutls-bin)")
  }

  describe.skipIf(skipGnutls)("gnutls-serv --echo, TLS 1.3 only", { timeout: 20_000 }, () => {
    let server: PeerServer

    beforeAll(async () => {
      server = toPeerServer(await startGnutlsServerAsync({ priority: tls13Only, args: ["--disable-client-cert"] }))
    }, 30_000)

    afterAll(async () => {
      await server?.async.stop()
    })

    for (const crypto of cryptoLayers) {
      it.scopedLive(`handshake and data both ways (${crypto} crypto)`, () =>
        Effect.gen(function* () {
          const since = server.output().length
          const connection = yield* connectTo(pki, server, crypto)
          expect(connection.session.version).toBe("TLSv1.3")
          yield* echoBothWays(connection, `hello gnutls ${crypto}`)
          const description = yield* server.waitForOutput(/- Description: (\S+)/, { since })
          expect(description[1]).toBe("(TLS1.3-X.509)-(ECDHE-X25519)-(ECDSA-SECP256R1-SHA256)-(AES-128-GCM)")
          // gnutls-serv prints the RFC 9266 channel binding of each connection.
          const binding = yield* server.waitForOutput(/'tls-exporter': ([0-9a-f]+)/, { since })
          expect(hex(yield* connection.channelBinding)).toBe(binding[1])
        }),
      )
    }

    it.scopedLive("negotiates TLS_CHACHA20_POLY1305_SHA256 with secp384r1", () =>
      Effect.gen(function* () {
        const since = server.output().length
        const connection = yield* connectTo(pki, server, "noble", {
          cipherSuites: ["TLS_CHACHA20_POLY1305_SHA256"],
          groups: ["secp384r1"],
        })
        expect(connection.session.cipherSuite).toBe("TLS_CHACHA20_POLY1305_SHA256")
        expect(connection.session.group).toBe("secp384r1")
        yield* echoBothWays(connection, "hello gnutls chacha")
        const description = yield* server.waitForOutput(/- Description: (\S+)/, { since })
        expect(description[1]).toBe("(TLS1.3-X.509)-(ECDHE-SECP384R1)-(ECDSA-SECP256R1-SHA256)-(CHACHA20-POLY1305)")
      }),
    )

    // gnutls-serv asks for an optional client certificate by default, with an empty status_request
    // extension in its CertificateRequest (RFC 8446 section 4.4.2.1 allows one).
    it.scopedLive("handshakes when asked for an optional client certificate (gnutls-serv's default)", () =>
      Effect.gen(function* () {
        const requesting = yield* startGnutlsServer({ priority: tls13Only })
        const connection = yield* connectTo(pki, requesting, "noble")
        expect(connection.session.clientAuthenticated).toBe(false)
        yield* echoBothWays(connection, "hello gnutls without a client certificate")
      }),
    )
  })

  if (goVersion === undefined) {
    console.warn("SKIPPED: the Go crypto/tls interop tests need `go` (apt-get install -y golang-go)")
  }

  describe.skipIf(goVersion === undefined)("Go crypto/tls echo server", { timeout: 20_000 }, () => {
    let server: PeerServer

    beforeAll(async () => {
      // A cold build compiles crypto/tls: allow the peer helper its two minutes.
      server = toPeerServer(await startGoServerAsync({ alpn: ["h2", "http/1.1"] }))
    }, 130_000)

    afterAll(async () => {
      await server?.async.stop()
    })

    for (const crypto of cryptoLayers) {
      it.scopedLive(`handshake, ALPN and data both ways (${crypto} crypto)`, () =>
        Effect.gen(function* () {
          const since = server.output().length
          const connection = yield* connectTo(pki, server, crypto, { alpn: ["http/1.1"] })
          expect(connection.session.alpn).toBe("http/1.1")
          yield* echoBothWays(connection, `hello go ${crypto}`)
          const handshake = yield* server.waitForOutput(/^HANDSHAKE (.*)$/m, { since })
          expect(handshake[1]).toBe(
            `version=TLSv1.3 suite=${connection.session.cipherSuite} alpn=http/1.1 sni=localhost resumed=false client-certs=0`,
          )
        }),
      )
    }

    it.scopedLive("answers a HelloRetryRequest from a server limited to secp384r1", () =>
      Effect.gen(function* () {
        const hrrServer = yield* startGoServer({ curves: ["secp384r1"] })
        const connection = yield* connectTo(pki, hrrServer, "noble")
        expect(connection.session.helloRetryRequest).toBe(true)
        expect(connection.session.group).toBe("secp384r1")
        yield* echoBothWays(connection, "hello go after HRR")
      }),
    )
  })

  describe("node:tls echo server", { timeout: 20_000 }, () => {
    const label = "EXPERIMENTAL-effect-tls-interop"
    const context = bytes("a context value")
    let server: AsyncNodeTlsServer

    beforeAll(async () => {
      server = await startNodeTlsServerAsync({
        exporters: [
          { label, length: 32 },
          { label, length: 64, context },
          { label: channelBindingLabel, length: 32 },
        ],
      })
    }, 30_000)

    afterAll(async () => {
      await server?.stop()
    })

    /** Connects and waits until the server has recorded this connection. */
    const connectToNode = (crypto: CryptoLayer) =>
      Effect.gen(function* () {
        const count = server.connections.length + 1
        const connection = yield* connectTo(pki, server, crypto)
        const seen = yield* Effect.promise(() => server.waitForConnection(count))
        return { connection, seen }
      })

    for (const crypto of cryptoLayers) {
      it.scopedLive(`handshake and data both ways (${crypto} crypto)`, () =>
        Effect.gen(function* () {
          const { connection, seen } = yield* connectToNode(crypto)
          expect(seen.protocol).toBe("TLSv1.3")
          expect(seen.cipher).toBe(connection.session.cipherSuite)
          expect(seen.serverName).toBe("localhost")
          yield* echoBothWays(connection, `hello node ${crypto}`)
          expect(text(seen.received()).startsWith(`hello node ${crypto}\n`)).toBe(true)
          expect(seen.received().length).toBe(`hello node ${crypto}\n`.length + block.length)
        }),
      )

      it.scopedLive(`exports what node:tls exports for the same label and context (${crypto} crypto)`, () =>
        Effect.gen(function* () {
          const { connection, seen } = yield* connectToNode(crypto)
          const [plain, withContext, binding] = seen.exported
          expect(hex(yield* connection.exportKeyingMaterial(label, new Uint8Array(0), 32))).toBe(hex(plain!.value))
          expect(hex(yield* connection.exportKeyingMaterial(label, context, 64))).toBe(hex(withContext!.value))
          expect(hex(yield* connection.channelBinding)).toBe(hex(binding!.value))
          // The context is part of the derivation.
          expect(hex(withContext!.value).slice(0, 64)).not.toBe(hex(plain!.value))
        }),
      )
    }

    it.scopedLive("logs the same secrets as the server's keylog events", () =>
      Effect.gen(function* () {
        const ours: Array<string> = []
        const keyLog = { log: (line: string) => Effect.sync(() => void ours.push(line)) }
        const { connection } = yield* Effect.provideService(connectToNode("noble"), KeyLog, keyLog)
        yield* echoBothWays(connection, "hello key log")
        expect(ours.length).toBe(5)
        for (const line of ours) expect(server.keyLog).toContain(line)
      }),
    )
  })
}
