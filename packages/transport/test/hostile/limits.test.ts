/**
 * The limits of DESIGN section 4, each configurable within bounds and each tested at its
 * edge over real TCP (and the output bound in memory mode): record size, handshake message
 * size, certificate chain length, consecutive empty or ChangeCipherSpec records, KeyUpdates
 * in a row, pending output (`WantWrite`), and the handshake timeout. Values out of bounds
 * fail with `Fatal` (`Config`).
 */
import { describe, expect, it } from "@effect/vitest"
import { type EngineRequirements, InsecureAcceptAnyCertificate, makeEngine, Wire } from "@effect-tls/core"
import { concatBytes, NobleCrypto } from "@effect-tls/crypto"
import { Effect, Either, Layer } from "effect"
import { changeCipherSpecRecord, handshakeRecord, insertRecords, rewrite } from "../../../core/test/server/hooks.js"
import type { PlannedRecord, ServerHooks } from "../../../core/test/server/options.js"
import { ScriptedServer } from "../../../core/test/server/server.js"
import { decodeOptions, resolveConfig } from "../../src/Options.js"
import { neverAnswer } from "./fakeServer.js"
import { alertSent, type ClientOptions, fatal, guardProcess, hostile, readToEnd, timeoutAlerts } from "./harness.js"
import { scriptedServerOf, tlsServer } from "./tlsScript.js"

guardProcess()

const { ContentType, HandshakeType } = Wire
const quick = 2000

/** A case that must fail validation before any byte is sent. */
const rejected = (options: ClientOptions) =>
  hostile({ script: neverAnswer, options, expected: fatal("Config"), sent: [], withinMs: quick })

/** A server whose Certificate message carries `extra` more entries (garbage DER; insecure mode parses only the leaf). */
const extraCertificates = (extra: number, size = 64): ServerHooks => ({
  message: rewrite("Certificate", (m) => ({
    ...m,
    entries: [
      ...m.entries,
      ...Array.from({ length: extra }, () => ({ certData: new Uint8Array(size).fill(0x30), extensions: [] })),
    ],
  })),
})

/** `count` copies of `record`. */
const records = (count: number, record: PlannedRecord): Array<PlannedRecord> =>
  Array.from({ length: count }, () => record)

const emptyApplicationData: PlannedRecord = {
  type: ContentType.application_data,
  content: new Uint8Array(0),
  keys: "application",
}

/** Sends the records the server builds with `make` once the handshake is done, then `data`, then close_notify. */
const afterHandshake = (make: (server: ScriptedServer) => Effect.Effect<Uint8Array, unknown>) =>
  tlsServer({
    established: (peer, server) =>
      Effect.gen(function* () {
        const bytes = yield* Effect.orDie(make(server))
        yield* peer.send(concatBytes(bytes, yield* server.send(Uint8Array.of(42)), yield* server.close()))
      }),
  })

/** `n` KeyUpdates (not asking for ours), each under the key the previous one moved to. */
const keyUpdates = (n: number) => (server: ScriptedServer) =>
  Effect.map(
    Effect.forEach(Array.from({ length: n }), () => server.keyUpdate(false)),
    (parts) => concatBytes(...parts),
  )

/** A case that reads to the server's close_notify after data. */
const readsCleanly = (script: ReturnType<typeof tlsServer>, options: ClientOptions = {}) =>
  hostile({ script, options, use: readToEnd, expected: "success", sent: ["close_notify"], withinMs: quick })

/** A case that fails while reading with `alert` sent. */
const readFails = (script: ReturnType<typeof tlsServer>, alert: string, options: ClientOptions = {}) =>
  hostile({ script, options, use: readToEnd, expected: alertSent(alert), sent: [alert], withinMs: quick })

describe("record size (RFC 8446 section 5: not configurable)", () => {
  it.live("a record of 2^14 bytes of plaintext is read", () =>
    readsCleanly(afterHandshake((server) => server.send(new Uint8Array(16384).fill(7)))),
  )

  it.live("a protected record of 2^14 + 257 bytes: record_overflow", () =>
    readFails(
      afterHandshake(() =>
        Effect.succeed(
          concatBytes(Uint8Array.of(ContentType.application_data, 3, 3, 0x41, 0x01), new Uint8Array(16641)),
        ),
      ),
      "record_overflow",
    ),
  )

  it.live("a plaintext record of 2^14 + 1 bytes during the handshake: record_overflow", () =>
    hostile({
      script: tlsServer({
        server: {
          hooks: { records: insertRecords("handshake", 0, handshakeRecord(new Uint8Array(16385), "plaintext")) },
        },
      }),
      expected: alertSent("record_overflow"),
      sent: ["record_overflow"],
      withinMs: quick,
    }),
  )

  it.live("recordSizeLimit out of bounds (63, 16386): Config", () =>
    Effect.all([rejected({ recordSizeLimit: 63 }), rejected({ recordSizeLimit: 16386 })]),
  )
})

