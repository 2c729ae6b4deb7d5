// Our client against `openssl s_server -tls1_3` on 127.0.0.1, after the handshake: padded
// records (`-record_padding 512`), small records (`-max_send_frag 512`), a 1 MiB download
// (`-WWW`), client certificates (`-Verify 1`), the server's NewSessionTickets and KeyUpdates
// in the middle of the data, our own KeyUpdate, the key log against the server's
// `-keylogfile`, and our exporter against the server's `-keymatexport`.
import { createHash } from "node:crypto"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { type ReceivedTicket, SessionStore } from "@effect-tls/core"
import { Effect } from "effect"
import { keyLogFile, type TlsConnection } from "../../src/index.js"
import { testPki } from "../peers/certs.js"
import { patternBytes } from "../peers/nodeTlsServer.js"
import { sendKeyUpdate, startOpensslServer } from "../peers/opensslServer.js"
import type { PeerServer } from "../peers/peerServer.js"
import { makeTempDir } from "../peers/tempDir.js"
import { bytes, type CryptoLayer, connectTo, expectFatal, hex, readToEnd, readUntil, text } from "./support.js"

/** The record lengths `s_server -msg` traced for the encrypted records it sent since `since`. */
const sentRecordLengths = (server: PeerServer, since: number): Array<number> =>
  Array.from(
    server
      .output()
      .slice(since)
      .matchAll(/^>>> [^\n]*RecordHeader[^\n]*\n\s+17 03 03 ([0-9a-f]{2}) ([0-9a-f]{2})/gm),
    (match) => Number.parseInt(`${match[1]}${match[2]}`, 16),
  )

/** How many KeyUpdates `s_server -msg` traced going `direction` (">>>" sent, "<<<" received) since `since`. */
const tracedKeyUpdates = (server: PeerServer, direction: ">>>" | "<<<", since: number): number =>
  server
    .output()
    .slice(since)
    .split("\n")
    .filter((line) => line.startsWith(`${direction} TLS 1.3, Handshake [length `) && line.endsWith("KeyUpdate")).length

/**
 * Writes a line and waits until s_server prints it. s_server flushes its output when it prints
 * received data, so its `-msg` trace of everything before is then complete.
 */
const flushTrace = (server: PeerServer, connection: TlsConnection) =>
  Effect.gen(function* () {
    const since = server.output().length
    yield* connection.write(bytes("flush the trace\n"))
    yield* server.waitForOutput("flush the trace", { since })
  })

const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex")

/** The lines of an NSS key log file that carry a secret. */
const keyLogLines = (content: string): Array<string> =>
  content
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))

