/**
 * Properties of the client state machine against the scripted server: the result does not
 * depend on how the server's bytes are cut; a flipped byte in the server's flight ends in
 * an alert (or, for the few bytes TLS ignores, in the very same handshake), never in an
 * exception or in other keys; the reducer is deterministic under the testing layer; and
 * application data of any size round-trips, split into records as the limits say.
 */
import { describe, expect, it } from "@effect/vitest"
import { concatBytes } from "@effect-tls/crypto"
import { Cause, Effect, Exit, Logger, LogLevel, Option } from "effect"
import * as fc from "fast-check"
import { start, step } from "../../src/handshake/client.js"
import { type ClientConfig, defaultConfig } from "../../src/handshake/config.js"
import { type ClientState, Input, type Output } from "../../src/handshake/state.js"
import { AlertDescription, CipherSuite, ContentType, nameOf, SignatureScheme } from "../../src/wire/codes.js"
import { frames } from "../server/frames.js"
import type { ServerOptions } from "../server/options.js"
import { clientLayer, Pair, sentBytes } from "../server/pair.js"

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

/** An output as a plain comparable value (bytes as hex). */
const summaryOf = (o: Output) => {
  switch (o._tag) {
    case "Send":
      return { Send: hex(o.bytes) }
    case "KeyLog":
      return { KeyLog: o.label, secret: hex(o.secret) }
    case "ApplicationData":
      return { ApplicationData: hex(o.data) }
    case "SessionTicket":
      return { SessionTicket: hex(o.ticket.ticket), psk: hex(o.psk) }
    case "Established":
      return { Established: { ...o.session, peerCertificates: o.session.peerCertificates.map(hex) } }
    case "PeerClosed":
      return { PeerClosed: true }
  }
}

/** Outputs as plain comparable values. */
const summarize = (outputs: ReadonlyArray<Output>) => outputs.map(summaryOf)

/** What a state holds that matters after the handshake: phase, secrets and sequence numbers. */
const stateSummary = (state: ClientState) => ({
  phase: state.phase._tag,
  traffic:
    state.phase._tag === "Established"
      ? { client: hex(state.phase.traffic.clientSecret), server: hex(state.phase.traffic.serverSecret) }
      : undefined,
  closedForWriting: state.closedForWriting,
  writeSequence: state.record.writer?.sequence,
  readSequence: state.record.reader?.sequence,
})

/** Steps a fresh client through `chunks` of server bytes; its outputs and final state. */
const replay = (config: ClientConfig, chunks: ReadonlyArray<Uint8Array>) =>
  Effect.gen(function* () {
    let [state, outputs] = yield* start(config)
    const all = [...outputs]
    for (const bytes of chunks) {
      ;[state, outputs] = yield* step(state, Input.Received({ bytes }))
      all.push(...outputs)
    }
    return { state, outputs: all }
  })

/**
 * A rich exchange: a handshake with ALPN, a CertificateRequest and the middlebox
 * ChangeCipherSpec, then a ticket, data over two records, a KeyUpdate asking for ours, data.
 */
const richConfig: ClientConfig = { ...defaultConfig("scripted.test"), alpn: ["h2"] }
const richServer: ServerOptions = {
  alpn: "h2",
  certificateRequest: [SignatureScheme.ed25519],
  middleboxCcs: true,
  tickets: 1,
}

/** Everything the server sends in the rich exchange, and what the client does with it fed whole. */
const reference = Effect.gen(function* () {
  const pair = yield* Pair.start(richConfig, richServer)
  const handshake = yield* pair.flight()
  const handshakeOutputs = yield* pair.receive(handshake)
  const tickets = yield* pair.flight()
  yield* pair.receive(tickets)
  const after = concatBytes(
    yield* pair.server.send(new Uint8Array(20000).map((_, i) => i * 7)),
    yield* pair.server.keyUpdate(true),
    yield* pair.server.send(Uint8Array.of(1, 2, 3)),
  )
  yield* pair.receive(after)
  return {
    handshake,
    handshakeOutputs,
    /** The handshake flight and the ticket, before the data. */
    flights: concatBytes(handshake, tickets),
    stream: concatBytes(handshake, tickets, after),
    outputs: pair.outputs,
    state: pair.state,
  }
}).pipe(Effect.provide(clientLayer()), Logger.withMinimumLogLevel(LogLevel.Error), Effect.runSync)

/** Cuts `bytes` at the given offsets. */
const cut = (bytes: Uint8Array, offsets: ReadonlyArray<number>): Array<Uint8Array> => {
  const points = [...new Set(offsets)].sort((a, b) => a - b)
  return [0, ...points].map((from, i) => bytes.subarray(from, points[i] ?? bytes.length))
}