describe("handshake message size (maxHandshakeMessage, default 64 KiB)", () => {
  // An Ed25519 leaf and one 70,000-byte entry: a Certificate message of about 70 KiB.
  const large = extraCertificates(1, 70_000)

  it.live("a 70 KiB Certificate with the default limit: illegal_parameter", () =>
    hostile({
      script: tlsServer({ server: { hooks: large } }),
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    }),
  )

  it.live("the same 70 KiB Certificate with maxHandshakeMessage 131072: accepted", () =>
    hostile({
      script: tlsServer({ server: { hooks: large } }),
      options: { limits: { maxHandshakeMessage: 131072 } },
      expected: "success",
      sent: ["close_notify"],
      withinMs: quick,
    }),
  )

  it.live("maxHandshakeMessage 1024: the usual flight passes, a 2 KiB Certificate fails", () =>
    Effect.all([
      hostile({
        script: tlsServer(),
        options: { limits: { maxHandshakeMessage: 1024 } },
        expected: "success",
        sent: ["close_notify"],
        withinMs: quick,
      }),
      hostile({
        script: tlsServer({ server: { hooks: extraCertificates(1, 2048) } }),
        options: { limits: { maxHandshakeMessage: 1024 } },
        expected: alertSent("illegal_parameter"),
        sent: ["illegal_parameter"],
        withinMs: quick,
      }),
    ]),
  )

  it.live("maxHandshakeMessage 1024: a header claiming 1025 bytes fails at once, before its body", () =>
    hostile({
      script: tlsServer({
        server: {
          hooks: {
            records: (planned, flight) =>
              flight !== "handshake"
                ? planned
                : [
                    ...planned.slice(0, 2),
                    handshakeRecord(Uint8Array.of(HandshakeType.certificate, 0, 0x04, 0x01), "handshake"),
                  ],
          },
        },
      }),
      options: { limits: { maxHandshakeMessage: 1024 } },
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    }),
  )

  it.live("maxHandshakeMessage out of bounds (1023, 2^24 + 1, 1.5): Config", () =>
    Effect.all([
      rejected({ limits: { maxHandshakeMessage: 1023 } }),
      rejected({ limits: { maxHandshakeMessage: (1 << 24) + 1 } }),
      rejected({ limits: { maxHandshakeMessage: 1.5 } }),
    ]),
  )
})

describe("certificate chain length (maxCertificates, default 10)", () => {
  const chain = (length: number) => tlsServer({ server: { hooks: extraCertificates(length - 1) } })

  it.live("10 certificates pass, 11 are bad_certificate (default)", () =>
    Effect.all([
      hostile({ script: chain(10), expected: "success", sent: ["close_notify"], withinMs: quick }),
      hostile({
        script: chain(11),
        expected: alertSent("bad_certificate"),
        sent: ["bad_certificate"],
        withinMs: quick,
      }),
    ]),
  )

  it.live("maxCertificates 2: 2 pass, 3 are bad_certificate", () =>
    Effect.all([
      hostile({
        script: chain(2),
        options: { limits: { maxCertificates: 2 } },
        expected: "success",
        sent: ["close_notify"],
        withinMs: quick,
      }),
      hostile({
        script: chain(3),
        options: { limits: { maxCertificates: 2 } },
        expected: alertSent("bad_certificate"),
        sent: ["bad_certificate"],
        withinMs: quick,
      }),
    ]),
  )

  it.live("maxCertificates out of bounds (0, 65): Config", () =>
    Effect.all([rejected({ limits: { maxCertificates: 0 } }), rejected({ limits: { maxCertificates: 65 } })]),
  )
})

describe("consecutive empty or ChangeCipherSpec records (maxEmptyRecords, default 16)", () => {
  const ccs = (n: number) =>
    tlsServer({
      server: { hooks: { records: insertRecords("handshake", 1, ...records(n, changeCipherSpecRecord())) } },
    })

  it.live("16 ChangeCipherSpec records in the handshake pass, 17 are unexpected_message (default)", () =>
    Effect.all([
      hostile({ script: ccs(16), expected: "success", sent: ["close_notify"], withinMs: quick }),
      hostile({
        script: ccs(17),
        expected: alertSent("unexpected_message"),
        sent: ["unexpected_message"],
        withinMs: quick,
      }),
    ]),
  )

  it.live("maxEmptyRecords 4: 4 ChangeCipherSpec records pass, 5 fail", () =>
    Effect.all([
      hostile({
        script: ccs(4),
        options: { limits: { maxEmptyRecords: 4 } },
        expected: "success",
        sent: ["close_notify"],
        withinMs: quick,
      }),
      hostile({
        script: ccs(5),
        options: { limits: { maxEmptyRecords: 4 } },
        expected: alertSent("unexpected_message"),
        sent: ["unexpected_message"],
        withinMs: quick,
      }),
    ]),
  )

  it.live("maxEmptyRecords 0: even the one middlebox ChangeCipherSpec is refused", () =>
    hostile({
      script: tlsServer({ server: { middleboxCcs: true } }),
      options: { limits: { maxEmptyRecords: 0 } },
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    }),
  )

  it.live("maxEmptyRecords 4: 4 empty application data records pass, 5 fail", () =>
    Effect.all([
      readsCleanly(
        afterHandshake((server) => server.records(records(4, emptyApplicationData))),
        { limits: { maxEmptyRecords: 4 } },
      ),
      readFails(
        afterHandshake((server) => server.records(records(5, emptyApplicationData))),
        "unexpected_message",
        {
          limits: { maxEmptyRecords: 4 },
        },
      ),
    ]),
  )

  it.live("maxEmptyRecords out of bounds (-1, 1025): Config", () =>
    Effect.all([rejected({ limits: { maxEmptyRecords: -1 } }), rejected({ limits: { maxEmptyRecords: 1025 } })]),
  )
})