const streamTests = (crypto: CryptoLayer, full: boolean) => {
  it.scopedLive("reads records padded to 512 bytes (-record_padding 512)", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const server = yield* startOpensslServer({ args: ["-tls1_3", "-msg", "-record_padding", "512"] })
      const connection = yield* connectTo(pki, server, crypto)
      yield* connection.write(bytes("hello padded\n"))
      yield* server.waitForOutput("hello padded")
      const since = server.output().length
      yield* server.send("padded reply")
      expect(yield* readUntil(connection, "padded reply\n")).toBe("padded reply\n")
      yield* flushTrace(server, connection)
      const lengths = sentRecordLengths(server, since)
      expect(lengths.length).toBeGreaterThan(0)
      // 16 bytes of AEAD tag on an inner plaintext padded to a multiple of 512.
      for (const length of lengths) expect((length - 16) % 512).toBe(0)
    }),
  )

  it.scopedLive("reassembles a 3000-byte line sent in records of at most 512 bytes (-max_send_frag 512)", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const server = yield* startOpensslServer({ args: ["-tls1_3", "-msg", "-max_send_frag", "512"] })
      const connection = yield* connectTo(pki, server, crypto)
      yield* connection.write(bytes("hello fragments\n"))
      yield* server.waitForOutput("hello fragments")
      const since = server.output().length
      const line = `${"0123456789".repeat(299)}end`
      yield* server.send(line)
      expect(yield* readUntil(connection, "end\n")).toBe(`${line}\n`)
      yield* flushTrace(server, connection)
      const lengths = sentRecordLengths(server, since)
      expect(lengths.length).toBeGreaterThanOrEqual(6)
      // 512 bytes of data, the content type and the 16-byte tag.
      for (const length of lengths) expect(length).toBeLessThanOrEqual(512 + 1 + 16)
    }),
  )

  it.scopedLive("downloads 1 MiB intact (-WWW) and ends at the server's close_notify", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const dir = yield* Effect.promise(() => makeTempDir("interop-www-"))
      const file = patternBytes(1 << 20)
      yield* Effect.promise(() => writeFile(join(dir, "1mib.bin"), file))
      const server = yield* startOpensslServer({ args: ["-tls1_3", "-WWW"], cwd: dir })
      const connection = yield* connectTo(pki, server, crypto)
      yield* connection.write(bytes("GET /1mib.bin HTTP/1.0\r\n\r\n"))
      const response = yield* readToEnd(connection)
      const head = "HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\n"
      expect(text(response.subarray(0, head.length))).toBe(head)
      const body = response.subarray(head.length)
      expect(body.length).toBe(file.length)
      expect(sha256(body)).toBe(sha256(file))
    }),
  )

  it.scopedLive("authenticates with a client certificate (-Verify 1), and without one the server refuses", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const server = yield* startOpensslServer({ args: ["-tls1_3", "-Verify", "1", "-CAfile", pki.clientCa.certPath] })

      const refused = yield* Effect.flip(
        Effect.scoped(Effect.flatMap(connectTo(pki, server, crypto), (connection) => connection.read)),
      )
      expect(expectFatal(refused, "AlertReceived").description).toBe("certificate_required")
      yield* server.waitForOutput(/peer did not return a certificate/)

      const since = server.output().length
      const connection = yield* connectTo(pki, server, crypto, {
        clientCertificate: { certificate: pki.client.chainPem, key: pki.client.keyPem },
      })
      expect(connection.session.clientAuthenticated).toBe(true)
      yield* connection.write(bytes("hello from a known client\n"))
      yield* server.waitForOutput("hello from a known client", { since })
      expect(server.output().slice(since)).toMatch(/subject=CN ?= ?effect-tls test client/)
      yield* server.send("welcome")
      yield* readUntil(connection, "welcome\n")
    }),
  )

  it.scopedLive("takes two NewSessionTickets and server KeyUpdates (k, K) mid-stream; data flows both ways", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const tickets: Array<ReceivedTicket> = []
      const store = { store: (ticket: ReceivedTicket) => Effect.sync(() => void tickets.push(ticket)) }
      const server = yield* startOpensslServer({ args: ["-tls1_3", "-msg", "-num_tickets", "2"] })
      const connection = yield* Effect.provideService(connectTo(pki, server, crypto), SessionStore, store)

      const both = (round: string) =>
        Effect.gen(function* () {
          const since = server.output().length
          yield* connection.write(bytes(`client ${round}\n`))
          yield* server.waitForOutput(`client ${round}`, { since })
          yield* server.send(`server ${round}`)
          yield* readUntil(connection, `server ${round}\n`)
        })

      yield* both("before")
      expect(tickets.length).toBe(2)
      for (const ticket of tickets) {
        expect(ticket.serverName).toBe("localhost")
        expect(ticket.suite).toBe(connection.session.cipherSuite)
        expect(ticket.psk.length).toBe(32)
      }

      const since = server.output().length
      yield* sendKeyUpdate(server, false)
      yield* both("after k")
      expect(tracedKeyUpdates(server, "<<<", since)).toBe(0)

      yield* sendKeyUpdate(server, true)
      yield* both("after K")
      // update_requested: we answer once we have read the KeyUpdate, so one more round has the
      // server's trace show our KeyUpdate before data we sent after it.
      yield* both("after our answer")
      expect(tracedKeyUpdates(server, ">>>", since)).toBe(2)
      expect(tracedKeyUpdates(server, "<<<", since)).toBe(1)
    }),
  )

  it.scopedLive("sends a KeyUpdate that asks for the server's; data flows both ways after it", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const server = yield* startOpensslServer({ args: ["-tls1_3", "-msg"] })
      const connection = yield* connectTo(pki, server, crypto)
      yield* connection.write(bytes("first\n"))
      yield* server.waitForOutput("first")
      const since = server.output().length
      yield* connection.keyUpdate(true)
      yield* connection.write(bytes("second\n"))
      yield* server.waitForOutput("second", { since })
      yield* server.send("third")
      yield* readUntil(connection, "third\n")
      yield* flushTrace(server, connection)
      expect(tracedKeyUpdates(server, "<<<", since)).toBe(1)
      // The server's answer to update_requested.
      expect(tracedKeyUpdates(server, ">>>", since)).toBe(1)
    }),
  )

  if (!full) return

  it.scopedLive("logs each traffic secret and EXPORTER_SECRET as s_server's -keylogfile does", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const dir = yield* Effect.promise(() => makeTempDir("interop-keylog-"))
      const serverLog = join(dir, "server.keys")
      const ourLog = join(dir, "client.keys")
      const server = yield* startOpensslServer({ args: ["-tls1_3", "-keylogfile", serverLog] })
      const connection = yield* Effect.provide(connectTo(pki, server, crypto), keyLogFile(ourLog))
      yield* connection.write(bytes("log me\n"))
      yield* server.waitForOutput("log me")

      const ours = keyLogLines(yield* Effect.promise(() => readFile(ourLog, "utf8")))
      const theirs = keyLogLines(yield* Effect.promise(() => readFile(serverLog, "utf8")))
      expect(ours.map((line) => line.split(" ")[0]).sort()).toEqual([
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "EXPORTER_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_TRAFFIC_SECRET_0",
      ])
      // One connection: every line names the same client random.
      expect(new Set(ours.map((line) => line.split(" ")[1])).size).toBe(1)
      for (const line of ours) expect(theirs).toContain(line)
    }),
  )

  it.scopedLive("exports the same keying material as s_server's -keymatexport", () =>
    Effect.gen(function* () {
      const pki = yield* testPki
      const label = "EXPERIMENTAL-effect-tls-interop"
      const server = yield* startOpensslServer({
        args: ["-tls1_3", "-keymatexport", label, "-keymatexportlen", "48"],
      })
      const connection = yield* connectTo(pki, server, crypto)
      const ours = yield* connection.exportKeyingMaterial(label, new Uint8Array(0), 48)
      const theirs = yield* server.waitForOutput(/Keying material: ([0-9A-F]+)/)
      expect(hex(ours)).toBe(theirs[1]?.toLowerCase())
    }),
  )
}

/** Registers the s_server tests of the established connection. */
export const opensslStreamSuite = (): void => {
  describe("OpenSSL s_server -tls1_3 data, noble crypto", { timeout: 20_000 }, () => streamTests("noble", true))
  describe("OpenSSL s_server -tls1_3 data, node:crypto", { timeout: 20_000 }, () => streamTests("node", false))
}
