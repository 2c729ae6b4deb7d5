/**
 * The memory engine against a real node:tls server running over an in-memory stream: the
 * bytes are moved by the test, the handshake is driven only by `Effect.retry` on Want*.
 */
import { describe, expect, it } from "@effect/vitest"
import { NobleCrypto } from "@effect-tls/crypto"
import { WebCrypto } from "@effect-tls/crypto/webcrypto"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import { makeEngine, type TlsEngine } from "../../src/engine/Engine.js"
import { type ConnectError, isWant } from "../../src/errors.js"
import { defaultConfig } from "../../src/handshake/config.js"
import type { SessionInfo } from "../../src/handshake/session.js"
import { CertificateVerifier, InsecureAcceptAnyCertificate } from "../../src/handshake/verifier.js"
import { type MemoryServer, memoryServer } from "./memoryPeer.js"

const layer = Layer.merge(NobleCrypto, InsecureAcceptAnyCertificate)

/** A new engine and a node:tls server over memory that sends back what it receives. */
const echoing = Effect.gen(function* () {
  const server = memoryServer()
  server.socket.on("data", (d: Buffer) => server.socket.write(d))
  const engine = yield* makeEngine({ config: defaultConfig("localhost") })
  return { server, engine }
})

/** One move of the caller: drain our output to the server, then hand what it answered to `feed`. */
const pumpWith = (engine: TlsEngine, server: MemoryServer, feed: (answer: Uint8Array) => Effect.Effect<void>) =>
  Effect.gen(function* () {
    const out = yield* engine.drain
    const answered = Effect.promise(() => server.settled())
    if (out.length > 0) server.deliver(out)
    yield* answered
    yield* feed(server.takeOutput())
  })

/** One move of the caller that feeds what the server answered as it is. */
const pump = (engine: TlsEngine, server: MemoryServer) => pumpWith(engine, server, (answer) => engine.feed(answer))

/** `bytes` cut into consecutive views of 1, 2, ..., 37, 1, 2, ... bytes. */
const piecesOf = (bytes: Uint8Array): Array<Uint8Array> => {
  const pieces: Array<Uint8Array> = []
  for (let at = 0, size = 1; at < bytes.length; at += size, size = (size % 37) + 1) {
    pieces.push(bytes.subarray(at, at + size))
  }
  return pieces
}

/** `effect` retried on Want*, with `move` between tries. */
const retriedWith =
  (move: Effect.Effect<void>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(
      Effect.tapError((e) => (isWant(e) ? move : Effect.void)),
      Effect.retry({ while: isWant, times: 20 }),
    )

describe("memory engine against node:tls over memory", () => {
  it.effect("handshake by Effect.retry on Want*, then data both ways and close_notify", () =>
    Effect.gen(function* () {
      const server = memoryServer()
      const received: Array<Buffer> = []
      server.socket.on("data", (d: Buffer) => {
        received.push(d)
        server.socket.write(Buffer.concat([Buffer.from("echo:"), d]))
      })
      const engine = yield* makeEngine({ config: defaultConfig("localhost") })
      const retried = retriedWith(pump(engine, server))
      const session = yield* retried(engine.connect)
      expect(session.version).toBe("TLSv1.3")
      expect(session.cipherSuite).toBe("TLS_AES_128_GCM_SHA256")
      yield* engine.write(new TextEncoder().encode("hello"))
      const reply = yield* retried(engine.read)
      expect(Buffer.concat(received).toString()).toBe("hello")
      expect(new TextDecoder().decode(Option.getOrThrow(reply))).toBe("echo:hello")
      const serverExporter = server.socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0))
      const ours = yield* engine.exportKeyingMaterial("EXPORTER-Channel-Binding", new Uint8Array(0), 32)
      expect(Buffer.from(ours).toString("hex")).toBe(serverExporter.toString("hex"))
      const peerClosedFirst = yield* engine.shutdown
      expect(peerClosedFirst).toBe(false)
    }).pipe(Effect.provide(layer)),
  )
})