/** Alerts a flipped byte in the server's flight may lead to; internal_error, among others, may not. */
const flipAlerts = new Set<number>([
  AlertDescription.unexpected_message,
  AlertDescription.bad_record_mac,
  AlertDescription.record_overflow,
  AlertDescription.decode_error,
  AlertDescription.illegal_parameter,
  AlertDescription.protocol_version,
  AlertDescription.unsupported_extension,
  AlertDescription.missing_extension,
])

/** Byte offsets of the record headers of `bytes`, by field. */
const headerFields = (bytes: Uint8Array) => {
  const ignored = new Set<number>()
  const lengths = new Set<number>()
  let at = 0
  for (const frame of frames(bytes)) {
    // legacy_record_version is ignored in plaintext records; in protected ones it is authenticated.
    if (frame.type !== ContentType.application_data) for (const i of [1, 2]) ignored.add(at + i)
    for (const i of [3, 4]) lengths.add(at + i)
    at += frame.bytes.length
  }
  return { ignored, lengths }
}

describe("state machine properties", () => {
  it("the reference exchange completes, with a ticket, three data records and our KeyUpdate", () => {
    const tags = reference.outputs.map((o) => o._tag)
    expect(tags.filter((t) => t === "Established" || t === "SessionTicket")).toEqual(["Established", "SessionTicket"])
    expect(tags.filter((t) => t === "ApplicationData")).toHaveLength(3)
    expect(tags.filter((t) => t === "Send")).toHaveLength(3)
    expect(reference.state.phase._tag).toBe("Established")
  })

  it.effect.prop(
    "property: the same state and outputs however the server's bytes are split",
    [fc.array(fc.integer({ min: 1, max: reference.stream.length - 1 }), { maxLength: 64 })],
    ([offsets]) =>
      Effect.gen(function* () {
        const run = yield* replay(richConfig, cut(reference.stream, offsets))
        expect(summarize(run.outputs)).toEqual(summarize(reference.outputs))
        expect(stateSummary(run.state)).toEqual(stateSummary(reference.state))
      }).pipe(Effect.provide(clientLayer())),
    { timeout: 60_000, fastCheck: { numRuns: 100 } },
  )

  it.effect("the same state and outputs when the handshake flights arrive one byte at a time", () =>
    Effect.gen(function* () {
      const { flights, stream } = reference
      const bytes = Array.from(flights, (_, i) => flights.subarray(i, i + 1))
      const run = yield* replay(richConfig, [...bytes, stream.subarray(flights.length)])
      expect(summarize(run.outputs)).toEqual(summarize(reference.outputs))
      expect(stateSummary(run.state)).toEqual(stateSummary(reference.state))
    }).pipe(Effect.provide(clientLayer())),
  )

  it.effect.prop(
    "property: a flipped byte in the server's flight ends in an alert we send, or changes nothing TLS reads",
    [fc.nat({ max: reference.handshake.length - 1 }), fc.integer({ min: 1, max: 255 })],
    ([position, mask]) =>
      Effect.gen(function* () {
        const flight = reference.handshake.slice()
        flight[position] = flight[position]! ^ mask
        const [state0] = yield* start(richConfig)
        const exit = yield* Effect.exit(step(state0, Input.Received({ bytes: flight })))
        const { ignored, lengths } = headerFields(reference.handshake)
        if (Exit.isFailure(exit)) {
          // A defect (an exception) is never allowed; a failure is a Fatal for an alert we send.
          const failure = Cause.failureOption(exit.cause)
          expect(Option.isSome(failure), Cause.pretty(exit.cause)).toBe(true)
          const reason = Option.getOrThrow(failure).reason
          // No single flip forges an alert: protected records authenticate, and a record
          // turned into an alert holds more or less than the two bytes of one (decode_error).
          expect(reason._tag).toBe("AlertSent")
          if (reason._tag === "AlertSent") {
            expect(flipAlerts.has(reason.alert), nameOf(AlertDescription, reason.alert)).toBe(true)
          }
          expect(ignored.has(position)).toBe(false)
          return
        }
        const [state, outputs] = exit.value
        if (ignored.has(position)) {
          // A byte TLS ignores changes nothing: the very same handshake, the same keys.
          expect(summarize(outputs)).toEqual(summarize(reference.handshakeOutputs))
          return
        }
        // Otherwise only a longer record length may leave the client waiting for more bytes.
        expect(lengths.has(position)).toBe(true)
        expect(state.phase._tag).not.toBe("Established")
        expect(outputs.filter((o) => o._tag === "Established" || o._tag === "Send")).toEqual([])
      }).pipe(Effect.provide(clientLayer())),
    { timeout: 60_000, fastCheck: { numRuns: 100 } },
  )

  const scenario = fc.record({
    seed: fc.string({ maxLength: 12 }),
    suite: fc.constantFrom(
      CipherSuite.TLS_AES_128_GCM_SHA256,
      CipherSuite.TLS_AES_256_GCM_SHA384,
      CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    ),
    group: fc.constantFrom("x25519" as const, "secp256r1" as const, "secp384r1" as const),
    retry: fc.boolean(),
    grease: fc.boolean(),
    middlebox: fc.boolean(),
  })

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never

  const configFor = (s: Scenario): ClientConfig => ({
    ...defaultConfig("scripted.test"),
    grease: s.grease,
    middleboxCompatibility: s.middlebox,
    keyShareGroups: s.retry ? (s.group === "x25519" ? ["secp256r1"] : ["x25519"]) : [s.group],
  })

  /** One whole exchange for a scenario, under a fresh testing layer seeded with its seed. */
  const exchange = (s: Scenario) =>
    Effect.gen(function* () {
      const pair = yield* Pair.connect(configFor(s), {
        suite: s.suite,
        group: s.group,
        middleboxCcs: s.middlebox,
        tickets: 1,
        ...(s.retry ? { helloRetry: { group: s.group } } : {}),
      })
      yield* pair.input(Input.Write({ data: Uint8Array.of(1, 2, 3) }))
      yield* pair.deliver(yield* pair.server.send(Uint8Array.of(4, 5)))
      return { outputs: summarize(pair.outputs), state: stateSummary(pair.state), server: pair.server.log }
    }).pipe(Effect.provide(clientLayer(s.seed)))

  it.effect.prop(
    "property: the reducer is deterministic under the testing layer (same script, same bytes)",
    [scenario],
    ([s]) =>
      Effect.gen(function* () {
        const first = yield* exchange(s)
        const second = yield* exchange(s)
        expect(second).toEqual(first)
        expect(first.state.phase).toBe("Established")
        // And the seed is what the bytes come from: another seed, another ClientHello.
        const [, other] = yield* Effect.provide(start(configFor(s)), clientLayer(`${s.seed}'`))
        expect(first.outputs[0]).not.toEqual({ Send: hex(sentBytes(other)) })
      }),
    // Two whole exchanges per run (P-384, HelloRetryRequest): fewer runs keep the file fast.
    { timeout: 60_000, fastCheck: { numRuns: 50 } },
  )

  /** Established pairs reused across runs: one with default limits, one whose server asks for 1024-byte records. */
  const pairs = new Map<boolean, Pair>()
  const pairFor = (limited: boolean) =>
    Effect.gen(function* () {
      const known = pairs.get(limited)
      if (known !== undefined) return known
      const pair = yield* Pair.connect(
        { ...defaultConfig("scripted.test"), recordSizeLimit: 16385 },
        limited ? { recordSizeLimit: 1024 } : {},
      )
      pairs.set(limited, pair)
      return pair
    })

  it.effect.prop(
    "property: application data of any size round-trips both ways, in records no larger than the limits",
    [fc.oneof(fc.nat({ max: 300 }), fc.integer({ min: 16000, max: 50000 })), fc.nat({ max: 255 }), fc.boolean()],
    ([size, seed, limited]) =>
      Effect.gen(function* () {
        const pair = yield* pairFor(limited)
        const data = new Uint8Array(size).map((_, i) => (seed + i * 31) & 0xff)
        const fragment = limited ? 1023 : 16384
        const records = Math.max(1, Math.ceil(size / fragment))

        pair.server.applicationData.length = 0
        const sent = yield* pair.input(Input.Write({ data }))
        expect(frames(sentBytes(sent))).toHaveLength(records)
        expect(hex(concatBytes(...pair.server.applicationData))).toBe(hex(data))
        expect(pair.server.applicationData.every((d) => d.length <= fragment)).toBe(true)

        if (size > 0) {
          const received = yield* pair.deliver(yield* pair.server.send(data))
          const chunks = received.flatMap((o) => (o._tag === "ApplicationData" ? [o.data] : []))
          expect(chunks).toHaveLength(Math.ceil(size / 16384))
          expect(hex(concatBytes(...chunks))).toBe(hex(data))
        }
      }).pipe(Effect.provide(clientLayer())),
    { timeout: 60_000, fastCheck: { numRuns: 100 } },
  )
})
