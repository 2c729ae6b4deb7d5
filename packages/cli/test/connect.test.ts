/**
 * The `effect-tls connect` success contract, run as a real child process against servers on
 * 127.0.0.1: the JSON fields and their types, the flags that shape the handshake and the
 * data exchange, and the readable summary. Each run costs seconds of tsx start-up, so one
 * run checks several flags at once.
 */
import { createHash, X509Certificate } from "node:crypto"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { expectNoStackTrace, jsonOf, runCli } from "./cli.js"
import { opensslPeer, pkiFiles, tlsPeer } from "./peers.js"

const timeout = 120_000

const keyLogLabels = [
  "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
  "SERVER_HANDSHAKE_TRAFFIC_SECRET",
  "CLIENT_TRAFFIC_SECRET_0",
  "SERVER_TRAFFIC_SECRET_0",
  "EXPORTER_SECRET",
]

const isIsoDate = (value: unknown) => typeof value === "string" && new Date(value).toISOString() === value

/** Checks every field of the success contract and its type; returns the object. */
const expectSuccess = (json: Record<string, unknown>) => {
  expect(json.ok).toBe(true)
  expect(json.version).toBe("TLSv1.3")
  expect(json.cipherSuite).toMatch(/^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/)
  expect(json.group).toMatch(/^(x25519|secp256r1|secp384r1|secp521r1|x448)$/)
  expect(json.signatureScheme).toMatch(/^(ecdsa_secp\d+r1_sha\d+|rsa_pss_(rsae|pss)_sha\d+|ed25519|ed448)$/)
  expect(json.alpn === null || typeof json.alpn === "string").toBe(true)
  expect(json.serverName === null || typeof json.serverName === "string").toBe(true)
  expect(typeof json.helloRetryRequest).toBe("boolean")
  expect(json.resumed).toBe(false)
  expect(typeof json.certificateVerified).toBe("boolean")
  expect(typeof json.handshakeMs).toBe("number")
  expect(json.handshakeMs).toBeGreaterThan(0)
  expect(typeof json.receivedBytes).toBe("number")
  const certificates = json.peerCertificates as ReadonlyArray<Record<string, unknown>>
  expect(Array.isArray(certificates)).toBe(true)
  expect(certificates.length).toBeGreaterThan(0)
  for (const certificate of certificates) {
    expect(typeof certificate.subject).toBe("string")
    expect(typeof certificate.issuer).toBe("string")
    expect(isIsoDate(certificate.notBefore)).toBe(true)
    expect(isIsoDate(certificate.notAfter)).toBe(true)
    expect(Array.isArray(certificate.subjectAltNames)).toBe(true)
    expect(certificate.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/)
    expect(typeof certificate.keyType).toBe("string")
  }
  return json
}

/** The SHA-256 fingerprint of a PEM certificate, as lowercase hex. */
const fingerprintOf = (pem: string) => createHash("sha256").update(new X509Certificate(pem).raw).digest("hex")