describe("memory engine bound to its services", () => {
  for (const [name, crypto] of [
    ["noble (every step inline)", NobleCrypto],
    ["webcrypto (steps finish on the runtime)", WebCrypto],
  ] as const) {
    it.scoped(`${name}: connect, write, read, export and shutdown with nothing in the caller's context`, () =>
      Effect.gen(function* () {
        const services = yield* Layer.build(Layer.merge(crypto, InsecureAcceptAnyCertificate))
        const server = memoryServer()
        server.socket.on("data", (d: Buffer) => server.socket.write(Buffer.concat([Buffer.from("echo:"), d])))
        const engine = yield* makeEngine({ config: defaultConfig("localhost"), services })
        const retried = retriedWith(pump(engine, server))
        // No Effect.provide anywhere: the operations' R is never, and a missing service would be a defect.
        const session = yield* retried(engine.connect)
        expect(session.version).toBe("TLSv1.3")
        yield* engine.write(new TextEncoder().encode("bound"))
        const reply = yield* retried(engine.read)
        expect(new TextDecoder().decode(Option.getOrThrow(reply))).toBe("echo:bound")
        const ours = yield* engine.exportKeyingMaterial("EXPORTER-Channel-Binding", new Uint8Array(0), 32)
        const serverExporter = server.socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0))
        expect(Buffer.from(ours).toString("hex")).toBe(serverExporter.toString("hex"))
        expect(yield* engine.shutdown).toBe(false)
      }),
    )
  }
})

describe("memory engine: unsafeConnect, unsafeFeed and unsafeDrain (plain calls)", () => {
  for (const [name, crypto, allInline] of [
    ["noble: every attempt is a plain call that returns an Exit", NobleCrypto, true],
    ["webcrypto: attempts that need the runtime return an Effect that finishes them", WebCrypto, false],
  ] as const) {
    it.scoped(name, () =>
      Effect.gen(function* () {
        // A verifier that answers at once (InsecureAcceptAnyCertificate logs its warning through the runtime).
        const acceptAtOnce = Layer.succeed(CertificateVerifier, { verify: () => Effect.succeed({ verified: false }) })
        const services = yield* Layer.build(Layer.merge(crypto, acceptAtOnce))
        const server = memoryServer()
        server.socket.on("data", (d: Buffer) => server.socket.write(Buffer.concat([Buffer.from("echo:"), d])))
        const engine = yield* makeEngine({ config: defaultConfig("localhost"), services })
        const kinds: Array<"exit" | "effect"> = []
        let session: SessionInfo | undefined
        for (let attempt = 0; session === undefined && attempt < 10; attempt++) {
          const result = engine.unsafeConnect()
          kinds.push(Exit.isExit(result) ? "exit" : "effect")
          const exit = Exit.isExit(result)
            ? (result as Exit.Exit<SessionInfo, ConnectError>)
            : yield* Effect.exit(result)
          if (Exit.isSuccess(exit)) session = exit.value
          else
            expect(Option.map(Cause.failureOption(exit.cause), (error) => error._tag)).toEqual(Option.some("WantRead"))
          const out = engine.unsafeDrain()
          const answered = Effect.promise(() => server.settled())
          if (out.length > 0) server.deliver(out)
          yield* answered
          engine.unsafeFeed(server.takeOutput())
        }
        expect(session?.version).toBe("TLSv1.3")
        if (allInline) expect(kinds.every((kind) => kind === "exit")).toBe(true)
        else expect(kinds).toContain("effect")
        // The lock is free again: the other operations work as usual.
        yield* engine.write(new TextEncoder().encode("plain"))
        const reply = yield* retriedWith(pump(engine, server))(engine.read)
        expect(new TextDecoder().decode(Option.getOrThrow(reply))).toBe("echo:plain")
      }),
    )
  }
})

describe("memory engine: feed copies its input", () => {
  it.effect("a node Buffer the caller reuses (zeroed right after feed) changes nothing", () =>
    Effect.gen(function* () {
      const { server, engine } = yield* echoing
      // One buffer for every feed, as a socket library with a static read buffer would use.
      const scratch = Buffer.alloc(64 * 1024)
      const retried = retriedWith(
        pumpWith(engine, server, (bytes) =>
          Effect.gen(function* () {
            scratch.set(bytes)
            yield* engine.feed(scratch.subarray(0, bytes.length))
            scratch.fill(0)
          }),
        ),
      )
      yield* retried(engine.connect)
      yield* engine.write(new TextEncoder().encode("same bytes back"))
      const reply = yield* retried(engine.read)
      expect(new TextDecoder().decode(Option.getOrThrow(reply))).toBe("same bytes back")
    }).pipe(Effect.provide(layer)),
  )
})

