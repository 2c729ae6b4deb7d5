/**
 * RFC 8448 replayed through the client state machine: sections 3 (simple 1-RTT) and 5
 * (HelloRetryRequest). The RFC's ClientHellos come from NSS and carry extensions we do not
 * send by default, so the machine is started with the RFC's ClientHello through the
 * advanced entry point, with the testing crypto layer scripted to the RFC's private keys.
 * The RFC's server certificate is RSA-1024 and expired, so an explicit accept-all verifier
 * stands in for certificate verification.
 */
import { describe, expect, it } from "@effect/vitest"
import { concatBytes, runInline, TlsCrypto } from "@effect-tls/crypto"
import { TestingCrypto } from "@effect-tls/crypto/testing"
import { Context, Effect, Exit, Layer } from "effect"
import { startWithClientHello, step } from "../../src/handshake/client.js"
import { type ClientConfig, defaultConfig } from "../../src/handshake/config.js"
import { Input } from "../../src/handshake/state.js"
import { CertificateVerifier, InsecureAcceptAnyCertificate } from "../../src/handshake/verifier.js"
import { CipherSuite, SignatureScheme } from "../../src/wire/codes.js"
import * as hrr from "../fixtures/rfc8448/hello-retry.js"
import * as simple from "../fixtures/rfc8448/simple-1rtt.js"
import { hex, outputsOf, sent } from "./replay.js"

// What NSS offered in the RFC's ClientHellos (suites in its order; the schemes we implement).
const rfcConfig: ClientConfig = {
  ...defaultConfig("server"),
  cipherSuites: [
    CipherSuite.TLS_AES_128_GCM_SHA256,
    CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    CipherSuite.TLS_AES_256_GCM_SHA384,
  ],
  groups: ["x25519", "secp256r1", "secp384r1"],
  signatureSchemes: [
    SignatureScheme.ecdsa_secp256r1_sha256,
    SignatureScheme.ecdsa_secp384r1_sha384,
    SignatureScheme.rsa_pss_rsae_sha256,
    SignatureScheme.rsa_pss_rsae_sha384,
    SignatureScheme.rsa_pss_rsae_sha512,
  ],
  middleboxCompatibility: false,
  grease: false,
}

const layerFor = (privateKeys: Parameters<typeof TestingCrypto.layer>[0] & {}) =>
  Layer.merge(TestingCrypto.layer(privateKeys), InsecureAcceptAnyCertificate)

/** The value of an Effect that `runInline` finished without the fiber runtime; throws otherwise. */
const ranInline = <A, E, R>(effect: Effect.Effect<A, E, R>, context: Context.Context<R>): A => {
  const result = runInline(effect, context)
  if (!Exit.isExit(result) || Exit.isFailure(result)) throw new Error("did not run inline to a success")
  return (result as Exit.Success<A, E>).value
}

