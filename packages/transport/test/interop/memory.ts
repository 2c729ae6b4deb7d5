// Memory mode with no TCP at all: the engine (`makeEngine`) against a node:tls server socket
// over an in-memory duplex, every byte moved by the test. The only driver is `Effect.retry`
// on `WantRead`/`WantWrite`: on either, drain our output to the server; on `WantRead`, also
// feed back what the server answered. Also a `WantWrite` from a small output bound, and
// `CleanShutdown` for a close_notify that arrives in place of the ServerHello.
import { describe, expect, it } from "@effect/vitest"
import {
  defaultConfig,
  isWant,
  makeEngine,
  type TlsEngine,
  type WantRead,
  type WantWrite,
  webPkiVerifier,
  X509,
} from "@effect-tls/core"
import { NobleCrypto } from "@effect-tls/crypto"
import { NodeCrypto } from "@effect-tls/crypto/node"
import { Effect, Either, Layer, Option } from "effect"
import { testPki } from "../peers/certs.js"
import { type MemoryTlsServer, makeMemoryTlsServer } from "../peers/memoryTlsServer.js"
import { bytes, type CryptoLayer, hex, text } from "./support.js"

const cryptoLayers = { noble: NobleCrypto, node: NodeCrypto } as const

/** The crypto layer and a verifier trusting the test root. */
const services = (crypto: CryptoLayer) =>
  Layer.unwrapEffect(
    Effect.map(testPki, (pki) => {
      const root = Either.getOrThrow(X509.trustAnchorFromCertificate(pki.root.certDer))
      return Layer.merge(cryptoLayers[crypto], webPkiVerifier([root]))
    }),
  )

/** What the test did on each `Want*`, in order. */
type WantLog = Array<"WantRead" | "WantWrite">

/** Sends everything the engine has produced to the server. */
const flush = (engine: TlsEngine, server: MemoryTlsServer) =>
  Effect.flatMap(engine.drain, (out) => (out.length === 0 ? Effect.void : server.push(out)))

/**
 * Runs operations to completion by retrying them on `Want*`, moving bytes in between: drain to
 * the server, and on `WantRead` feed back the server's answer (waited for in real time). Each
 * `Want*` is appended to `log`.
 */
const driver =
  (engine: TlsEngine, server: MemoryTlsServer, log: WantLog) =>
  <A, E, R>(operation: Effect.Effect<A, E | WantRead | WantWrite, R>) =>
    operation.pipe(
      Effect.tapError((error) =>
        isWant(error)
          ? Effect.gen(function* () {
              log.push(error._tag)
              yield* flush(engine, server)
              if (error._tag === "WantRead") yield* engine.feed(yield* server.read(5_000))
            })
          : Effect.void,
      ),
      // A bound, so that a server that went quiet ends the test instead of spinning.
      Effect.retry({ while: isWant, times: 200 }),
    )

/** Reads application data until `expected` has arrived (or the peer's close_notify). */
const readText = (engine: TlsEngine, run: ReturnType<typeof driver>, expected: string) =>
  Effect.gen(function* () {
    let received = ""
    while (!received.includes(expected)) {
      const next = yield* run(engine.read)
      if (Option.isNone(next)) break
      received += text(next.value)
    }
    return received
  })

const memoryTests = (crypto: CryptoLayer) => {
  it.scopedLive("handshakes, exchanges data, exports and shuts down with bytes moved by the test", () =>
    Effect.gen(function* () {
      const label = "EXPERIMENTAL-effect-tls-memory"
      const server = yield* makeMemoryTlsServer({ exporters: [{ label, length: 32 }] })
      const engine = yield* makeEngine({ config: defaultConfig("localhost") })
      const log: WantLog = []
      const run = driver(engine, server, log)

      const session = yield* run(engine.connect)
      yield* flush(engine, server) // our Finished
      yield* server.secure
      expect(log[0]).toBe("WantRead")
      expect(session.version).toBe("TLSv1.3")
      expect(session.cipherSuite).toBe(server.socket.getCipher().standardName)
      expect(session.certificateVerified).toBe(true)
      expect(Option.getOrUndefined(yield* engine.session)).toEqual(session)

      yield* run(engine.write(bytes("hello from memory\n")))
      yield* flush(engine, server)
      expect(yield* readText(engine, run, "hello from memory\n")).toBe("hello from memory\n")
      expect(text(server.received())).toBe("hello from memory\n")
      yield* server.write("hello from node\n")
      expect(yield* readText(engine, run, "hello from node\n")).toBe("hello from node\n")

      const exported = yield* run(engine.exportKeyingMaterial(label, new Uint8Array(0), 32))
      expect(hex(exported)).toBe(hex(server.exported()[0]!.value))

      // The server's close_notify ends our reads; our shutdown then reports it arrived.
      yield* Effect.sync(() => server.socket.end())
      expect(yield* run(engine.read)).toEqual(Option.none())
      expect(yield* run(engine.shutdown)).toBe(true)
      const closeNotify = yield* engine.drain
      expect(closeNotify[0]).toBe(0x17) // an encrypted record (the alert inside)
    }).pipe(Effect.provide(services(crypto))),
  )

  it.scopedLive("fails with WantWrite while the bounded output buffer is full, and completes once drained", () =>
    Effect.gen(function* () {
      const server = yield* makeMemoryTlsServer()
      const engine = yield* makeEngine({ config: defaultConfig("localhost"), maxPendingOutput: 64 })
      const log: WantLog = []
      const run = driver(engine, server, log)

      yield* run(engine.connect)
      // The ClientHello alone is more than 64 bytes: the first answer is "drain me".
      expect(log.slice(0, 2)).toEqual(["WantWrite", "WantRead"])
      yield* flush(engine, server)
      yield* server.secure

      log.length = 0
      const chunk = "0123456789".repeat(10)
      for (let i = 0; i < 10; i++) yield* run(engine.write(bytes(chunk)))
      // Each record is over the bound, so each write after the first waited for a drain.
      expect(log).toEqual(Array(9).fill("WantWrite"))
      yield* flush(engine, server)
      const echoed = yield* readText(engine, run, chunk.repeat(10))
      expect(echoed).toBe(chunk.repeat(10))
    }).pipe(Effect.provide(services(crypto))),
  )

  it.scopedLive("fails with CleanShutdown when a close_notify arrives in place of the ServerHello", () =>
    Effect.gen(function* () {
      const server = yield* makeMemoryTlsServer()
      const engine = yield* makeEngine({ config: defaultConfig("localhost") })

      expect((yield* Effect.flip(engine.connect))._tag).toBe("WantRead")
      const clientHello = yield* engine.drain
      expect(clientHello[0]).toBe(0x16) // a handshake record
      yield* server.push(clientHello)
      // A plaintext alert record: warning (1), close_notify (0).
      yield* engine.feed(new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00]))
      expect((yield* Effect.flip(engine.connect))._tag).toBe("CleanShutdown")
      // It sticks, as SSL_connect's result does.
      expect((yield* Effect.flip(engine.connect))._tag).toBe("CleanShutdown")
    }).pipe(Effect.provide(services(crypto))),
  )
}

/** Registers the memory-mode tests. */
export const memorySuite = (): void => {
  describe("memory mode against node:tls, noble crypto", { timeout: 20_000 }, () => memoryTests("noble"))
  describe("memory mode against node:tls, node:crypto", { timeout: 20_000 }, () => memoryTests("node"))
}