describe("memory engine: feed takes consecutive chunks", () => {
  it.effect("what arrived, fed as one array of small chunks, gives the same handshake and data", () =>
    Effect.gen(function* () {
      const { server, engine } = yield* echoing
      let fedChunks = 0
      // Cut what the server sent into pieces of 1..37 bytes, handed to the engine in one feed.
      const retried = retriedWith(
        pumpWith(engine, server, (bytes) => {
          const chunks = piecesOf(bytes)
          fedChunks += chunks.length
          return engine.feed(chunks)
        }),
      )
      const session = yield* retried(engine.connect)
      expect(session.cipherSuite).toBe("TLS_AES_128_GCM_SHA256")
      const sent = new Uint8Array(40_000).map((_, i) => i % 251)
      yield* engine.write(sent)
      const received: Array<Uint8Array> = []
      let total = 0
      while (total < sent.length) {
        const chunk = Option.getOrThrow(yield* retried(engine.read))
        received.push(chunk)
        total += chunk.length
      }
      expect(Buffer.concat(received)).toStrictEqual(Buffer.from(sent))
      expect(fedChunks).toBeGreaterThan(1000)
    }).pipe(Effect.provide(layer)),
  )
})

describe("memory engine: feed with transfer", () => {
  it.effect("bytes lent (one buffer, overwritten once the engine asks for more) give the same handshake and data", () =>
    Effect.gen(function* () {
      const { server, engine } = yield* echoing
      // One buffer for every feed, lent uncopied: the engine must be done with it by its next WantRead.
      const lent = Buffer.alloc(128 * 1024)
      const retried = retriedWith(
        pumpWith(engine, server, (bytes) => {
          lent.fill(0xee)
          lent.set(bytes)
          // In pieces, so records straddle chunks and the engine keeps copies of their starts.
          return engine.feed(piecesOf(lent.subarray(0, bytes.length)), { transfer: true })
        }),
      )
      yield* retried(engine.connect)
      const sent = new Uint8Array(40_000).map((_, i) => i % 251)
      yield* engine.write(sent)
      const received: Array<Uint8Array> = []
      let total = 0
      while (total < sent.length) {
        const chunks = Option.getOrThrow(yield* retried(engine.readChunks))
        received.push(...chunks)
        for (const chunk of chunks) total += chunk.length
      }
      // Compared only now, after the buffer was overwritten: nothing handed out may share its memory.
      lent.fill(0xee)
      expect(Buffer.concat(received)).toStrictEqual(Buffer.from(sent))
    }).pipe(Effect.provide(layer)),
  )
})

describe("memory engine: concurrent writes", () => {
  // WebCrypto seals asynchronously, so steps wait holding the lock and writers queue for it;
  // with noble every write takes the lock at once and runs inline.
  it.effect.each([
    ["noble", layer],
    ["webcrypto", Layer.merge(WebCrypto, InsecureAcceptAnyCertificate)],
  ] as const)(
    "%s: writes from many fibers, with reads, key updates and drains between, each arrive whole and in order",
    ([, cryptoLayer]) =>
      Effect.gen(function* () {
        const server = memoryServer()
        const received: Array<Buffer> = []
        server.socket.on("data", (d: Buffer) => received.push(d))
        const engine = yield* makeEngine({ config: defaultConfig("localhost") })
        const retried = retriedWith(pump(engine, server))
        yield* retried(engine.connect)
        const fibers = 20
        const messages = 50
        const writer = (id: number) =>
          Effect.forEach(
            Array.from({ length: messages }, (_, seq) => seq),
            (seq) =>
              Effect.zipRight(
                engine.write(new TextEncoder().encode(`f${id}-${seq};`)),
                seq % 7 === 0
                  ? Effect.asVoid(Effect.either(engine.read))
                  : seq % 13 === 0
                    ? engine.keyUpdate(false)
                    : Effect.yieldNow(),
              ),
            { discard: true },
          )
        const drainer = Effect.forEach(
          Array.from({ length: 40 }, (_, i) => i),
          () =>
            Effect.zipRight(
              Effect.flatMap(engine.drain, (out) => Effect.sync(() => server.deliver(out))),
              Effect.yieldNow(),
            ),
          { discard: true },
        )
        yield* Effect.all([...Array.from({ length: fibers }, (_, id) => writer(id)), drainer], {
          concurrency: "unbounded",
        })
        server.deliver(yield* engine.drain)
        yield* Effect.promise(() => server.settled())
        const seen = Buffer.concat(received)
          .toString()
          .split(";")
          .filter((m) => m.length > 0)
        expect(seen).toHaveLength(fibers * messages)
        for (let id = 0; id < fibers; id++) {
          const mine = seen.filter((m) => m.startsWith(`f${id}-`)).map((m) => Number(m.split("-")[1]))
          expect(mine).toStrictEqual(Array.from({ length: messages }, (_, seq) => seq))
        }
      }).pipe(Effect.provide(cryptoLayer)),
  )
})