describe.concurrent("effect-tls connect --json: success", () => {
  it.scoped(
    "every contract field; --servername, --ca, --send escapes, --ciphers, --keylog, close_notify",
    () =>
      Effect.gen(function* () {
        const pki = yield* pkiFiles
        const peer = yield* tlsPeer(pki, "answer")
        const keylog = join(pki.dir, "keys.log")
        const request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"
        const run = yield* runCli([
          "connect",
          `127.0.0.1:${peer.port}`,
          "--servername",
          "localhost",
          "--ca",
          pki.ca,
          "--send",
          "GET / HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n",
          "--ciphers",
          "TLS_CHACHA20_POLY1305_SHA256",
          "--keylog",
          keylog,
          "--json",
        ])
        expectNoStackTrace(run)
        expect(run.stderr).toBe("")
        const json = expectSuccess(jsonOf(run))
        expect(run.code).toBe(0)

        expect(json.cipherSuite).toBe("TLS_CHACHA20_POLY1305_SHA256")
        expect(json.group).toBe("x25519")
        expect(json.signatureScheme).toBe("ecdsa_secp256r1_sha256")
        expect(json.alpn).toBeNull()
        expect(json.serverName).toBe("localhost")
        expect(json.helloRetryRequest).toBe(false)
        expect(json.certificateVerified).toBe(true)
        expect(json).not.toHaveProperty("handshakes")
        expect(json).not.toHaveProperty("meanHandshakeMs")
        expect(json.peerCertificates).toEqual([
          {
            subject: "CN=localhost",
            issuer: "CN=effect-tls demo CA",
            notBefore: expect.any(String),
            notAfter: expect.any(String),
            subjectAltNames: ["DNS:localhost", "IP:127.0.0.1"],
            fingerprintSha256: fingerprintOf(pki.certPem),
            keyType: "ECDSA secp256r1",
          },
        ])

        // The escapes reached the server decoded; its answer came back whole, then close_notify.
        expect(peer.received.map((bytes) => bytes.toString("latin1"))).toEqual([request])
        expect(peer.serverNames).toEqual(["localhost"])
        const answer = `heard: ${request}`
        expect(json.received).toBe(answer)
        expect(json.receivedBytes).toBe(Buffer.byteLength(answer))
        expect(json.closedBy).toBe("close_notify")

        // NSS key log: one line per label, each also among the lines the server logged.
        const lines = readFileSync(keylog, "latin1").trimEnd().split("\n")
        expect(lines.map((line) => line.split(" ")[0]).sort()).toEqual([...keyLogLabels].sort())
        for (const line of lines) {
          expect(line).toMatch(/^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64}$/)
          expect(peer.keyLog).toContain(line)
        }
      }),
    timeout,
  )

  it.scoped(
    "IP host without --servername: no SNI, IP SAN verified; --count 3, --crypto node, --groups secp384r1",
    () =>
      Effect.gen(function* () {
        const pki = yield* pkiFiles
        const peer = yield* tlsPeer(pki, "echo")
        const run = yield* runCli([
          "connect",
          `127.0.0.1:${peer.port}`,
          "--ca",
          pki.ca,
          "--count",
          "3",
          "--crypto",
          "node",
          "--groups",
          "secp384r1",
          "--json",
        ])
        expectNoStackTrace(run)
        const json = expectSuccess(jsonOf(run))
        expect(run.code).toBe(0)
        expect(json.serverName).toBeNull()
        expect(json.certificateVerified).toBe(true)
        expect(json.group).toBe("secp384r1")
        expect(json.helloRetryRequest).toBe(false)
        expect(json.handshakes).toBe(3)
        expect(typeof json.meanHandshakeMs).toBe("number")
        expect(json.meanHandshakeMs).toBeGreaterThan(0)
        expect(json.receivedBytes).toBe(0)
        expect(json).not.toHaveProperty("closedBy")
        expect(peer.handshakes()).toBe(3)
        expect(peer.serverNames).toEqual([false, false, false])
      }),
    timeout,
  )

  it.scoped(
    "--send, --read-timeout and --output: received bytes in the file, not in the JSON",
    () =>
      Effect.gen(function* () {
        const pki = yield* pkiFiles
        const peer = yield* tlsPeer(pki, "echo")
        const output = join(pki.dir, "received.bin")
        const run = yield* runCli([
          "connect",
          `127.0.0.1:${peer.port}`,
          "--servername",
          "localhost",
          "--ca",
          pki.ca,
          "--send",
          "ping\\tpong\\n",
          "--read-timeout",
          "1500",
          "--output",
          output,
          "--json",
        ])
        expectNoStackTrace(run)
        const json = expectSuccess(jsonOf(run))
        expect(run.code).toBe(0)
        expect(json).not.toHaveProperty("received")
        expect(json.receivedBytes).toBe(10)
        expect(json.closedBy).toBe("read-timeout")
        expect(readFileSync(output, "latin1")).toBe("ping\tpong\n")
        expect(peer.received.map((bytes) => bytes.toString("latin1"))).toEqual(["ping\tpong\n"])
      }),
    timeout,
  )

  it.scoped(
    "openssl s_server: HelloRetryRequest to P-384, --alpn picks the server's choice, --insecure warns",
    () =>
      Effect.gen(function* () {
        const pki = yield* pkiFiles
        const port = yield* opensslPeer(pki, ["-tls1_3", "-groups", "P-384", "-alpn", "http/1.1"])
        const run = yield* runCli(["connect", `127.0.0.1:${port}`, "--alpn", "h2,http/1.1", "--insecure", "--json"])
        expectNoStackTrace(run)
        expect(run.stderr).toMatch(/warning/i)
        expect(run.stderr).toMatch(/insecure/)
        const json = expectSuccess(jsonOf(run))
        expect(run.code).toBe(0)
        expect(json.helloRetryRequest).toBe(true)
        expect(json.group).toBe("secp384r1")
        expect(json.alpn).toBe("http/1.1")
        expect(json.certificateVerified).toBe(false)
        expect(json.serverName).toBeNull()
      }),
    timeout,
  )
})

describe.concurrent("effect-tls connect without --json", () => {
  it.scoped(
    "prints the readable summary; the default server name is HOST",
    () =>
      Effect.gen(function* () {
        const pki = yield* pkiFiles
        const peer = yield* tlsPeer(pki, "echo")
        const run = yield* runCli(["connect", `localhost:${peer.port}`, "--ca", pki.ca])
        expectNoStackTrace(run)
        expect(run.code).toBe(0)
        expect(run.stdout.trimStart().startsWith("{")).toBe(false)
        expect(run.stdout).toMatch(/^Protocol version: TLSv1\.3$/m)
        expect(run.stdout).toMatch(/^Ciphersuite: TLS_[A-Z0-9_]+$/m)
        expect(run.stdout).toMatch(/^Peer certificate: CN=localhost$/m)
        expect(run.stdout).toMatch(/^Verification: OK$/m)
        expect(run.stdout).toMatch(/^Server Temp Key: x25519$/m)
        expect(peer.serverNames).toEqual(["localhost"])
      }),
    timeout,
  )
})
