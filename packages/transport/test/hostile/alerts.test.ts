/**
 * Alerts from a hostile or failing server over real TCP: close_notify during the handshake
 * is `CleanShutdown` (SSL_connect returning 0); every other alert of RFC 8446 section 6, in
 * plaintext or under handshake keys, at fatal level or (except user_canceled) warning
 * level, is `Fatal` with `AlertReceived`, and we answer no alert with an alert.
 */
import { describe, it } from "@effect/vitest"
import { Wire } from "@effect-tls/core"
import { Effect } from "effect"
import { alertRecord, insertRecords } from "../../../core/test/server/hooks.js"
import { plaintextRecord } from "../../../core/test/server/recordLayer.js"
import { answer } from "./fakeServer.js"
import { alertReceived, guardProcess, type HostileCase, hostile, readToEnd } from "./harness.js"
import { tlsServer } from "./tlsScript.js"

guardProcess()

const { AlertDescription, AlertLevel, ContentType } = Wire
const quick = 2000

/** Every alert of RFC 8446 section 6 but close_notify. */
const errorAlerts = Object.entries(AlertDescription).filter(([name]) => name !== "close_notify")

/** A plaintext alert record. */
const plaintextAlert = (description: number, level: number = AlertLevel.fatal) =>
  plaintextRecord(ContentType.alert, Uint8Array.of(level, description))

const cases: ReadonlyArray<readonly [string, HostileCase]> = [
  [
    "close_notify in answer to the ClientHello: CleanShutdown, no alert sent",
    {
      script: answer(() => plaintextAlert(AlertDescription.close_notify, AlertLevel.warning)),
      expected: { _tag: "CleanShutdown" },
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "close_notify under handshake keys in the middle of the server's flight: CleanShutdown",
    {
      script: tlsServer({
        server: {
          hooks: {
            records: insertRecords(
              "handshake",
              2,
              alertRecord(AlertDescription.close_notify, "handshake", AlertLevel.warning),
            ),
          },
        },
      }),
      expected: { _tag: "CleanShutdown" },
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "user_canceled (warning), then close_notify during the handshake: CleanShutdown",
    {
      script: tlsServer({
        server: {
          hooks: {
            records: (records, flight) =>
              flight !== "handshake"
                ? records
                : [
                    ...records.slice(0, 2),
                    alertRecord(AlertDescription.user_canceled, "handshake", AlertLevel.warning),
                    alertRecord(AlertDescription.close_notify, "handshake", AlertLevel.warning),
                  ],
          },
        },
      }),
      expected: { _tag: "CleanShutdown" },
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "a warning-level alert other than close_notify and user_canceled (handshake_failure): AlertReceived",
    {
      script: answer(() => plaintextAlert(AlertDescription.handshake_failure, AlertLevel.warning)),
      expected: alertReceived("handshake_failure"),
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "an alert with a description no registry knows (255): AlertReceived",
    {
      script: answer(() => plaintextAlert(255)),
      expected: alertReceived("unknown(0x00ff)"),
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "a fatal alert after the handshake, while we read: AlertReceived",
    {
      script: tlsServer({
        established: (peer, server) => Effect.flatMap(server.alert(AlertDescription.internal_error), peer.send),
      }),
      use: readToEnd,
      expected: alertReceived("internal_error"),
      sent: [],
      withinMs: quick,
    },
  ],
  [
    "close_notify after the handshake ends the read side cleanly (control)",
    {
      script: tlsServer({
        established: (peer, server) =>
          Effect.gen(function* () {
            yield* peer.send(yield* server.send(Uint8Array.of(1, 2, 3)))
            yield* peer.send(yield* server.close())
            yield* peer.end
          }),
      }),
      use: readToEnd,
      expected: "success",
      sent: ["close_notify"],
      withinMs: quick,
    },
  ],
]

describe("alerts from the server over TCP", () => {
  for (const [name, c] of cases) it.live(name, () => hostile(c), 10_000)

  for (const [name, code] of errorAlerts) {
    it.live(`fatal ${name} in answer to the ClientHello (plaintext): AlertReceived ${name}`, () =>
      hostile({ script: answer(() => plaintextAlert(code)), expected: alertReceived(name), sent: [], withinMs: quick }),
    )
  }

  for (const [name, code] of errorAlerts) {
    it.live(`fatal ${name} under handshake keys after EncryptedExtensions: AlertReceived ${name}`, () =>
      hostile({
        script: tlsServer({
          server: { hooks: { records: insertRecords("handshake", 2, alertRecord(code, "handshake")) } },
        }),
        expected: alertReceived(name),
        sent: [],
        withinMs: quick,
      }),
    )
  }
})