describe("memory engine: Want*, CleanShutdown and sticky failures", () => {
  it.effect("WantWrite while the bounded output buffer is full, WantRead once drained", () =>
    Effect.gen(function* () {
      const engine = yield* makeEngine({ config: defaultConfig("localhost"), maxPendingOutput: 100 })
      const first = yield* Effect.flip(engine.connect)
      expect(first._tag).toBe("WantWrite")
      expect(yield* engine.pendingOutput).toBeGreaterThan(100)
      const again = yield* Effect.flip(engine.connect)
      expect(again._tag).toBe("WantWrite")
      const hello = yield* engine.drain
      expect(hello[0]).toBe(22)
      expect((yield* Effect.flip(engine.connect))._tag).toBe("WantRead")
    }).pipe(Effect.provide(layer)),
  )

  it.effect("a close_notify from the server mid-handshake is CleanShutdown, and stays so", () =>
    Effect.gen(function* () {
      const engine = yield* makeEngine({ config: defaultConfig("localhost") })
      expect((yield* Effect.flip(engine.connect))._tag).toBe("WantRead")
      yield* engine.drain
      // user_canceled (warning) then close_notify (warning), as plaintext alert records.
      yield* engine.feed(Uint8Array.of(21, 3, 3, 0, 2, 1, 90, 21, 3, 3, 0, 2, 1, 0))
      expect((yield* Effect.flip(engine.connect))._tag).toBe("CleanShutdown")
      expect((yield* Effect.flip(engine.connect))._tag).toBe("CleanShutdown")
    }).pipe(Effect.provide(layer)),
  )

  it.effect("a fatal alert from the server is Fatal AlertReceived, and no alert is sent back", () =>
    Effect.gen(function* () {
      const engine = yield* makeEngine({ config: defaultConfig("localhost") })
      yield* Effect.flip(engine.connect)
      yield* engine.drain
      yield* engine.feed(Uint8Array.of(21, 3, 3, 0, 2, 2, 40))
      const failure = yield* Effect.flip(engine.connect)
      expect(failure._tag).toBe("Fatal")
      if (failure._tag === "Fatal")
        expect(failure.reason).toMatchObject({ _tag: "AlertReceived", description: "handshake_failure" })
      expect((yield* engine.drain).length).toBe(0)
    }).pipe(Effect.provide(layer)),
  )

  it.effect("garbage from the server is Fatal, and the alert we send waits in the output", () =>
    Effect.gen(function* () {
      const engine = yield* makeEngine({ config: defaultConfig("localhost") })
      yield* Effect.flip(engine.connect)
      yield* engine.drain
      yield* engine.feed(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"))
      const failure = yield* Effect.flip(engine.connect)
      expect(failure._tag).toBe("Fatal")
      if (failure._tag === "Fatal")
        expect(failure.reason).toMatchObject({ _tag: "AlertSent", description: "unexpected_message" })
      expect(Array.from(yield* engine.drain)).toEqual([21, 3, 3, 0, 2, 2, 10])
      expect((yield* Effect.flip(engine.write(new Uint8Array(1))))._tag).toBe("Fatal")
    }).pipe(Effect.provide(layer)),
  )
})