describe("RFC 8448 replay through the state machine", () => {
  it.effect("8448 section 3: ClientHello, secrets, client Finished, tickets, data and alerts byte for byte", () =>
    Effect.gen(function* () {
      const [s0, out0] = yield* startWithClientHello(rfcConfig, simple.clientHello)
      expect(hex(sent(out0))).toBe(hex(simple.clientHelloRecord))

      const [s1, out1] = yield* step(
        s0,
        Input.Received({ bytes: concatBytes(simple.serverHelloRecord, simple.serverHandshakeRecord) }),
      )
      expect(hex(sent(out1))).toBe(hex(simple.clientFinishedRecord))
      const secrets = Object.fromEntries(outputsOf(out1, "KeyLog").map((k) => [k.label, hex(k.secret)]))
      expect(secrets).toEqual({
        CLIENT_HANDSHAKE_TRAFFIC_SECRET: hex(simple.clientHandshakeTrafficSecret),
        SERVER_HANDSHAKE_TRAFFIC_SECRET: hex(simple.serverHandshakeTrafficSecret),
        CLIENT_TRAFFIC_SECRET_0: hex(simple.clientApplicationTrafficSecret),
        SERVER_TRAFFIC_SECRET_0: hex(simple.serverApplicationTrafficSecret),
        EXPORTER_SECRET: hex(simple.exporterMasterSecret),
      })
      const [established] = outputsOf(out1, "Established")
      expect(established?.session).toMatchObject({
        version: "TLSv1.3",
        cipherSuite: "TLS_AES_128_GCM_SHA256",
        group: "x25519",
        signatureScheme: "rsa_pss_rsae_sha256",
        helloRetryRequest: false,
        serverName: "server",
      })
      if (s1.phase._tag !== "Established") throw new Error(`expected Established, got ${s1.phase._tag}`)
      expect(hex(s1.phase.traffic.master.secret)).toBe(hex(simple.masterSecret))
      expect(hex(s1.phase.traffic.resumption.secret)).toBe(hex(simple.resumptionMasterSecret))

      const [s2, out2] = yield* step(s1, Input.Received({ bytes: simple.newSessionTicketRecord }))
      const [ticket] = outputsOf(out2, "SessionTicket")
      expect(hex(ticket!.psk)).toBe(hex(simple.resumptionPsk))

      const [s3, out3] = yield* step(s2, Input.Write({ data: simple.clientApplicationData }))
      expect(hex(sent(out3))).toBe(hex(simple.clientApplicationDataRecord))

      const [s4, out4] = yield* step(s3, Input.Received({ bytes: simple.serverApplicationDataRecord }))
      expect(outputsOf(out4, "ApplicationData").map((d) => hex(d.data))).toEqual([hex(simple.serverApplicationData)])

      const [s5, out5] = yield* step(s4, Input.Close())
      expect(hex(sent(out5))).toBe(hex(simple.clientAlertRecord))

      const [s6, out6] = yield* step(s5, Input.Received({ bytes: simple.serverAlertRecord }))
      expect(outputsOf(out6, "PeerClosed")).toHaveLength(1)
      expect(s6.phase._tag).toBe("Closed")
    }).pipe(Effect.provide(layerFor({ script: { privateKeys: { x25519: simple.clientPrivateKey } } }))),
  )

  it.effect(
    "8448 section 5: the second ClientHello after HelloRetryRequest and the retried handshake byte for byte",
    () =>
      Effect.gen(function* () {
        const [s0, out0] = yield* startWithClientHello(rfcConfig, hrr.clientHello1)
        expect(hex(sent(out0))).toBe(hex(hrr.clientHello1Record))

        const [s1, out1] = yield* step(s0, Input.Received({ bytes: hrr.helloRetryRequestRecord }))
        expect(hex(sent(out1))).toBe(hex(hrr.clientHello2Record))

        const [s2, out2] = yield* step(
          s1,
          Input.Received({ bytes: concatBytes(hrr.serverHelloRecord, hrr.serverHandshakeRecord) }),
        )
        const secrets = Object.fromEntries(outputsOf(out2, "KeyLog").map((k) => [k.label, hex(k.secret)]))
        expect(secrets).toEqual({
          CLIENT_HANDSHAKE_TRAFFIC_SECRET: hex(hrr.clientHandshakeTrafficSecret),
          SERVER_HANDSHAKE_TRAFFIC_SECRET: hex(hrr.serverHandshakeTrafficSecret),
          CLIENT_TRAFFIC_SECRET_0: hex(hrr.clientApplicationTrafficSecret),
          SERVER_TRAFFIC_SECRET_0: hex(hrr.serverApplicationTrafficSecret),
          EXPORTER_SECRET: hex(hrr.exporterMasterSecret),
        })
        expect(hex(sent(out2))).toBe(hex(hrr.clientFinishedRecord))
        expect(outputsOf(out2, "Established")[0]?.session).toMatchObject({
          group: "secp256r1",
          helloRetryRequest: true,
        })
        if (s2.phase._tag !== "Established") throw new Error(`expected Established, got ${s2.phase._tag}`)
        expect(hex(s2.phase.traffic.resumption.secret)).toBe(hex(hrr.resumptionMasterSecret))
      }).pipe(
        Effect.provide(
          layerFor({
            script: { privateKeys: { x25519: hrr.clientX25519PrivateKey, secp256r1: hrr.clientP256PrivateKey } },
          }),
        ),
      ),
  )

  it.effect("with a synchronous crypto layer and verifier, the server's whole flight is one inline step", () =>
    Effect.gen(function* () {
      const crypto = yield* TlsCrypto
      // A verifier with no asynchronous step (the real one reads the clock through Effect).
      const context = Context.make(TlsCrypto, crypto).pipe(
        Context.add(CertificateVerifier, { verify: () => Effect.succeed({ verified: false }) }),
      )
      const [s0] = ranInline(startWithClientHello(rfcConfig, simple.clientHello), context)
      const flight = Input.Received({ bytes: concatBytes(simple.serverHelloRecord, simple.serverHandshakeRecord) })
      const [s1, out1] = ranInline(step(s0, flight), context)
      expect(hex(sent(out1))).toBe(hex(simple.clientFinishedRecord))
      expect(s1.phase._tag).toBe("Established")
    }).pipe(Effect.provide(TestingCrypto.layer({ script: { privateKeys: { x25519: simple.clientPrivateKey } } }))),
  )
})
