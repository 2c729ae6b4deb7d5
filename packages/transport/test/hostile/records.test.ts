/**
 * Hostile records over real TCP: bytes that are not TLS, records too large or of unknown
 * types, garbage where ciphertext should be, a handshake message that claims 16 MiB,
 * floods of ChangeCipherSpec or empty records, data before the handshake is done. Each
 * case asserts the typed failure, the alert we sent, the time bound, and that socket and
 * fibers are released.
 */
import { describe, it } from "@effect/vitest"
import { Wire } from "@effect-tls/core"
import { concatBytes } from "@effect-tls/crypto"
import { Effect } from "effect"
import { changeCipherSpecRecord, handshakeRecord, insertRecords } from "../../../core/test/server/hooks.js"
import type { PlannedRecord } from "../../../core/test/server/options.js"
import { plaintextRecord } from "../../../core/test/server/recordLayer.js"
import { answer, type Script } from "./fakeServer.js"
import { alertSent, guardProcess, type HostileCase, hostile, readToEnd } from "./harness.js"
import { tlsServer } from "./tlsScript.js"

guardProcess()

const { ContentType, HandshakeType } = Wire
const quick = 2000
const encoder = new TextEncoder()

/** `count` copies of `record`. */
const times = (count: number, record: PlannedRecord): Array<PlannedRecord> =>
  Array.from({ length: count }, () => record)

const emptyApplicationData: PlannedRecord = {
  type: ContentType.application_data,
  content: new Uint8Array(0),
  keys: "application",
}

/** Replaces the first record of the handshake flight (the ServerHello) by `content`. */
const replaceServerHello =
  (content: (serverHello: Uint8Array) => Uint8Array) =>
  (records: ReadonlyArray<PlannedRecord>, flight: string): ReadonlyArray<PlannedRecord> =>
    flight !== "handshake" ? records : records.map((r, i) => (i === 0 ? { ...r, content: content(r.content) } : r))

/** A handshake message header of `type` claiming `length` bytes. */
const header = (type: number, length: number) => Uint8Array.of(type, length >> 16, (length >> 8) & 0xff, length & 0xff)

/** Reads the ClientHello, sends `records` (built from raw bytes), then waits for the client to close. */
const rawRecords = (...records: ReadonlyArray<Uint8Array>): Script => answer(() => concatBytes(...records))

