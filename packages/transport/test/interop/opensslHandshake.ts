// Our client against `openssl s_server -tls1_3` on 127.0.0.1: what the handshake negotiates.
// Each of the three TLS 1.3 suites, each group, HelloRetryRequest (a server limited to P-384,
// and `-stateless`, which asks for a cookie), each server key type, chains with and without an
// intermediate, ALPN, and a line of data each way on every connection. The full matrix runs on
// the noble crypto layer, a smaller one on node:crypto.
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { TlsOptionsInput } from "../../src/index.js"
import { type CertKeyPair, getTestPki, type LeafKind, leafKinds, type TestPki, testPki } from "../peers/certs.js"
import { startOpensslServer, startOpensslServerAsync } from "../peers/opensslServer.js"
import { type PeerServer, toPeerServer } from "../peers/peerServer.js"
import { bytes, type CryptoLayer, connectTo, expectFatal, readUntil } from "./support.js"

const suites = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"] as const
const groups = ["x25519", "secp256r1", "secp384r1"] as const

/** The CertificateVerify scheme a TLS 1.3 server signs with, per key type of its leaf. */
const schemeFor: Readonly<Record<LeafKind, string>> = {
  ecdsaP256: "ecdsa_secp256r1_sha256",
  ecdsaP384: "ecdsa_secp384r1_sha384",
  rsa2048: "rsa_pss_rsae_sha256",
  rsaPss2048: "rsa_pss_pss_sha256",
  ed25519: "ed25519",
}

let exchanges = 0

/**
 * One connection: the handshake, a line from us that the server prints, a line from the
 * server that we read. Resolves with our session and the suite the server reported.
 */
const roundTrip = (pki: TestPki, server: PeerServer, crypto: CryptoLayer, options: TlsOptionsInput = {}) =>
  Effect.scoped(
    Effect.gen(function* () {
      const since = server.output().length
      const connection = yield* connectTo(pki, server, crypto, options)
      const tag = `${crypto}-${++exchanges}`
      yield* connection.write(bytes(`ping ${tag}\n`))
      yield* server.waitForOutput(`ping ${tag}`, { since })
      yield* server.send(`pong ${tag}`)
      yield* readUntil(connection, `pong ${tag}\n`)
      const serverSuite = (yield* server.waitForOutput(/^CIPHER is (\S+)$/m, { since }))[1]
      return { session: connection.session, serverSuite }
    }),
  )

/** A fresh s_server with `args` (and `cert`), one connection to it. */
const roundTripWith = (
  crypto: CryptoLayer,
  args: ReadonlyArray<string>,
  cert?: CertKeyPair,
  options?: TlsOptionsInput,
) =>
  Effect.gen(function* () {
    const pki = yield* testPki
    const server = yield* startOpensslServer({ args: ["-tls1_3", ...args], ...(cert === undefined ? {} : { cert }) })
    return yield* roundTrip(pki, server, crypto, options)
  })

let pki: TestPki
/** One s_server with default settings, for the tests that only change what the client offers. */
let shared: PeerServer

const matrix = (crypto: CryptoLayer, full: boolean) => {
  for (const suite of suites) {
    it.scopedLive(`negotiates ${suite}`, () =>
      Effect.gen(function* () {
        const { session, serverSuite } = yield* roundTrip(pki, shared, crypto, { cipherSuites: [suite] })
        expect(session.version).toBe("TLSv1.3")
        expect(session.cipherSuite).toBe(suite)
        expect(serverSuite).toBe(suite)
      }),
    )
  }

  for (const group of groups) {
    it.scopedLive(`agrees on ${group} without a HelloRetryRequest`, () =>
      Effect.gen(function* () {
        const { session } = yield* roundTrip(pki, shared, crypto, { groups: [group] })
        expect(session.group).toBe(group)
        expect(session.helloRetryRequest).toBe(false)
      }),
    )
  }

  it.scopedLive("answers a HelloRetryRequest from a server limited to P-384 (we share x25519)", () =>
    Effect.gen(function* () {
      const { session } = yield* roundTripWith(crypto, ["-groups", "P-384"])
      expect(session.helloRetryRequest).toBe(true)
      expect(session.group).toBe("secp384r1")
    }),
  )

  for (const kind of leafKinds) {
    it.scopedLive(`verifies a ${kind} server leaf (${schemeFor[kind]})`, () =>
      Effect.gen(function* () {
        const leaf = pki.leaves[kind]
        const { session } = yield* roundTripWith(crypto, [], leaf)
        expect(session.signatureScheme).toBe(schemeFor[kind])
        expect(session.certificateVerified).toBe(true)
        expect(session.peerCertificates).toEqual(leaf.chainDer)
      }),
    )
  }

  if (!full) return

  it.scopedLive("echoes the cookie of a -stateless server's HelloRetryRequest", () =>
    Effect.gen(function* () {
      const { session } = yield* roundTripWith(crypto, ["-stateless"])
      expect(session.helloRetryRequest).toBe(true)
      expect(session.group).toBe("x25519")
    }),
  )

  it.scopedLive("verifies a chain through an intermediate to the test root", () =>
    Effect.gen(function* () {
      const { session } = yield* roundTrip(pki, shared, crypto)
      expect(session.peerCertificates).toEqual([pki.leaves.ecdsaP256.certDer, pki.intermediate.certDer])
      expect(session.certificateVerified).toBe(true)
    }),
  )

  it.scopedLive("verifies a leaf issued by the root itself", () =>
    Effect.gen(function* () {
      const { session } = yield* roundTripWith(crypto, [], pki.rootIssued)
      expect(session.peerCertificates).toEqual([pki.rootIssued.certDer])
    }),
  )

  it.scopedLive("refuses the chain when the root is not trusted (UnknownIssuer)", () =>
    Effect.gen(function* () {
      const failure = yield* Effect.flip(roundTrip(pki, shared, crypto, { ca: pki.clientCa.certPem }))
      expect(failure._tag).not.toBe("PeerError")
      if (failure._tag !== "PeerError") expect(expectFatal(failure, "Certificate").code).toBe("UnknownIssuer")
    }),
  )

  it.scopedLive("negotiates ALPN", () =>
    Effect.gen(function* () {
      const { session } = yield* roundTripWith(crypto, ["-alpn", "http/1.1"], undefined, { alpn: ["h2", "http/1.1"] })
      expect(session.alpn).toBe("http/1.1")
    }),
  )
}

/** Registers the s_server handshake tests. */
export const opensslHandshakeSuite = (): void => {
  describe("OpenSSL s_server -tls1_3 handshakes", { timeout: 20_000 }, () => {
    beforeAll(async () => {
      pki = await getTestPki()
      shared = toPeerServer(await startOpensslServerAsync({ args: ["-tls1_3"] }))
    }, 30_000)

    afterAll(async () => {
      await shared?.async.stop()
    })

    describe("noble crypto", () => matrix("noble", true))
    describe("node:crypto", () => matrix("node", false))
  })
}
