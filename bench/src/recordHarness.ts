/**
 * The record section's two set-ups, each an established connection whose AEAD is a no-op:
 * (a) a bare engine (`makeEngine`) and (b) a `TlsConnection` from `connectWire` over an
 * in-memory `Wire`. Both run their handshake in memory against the scripted TLS 1.3 server
 * of the core tests (test support, imported by path); then the no-op switch is flipped and
 * from there on the wire hands out fabricated records and swallows what is written.
 */
import { defaultConfig, InsecureAcceptAnyCertificate, makeEngine, type TlsEngine } from "@effect-tls/core"
import { connectWire, type TlsConnection, type Wire } from "@effect-tls/transport"
import { Effect, Layer, Logger, LogLevel, Option, Queue, type Scope } from "effect"
import { ScriptedServer } from "../../packages/core/test/server/server.js"
import { type NoopSwitch, noopCryptoLayer } from "./noopCrypto.js"

const serverName = "scripted.test"

/** What the record cells drive: the no-op switch and the bytes the wire reads once it is on. */
export interface RecordFeed {
  readonly noop: NoopSwitch
  /** The chunk every wire read returns once the switch is on. */
  chunk: Uint8Array
  /** Bytes written to the wire once the switch is on. */
  written: number
}

/**
 * Fabricated TLS 1.3 application-data records with a no-op AEAD: header (17 03 03, length),
 * `size` payload bytes, the inner content type 0x17, 16 zero bytes of "tag"; `count` of
 * them back to back.
 */
export const fabricatedRecords = (size: number, count: number): Uint8Array => {
  const length = size + 1 + 16
  const one = new Uint8Array(5 + length)
  one.set([0x17, 0x03, 0x03, length >> 8, length & 0xff])
  one.fill(0x61, 5, 5 + size)
  one[5 + size] = 0x17
  const all = new Uint8Array(one.length * count)
  for (let i = 0; i < count; i++) all.set(one, i * one.length)
  return all
}

/** A fresh feed, switch off. */
export const makeFeed = (): RecordFeed => ({ noop: { on: false }, chunk: new Uint8Array(0), written: 0 })

/** The services of both set-ups: the switchable crypto and, for the bare engine, the accept-all verifier. */
export const recordLayer = (feed: RecordFeed) => Layer.merge(noopCryptoLayer(feed.noop), InsecureAcceptAnyCertificate)

/**
 * (a) An engine that completed its handshake with the scripted server; the switch is then
 * on. The certificate is not verified (the scripted server's is self-signed); the
 * accept-all verifier's warning is silenced.
 */
export const establishedEngine = (feed: RecordFeed) =>
  Effect.gen(function* () {
    const server = yield* Effect.orDie(ScriptedServer.make())
    const engine: TlsEngine = yield* makeEngine({ config: defaultConfig(serverName) })
    for (let step = 0; ; step++) {
      if (step === 10) return yield* Effect.dieMessage("the in-memory handshake did not complete")
      const done = yield* Effect.catchIf(
        Effect.as(engine.connect, true),
        (error) => error._tag === "WantRead",
        () => Effect.succeed(false),
      )
      const reply = yield* Effect.orDie(server.receive(yield* engine.drain))
      if (done) break
      yield* engine.feed(reply)
    }
    feed.noop.on = true
    return engine
  }).pipe(Logger.withMinimumLogLevel(LogLevel.Error))

/** An in-memory wire: the scripted server until the switch is on, the feed after. */
const memoryWire = (feed: RecordFeed): Effect.Effect<Wire> =>
  Effect.map(Queue.unbounded<Uint8Array>(), (replies) => {
    const server = ScriptedServer.make()
    let started: ScriptedServer | undefined
    const toServer = (bytes: Uint8Array) =>
      Effect.gen(function* () {
        started ??= yield* Effect.orDie(server)
        const reply = yield* Effect.orDie(started.receive(bytes))
        if (reply.length > 0) yield* Queue.offer(replies, reply)
      })
    return {
      read: Effect.suspend(() =>
        feed.noop.on ? Effect.succeed(Option.some(feed.chunk)) : Effect.map(Queue.take(replies), Option.some),
      ),
      write: (bytes) =>
        Effect.suspend(() => {
          if (!feed.noop.on) return toServer(bytes)
          feed.written += bytes.length
          return Effect.void
        }),
    }
  })

/**
 * (b) A `TlsConnection` over the in-memory wire, established; the switch is then on. The
 * certificate is not verified (the scripted server's is self-signed); insecure mode's
 * warning is silenced.
 */
export const establishedConnection = (feed: RecordFeed): Effect.Effect<TlsConnection, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const connection = yield* connectWire(yield* memoryWire(feed), { serverName, insecure: true })
    feed.noop.on = true
    return connection
  }).pipe(Logger.withMinimumLogLevel(LogLevel.Error))