const cases: ReadonlyArray<readonly [string, HostileCase]> = [
  [
    "a reply that is not TLS (an HTTP response): unexpected_message",
    {
      script: answer(() => encoder.encode("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "a reply that is not TLS, one byte only (the content type is checked at once): unexpected_message",
    {
      script: answer(() => encoder.encode("S")),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "a record of an unknown content type (99): unexpected_message",
    {
      script: rawRecords(plaintextRecord(99, Uint8Array.of(1, 2, 3))),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "a plaintext record over 2^14 bytes: record_overflow",
    {
      script: rawRecords(plaintextRecord(ContentType.handshake, new Uint8Array(16385))),
      expected: alertSent("record_overflow"),
      sent: ["record_overflow"],
      withinMs: quick,
    },
  ],
  [
    "a record header claiming 2^14 + 257 bytes, its body never sent (checked on the header): record_overflow",
    {
      script: rawRecords(Uint8Array.of(ContentType.application_data, 3, 3, (16384 + 257) >> 8, (16384 + 257) & 0xff)),
      expected: alertSent("record_overflow"),
      sent: ["record_overflow"],
      withinMs: quick,
    },
  ],
  [
    "a zero-length handshake record: unexpected_message",
    {
      script: rawRecords(plaintextRecord(ContentType.handshake, new Uint8Array(0))),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "an alert record of three bytes: decode_error",
    {
      script: rawRecords(plaintextRecord(ContentType.alert, Uint8Array.of(2, 40, 0))),
      expected: alertSent("decode_error"),
      sent: ["decode_error"],
      withinMs: quick,
    },
  ],
  [
    "application data in plaintext before the ServerHello: unexpected_message",
    {
      script: rawRecords(plaintextRecord(ContentType.application_data, new Uint8Array(40))),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "a handshake message that claims 16 MiB (checked on its header, nothing more sent): illegal_parameter",
    {
      script: tlsServer({
        server: { hooks: { records: replaceServerHello(() => header(HandshakeType.server_hello, 0xffffff)) } },
      }),
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "a Certificate that claims 16 MiB under handshake keys: illegal_parameter",
    {
      script: tlsServer({
        server: {
          hooks: {
            records: (records, flight) =>
              flight !== "handshake"
                ? records
                : [...records.slice(0, 2), handshakeRecord(header(HandshakeType.certificate, 0xffffff), "handshake")],
          },
        },
      }),
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "garbage after the ServerHello (a random application_data record): bad_record_mac",
    {
      script: tlsServer({
        server: {
          hooks: {
            records: insertRecords("handshake", 1, {
              type: ContentType.application_data,
              content: Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff),
              keys: "plaintext",
            }),
          },
        },
      }),
      expected: alertSent("bad_record_mac"),
      sent: ["bad_record_mac"],
      withinMs: quick,
    },
  ],
  [
    "one bit flipped in the last record of the flight (the Finished): bad_record_mac",
    {
      script: tlsServer({ rewrite: (bytes, n) => (n === 0 ? flipLast(bytes) : bytes) }),
      expected: alertSent("bad_record_mac"),
      sent: ["bad_record_mac"],
      withinMs: quick,
    },
  ],
  [
    "a protected record of an unknown inner content type (99): unexpected_message",
    {
      script: tlsServer({
        server: {
          hooks: { records: insertRecords("handshake", 2, { type: 99, content: Uint8Array.of(1), keys: "handshake" }) },
        },
      }),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "ServerHello and EncryptedExtensions in one record (a message across the key change): unexpected_message",
    {
      script: tlsServer({
        server: {
          hooks: {
            records: replaceServerHello((serverHello) =>
              concatBytes(serverHello, header(HandshakeType.encrypted_extensions, 2), Uint8Array.of(0, 0)),
            ),
          },
        },
      }),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "application data under handshake keys before the server's Finished: unexpected_message",
    {
      script: tlsServer({
        server: {
          hooks: {
            records: insertRecords("handshake", -1, {
              type: ContentType.application_data,
              content: Uint8Array.of(1, 2, 3),
              keys: "handshake",
            }),
          },
        },
      }),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "endless ChangeCipherSpec records during the handshake (1000 after the ServerHello): unexpected_message",
    {
      script: tlsServer({
        server: { hooks: { records: insertRecords("handshake", 1, ...times(1000, changeCipherSpecRecord())) } },
      }),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "endless ChangeCipherSpec records instead of a ServerHello (1000 in plaintext): unexpected_message",
    {
      script: rawRecords(
        ...Array.from({ length: 1000 }, () => plaintextRecord(ContentType.change_cipher_spec, Uint8Array.of(1))),
      ),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "endless empty application data records after the handshake (1000, while we read): unexpected_message",
    {
      script: tlsServer({
        established: (peer, server) => Effect.flatMap(server.records(times(1000, emptyApplicationData)), peer.send),
      }),
      use: readToEnd,
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "a ChangeCipherSpec after the handshake: unexpected_message",
    {
      script: tlsServer({
        established: (peer) => peer.send(plaintextRecord(ContentType.change_cipher_spec, Uint8Array.of(1))),
      }),
      use: readToEnd,
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "a protected record of 2^14 + 257 bytes after the handshake: record_overflow",
    {
      script: tlsServer({
        established: (peer) => peer.send(plaintextRecord(ContentType.application_data, new Uint8Array(16384 + 257))),
      }),
      use: readToEnd,
      expected: alertSent("record_overflow"),
      sent: ["record_overflow"],
      withinMs: quick,
    },
  ],
  [
    "a handshake message of an unknown type after the handshake: unexpected_message",
    {
      script: tlsServer({
        established: (peer, server) =>
          Effect.flatMap(
            server.records([handshakeRecord(concatBytes(header(99, 1), Uint8Array.of(0)), "application")]),
            peer.send,
          ),
      }),
      use: readToEnd,
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
]

/** A TLS script that sends the server's handshake flight a second time, at once (one write) or after our Finished. */
const replayFlight = (when: "same write" | "after our Finished") => {
  let flight: Uint8Array = new Uint8Array(0)
  return tlsServer({
    deliver: (peer, bytes, n) => {
      if (n === 0) flight = bytes
      return peer.send(n === 0 && when === "same write" ? concatBytes(bytes, bytes) : bytes)
    },
    established: (peer) => (when === "after our Finished" ? peer.send(flight) : Effect.void),
  })
}

/** The outcome shared by the cases where a bad record follows a good one in the same read. */
const afterOurReply = (alert: string): Pick<HostileCase, "expected" | "sent" | "withinMs"> => ({
  expected: alertSent(alert),
  sent: [alert],
  withinMs: quick,
})

describe("a bad record in the same read as a good one: what the good one made us send goes out first", () => {
  it.live("the server's flight replayed after our Finished, while we read: unexpected_message", () =>
    hostile({ script: replayFlight("after our Finished"), use: readToEnd, ...afterOurReply("unexpected_message") }),
  )

  it.live("the server's flight twice in one write: our Finished, then unexpected_message", () =>
    hostile({ script: replayFlight("same write"), use: readToEnd, ...afterOurReply("unexpected_message") }),
  )

  it.live("a KeyUpdate asking for ours and a corrupt record in one write: our KeyUpdate, then bad_record_mac", () =>
    hostile({
      script: tlsServer({
        established: (peer, server) =>
          Effect.gen(function* () {
            const update = yield* server.keyUpdate(true)
            const data = yield* server.send(Uint8Array.of(1, 2, 3))
            yield* peer.send(concatBytes(update, flipLast(data)))
          }),
      }),
      use: readToEnd,
      ...afterOurReply("bad_record_mac"),
    }),
  )
})

function flipLast(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice()
  out[out.length - 1] = out[out.length - 1]! ^ 0x80
  return out
}

describe("hostile records over TCP", () => {
  for (const [name, c] of cases) it.live(name, () => hostile(c), 10_000)
})
