/**
 * The `effect-tls connect --json` failure contract, run as a real child process: exit 1 and
 * exactly one `{"ok":false,"error":{"_tag":"Fatal","reason":{...},"message":...}}` on stdout,
 * with the reason's tag naming what went wrong, and never a stack trace.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { expectFatal, runCli } from "./cli.js"
import { pkiFiles, refusedPort, silentTcpPeer, tlsPeer } from "./peers.js"

const timeout = 120_000

describe.concurrent("effect-tls connect --json: failures", () => {
  it.scoped(
    "connection refused: Io",
    () =>
      Effect.gen(function* () {
        const port = yield* refusedPort
        const run = yield* runCli(["connect", `127.0.0.1:${port}`, "--json"])
        const reason = expectFatal(run, "Io")
        expect(reason.detail).toMatch(/ECONNREFUSED/)
      }),
    timeout,
  )

  it.scoped(
    "a CA that did not issue the server's certificate: Certificate",
    () =>
      Effect.gen(function* () {
        const pki = yield* pkiFiles
        const peer = yield* tlsPeer(pki, "echo")
        const run = yield* runCli([
          "connect",
          `127.0.0.1:${peer.port}`,
          "--servername",
          "localhost",
          "--ca",
          pki.otherCa,
          "--json",
        ])
        const reason = expectFatal(run, "Certificate")
        expect(typeof reason.code).toBe("string")
        expect(peer.received).toEqual([])
      }),
    timeout,
  )

  it.scoped(
    "--tls 1.2 (not implemented yet), even against a server that speaks TLS 1.2: Config",
    () =>
      Effect.gen(function* () {
        const pki = yield* pkiFiles
        const peer = yield* tlsPeer(pki, "echo", { minVersion: "TLSv1.2" })
        const run = yield* runCli(["connect", `127.0.0.1:${peer.port}`, "--insecure", "--tls", "1.2", "--json"])
        expectFatal(run, "Config")
        expect(peer.handshakes()).toBe(0)
      }),
    timeout,
  )

  it.scoped(
    "an unknown cipher suite name: Config naming it",
    () =>
      Effect.gen(function* () {
        const pki = yield* pkiFiles
        const peer = yield* tlsPeer(pki, "echo")
        const run = yield* runCli([
          "connect",
          `127.0.0.1:${peer.port}`,
          "--insecure",
          "--ciphers",
          "TLS_AES_128_GCM_SHA256,TLS_NOT_A_SUITE",
          "--json",
        ])
        const reason = expectFatal(run, "Config")
        expect(reason.detail).toContain("TLS_NOT_A_SUITE")
        expect(peer.handshakes()).toBe(0)
      }),
    timeout,
  )

  it.scoped(
    "--timeout 300 against a TCP server that never answers: Timeout",
    () =>
      Effect.gen(function* () {
        const port = yield* silentTcpPeer
        const run = yield* runCli(["connect", `127.0.0.1:${port}`, "--timeout", "300", "--json"])
        expectFatal(run, "Timeout")
      }),
    timeout,
  )

  it.scoped(
    "a server that answers with a handshake_failure alert: AlertReceived",
    () =>
      Effect.gen(function* () {
        const pki = yield* pkiFiles
        const peer = yield* tlsPeer(pki, "echo", { ciphers: "TLS_AES_128_GCM_SHA256" })
        const run = yield* runCli([
          "connect",
          `127.0.0.1:${peer.port}`,
          "--insecure",
          "--ciphers",
          "TLS_CHACHA20_POLY1305_SHA256",
          "--json",
        ])
        const reason = expectFatal(run, "AlertReceived")
        expect(reason.alert).toBe(40)
        expect(reason.description).toBe("handshake_failure")
      }),
    timeout,
  )
})