describe("KeyUpdate rate (maxKeyUpdatesInARow, default 32)", () => {
  it.live("32 KeyUpdates in a row pass, 33 are unexpected_message (default)", () =>
    Effect.all([
      readsCleanly(afterHandshake(keyUpdates(32))),
      readFails(afterHandshake(keyUpdates(33)), "unexpected_message"),
    ]),
  )

  it.live("maxKeyUpdatesInARow 3: 3 pass, 4 are unexpected_message", () =>
    Effect.all([
      readsCleanly(afterHandshake(keyUpdates(3)), { limits: { maxKeyUpdatesInARow: 3 } }),
      readFails(afterHandshake(keyUpdates(4)), "unexpected_message", { limits: { maxKeyUpdatesInARow: 3 } }),
    ]),
  )

  it.live("maxKeyUpdatesInARow out of bounds (0, 1025): Config", () =>
    Effect.all([rejected({ limits: { maxKeyUpdatesInARow: 0 } }), rejected({ limits: { maxKeyUpdatesInARow: 1025 } })]),
  )
})

describe("bounded output (maxPendingOutput)", () => {
  const clientLayer: Layer.Layer<EngineRequirements> = Layer.merge(NobleCrypto, InsecureAcceptAnyCertificate)

  it.effect("memory mode: WantWrite while maxPendingOutput bytes wait, until drained", () =>
    Effect.gen(function* () {
      const validated = yield* decodeOptions({ limits: { maxPendingOutput: 64 } })
      const config = yield* Either.match(resolveConfig(validated), { onLeft: Effect.fail, onRight: Effect.succeed })
      expect(validated.limits?.maxPendingOutput).toBe(64)
      const engine = yield* makeEngine({ config, maxPendingOutput: 64 })
      const server = yield* ScriptedServer.make()

      const first = yield* Effect.flip(engine.connect)
      expect(first).toMatchObject({ _tag: "WantWrite" })
      const hello = yield* engine.pendingOutput
      expect(first).toMatchObject({ pending: hello })
      expect(yield* Effect.flip(engine.connect)).toMatchObject({ _tag: "WantWrite", pending: hello })
      yield* engine.feed(yield* server.receive(yield* engine.drain))
      yield* engine.connect
      yield* server.receive(yield* engine.drain)

      yield* engine.write(new Uint8Array(100_000))
      const full = yield* Effect.flip(engine.write(Uint8Array.of(1)))
      expect(full).toMatchObject({ _tag: "WantWrite", pending: yield* engine.pendingOutput })
      expect(yield* Effect.flip(engine.keyUpdate(false))).toMatchObject({ _tag: "WantWrite" })
      yield* server.receive(yield* engine.drain)
      yield* engine.write(Uint8Array.of(1))
      yield* server.receive(yield* engine.drain)
      expect(server.applicationData.reduce((n, d) => n + d.length, 0)).toBe(100_001)
    }).pipe(Effect.provide(clientLayer)),
  )

  it.live("stream mode: maxPendingOutput 1 still moves 200 KB, WantWrite never escapes", () =>
    Effect.gen(function* () {
      const outcome = yield* hostile({
        script: tlsServer(),
        options: { limits: { maxPendingOutput: 1 } },
        use: (connection) =>
          Effect.forEach(Array.from({ length: 4 }), () => connection.write(new Uint8Array(50_000).fill(9)), {
            discard: true,
          }),
        expected: "success",
        sent: ["close_notify"],
        withinMs: 4000,
      })
      const server = outcome.connection && scriptedServerOf(outcome.connection)
      expect(server?.applicationData.reduce((n, d) => n + d.length, 0)).toBe(200_000)
    }),
  )

  it.live("maxPendingOutput out of bounds (0, 2^26 + 1): Config", () =>
    Effect.all([
      rejected({ limits: { maxPendingOutput: 0 } }),
      rejected({ limits: { maxPendingOutput: (1 << 26) + 1 } }),
    ]),
  )
})

describe("handshake timeout (handshakeTimeoutMs, default 30 s)", () => {
  it.live("handshakeTimeoutMs 300 against a silent server: Timeout after 300 ms, not before", () =>
    hostile({
      script: neverAnswer,
      options: { handshakeTimeoutMs: 300 },
      expected: fatal("Timeout"),
      sent: timeoutAlerts,
      withinMs: 1300,
      atLeastMs: 300,
    }),
  )

  it.live("handshakeTimeoutMs out of bounds (0, 3,600,001): Config", () =>
    Effect.all([rejected({ handshakeTimeoutMs: 0 }), rejected({ handshakeTimeoutMs: 3_600_001 })]),
  )
})
