/**
 * Hostile transports: a server that closes or resets at chosen points, never answers,
 * trickles its flight one byte per second (slowloris), or ignores our close_notify. Each
 * case asserts the typed failure (`UnexpectedEof`, `Io`, `Timeout`), the alert we sent,
 * the time bound (the configured timeout plus a margin), and that socket and fibers are
 * released.
 */
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { neverAnswer, type Script } from "./fakeServer.js"
import { fatal, guardProcess, type HostileCase, hostile, readToEnd, timeoutAlerts } from "./harness.js"
import { tlsServer } from "./tlsScript.js"

guardProcess()

const quick = 2000
/** What a timeout may take beyond its configured value (timer, alert, close). */
const margin = 1000

/** Reads the ClientHello, then does `then` (nothing if the client is gone first). */
const afterClientHello =
  (then: Script): Script =>
  (peer) =>
    Effect.flatMap(Effect.either(peer.records), (hello) => (hello._tag === "Left" ? Effect.void : then(peer)))

const cases: ReadonlyArray<readonly [string, HostileCase]> = [
  [
    "close (FIN) right after the ClientHello: UnexpectedEof",
    {
      script: afterClientHello((peer) => peer.end),
      expected: fatal("UnexpectedEof"),
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "reset (RST) right after the ClientHello: Io",
    {
      script: afterClientHello((peer) => peer.reset),
      expected: fatal("Io"),
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "close after half of the server's flight: UnexpectedEof",
    {
      script: tlsServer({
        deliver: (peer, bytes) => Effect.zipRight(peer.send(bytes.subarray(0, bytes.length >> 1)), peer.end),
      }),
      expected: fatal("UnexpectedEof"),
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "close after three bytes of a record header: UnexpectedEof",
    {
      script: tlsServer({ deliver: (peer, bytes) => Effect.zipRight(peer.send(bytes.subarray(0, 3)), peer.end) }),
      expected: fatal("UnexpectedEof"),
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "reset in the middle of the server's flight: Io",
    {
      script: tlsServer({
        deliver: (peer, bytes) =>
          Effect.zipRight(
            peer.send(bytes.subarray(0, bytes.length >> 1)),
            Effect.zipRight(Effect.sleep(50), peer.reset),
          ),
      }),
      expected: fatal("Io"),
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "a server that never answers: Timeout at handshakeTimeoutMs",
    {
      script: neverAnswer,
      options: { handshakeTimeoutMs: 500 },
      expected: fatal("Timeout"),
      sent: timeoutAlerts,
      withinMs: 500 + margin,
      atLeastMs: 500,
    },
  ],
  [
    "half of the flight, then silence: Timeout at handshakeTimeoutMs",
    {
      script: tlsServer({ deliver: (peer, bytes) => peer.send(bytes.subarray(0, bytes.length >> 1)) }),
      options: { handshakeTimeoutMs: 500 },
      expected: fatal("Timeout"),
      sent: timeoutAlerts,
      withinMs: 500 + margin,
      atLeastMs: 500,
    },
  ],
  [
    "slowloris: the flight at one byte per second: Timeout at handshakeTimeoutMs",
    {
      script: tlsServer({ deliver: (peer, bytes) => peer.trickle(bytes, "1 second") }),
      options: { handshakeTimeoutMs: 1500 },
      expected: fatal("Timeout"),
      sent: timeoutAlerts,
      withinMs: 1500 + margin,
      atLeastMs: 1500,
    },
  ],
  [
    "the flight in 7-byte pieces every millisecond is only slow, not hostile (control)",
    {
      script: tlsServer({ deliver: (peer, bytes) => peer.trickle(bytes, "1 millis", 7) }),
      expected: "success",
      sent: ["close_notify"],
      withinMs: 5000,
    },
  ],
  [
    "a reset after the handshake, while we read: Io",
    {
      script: tlsServer({
        established: (peer, server) =>
          Effect.gen(function* () {
            yield* peer.send(yield* server.send(Uint8Array.of(1, 2, 3)))
            yield* Effect.sleep(50)
            yield* peer.reset
          }),
      }),
      use: readToEnd,
      expected: fatal("Io"),
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "a close (FIN) without close_notify after the handshake, while we read: UnexpectedEof",
    {
      script: tlsServer({
        established: (peer, server) =>
          Effect.zipRight(Effect.flatMap(server.send(Uint8Array.of(1)), peer.send), peer.end),
      }),
      use: readToEnd,
      expected: fatal("UnexpectedEof"),
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "a server that ignores our close_notify and keeps the connection open: the scope still closes within 2 s",
    {
      script: tlsServer({ answerClose: false }),
      expected: "success",
      sent: ["close_notify"],
      withinMs: 2000 + margin,
      watchdogMs: 6000,
    },
  ],
]

describe("hostile transports", () => {
  for (const [name, c] of cases) it.live(name, () => hostile(c), 12_000)
})
