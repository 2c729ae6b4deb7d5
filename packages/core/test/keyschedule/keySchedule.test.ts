/**
 * The key schedule replayed against RFC 8448 sections 3 (1-RTT), 4 (the PSK binder of the
 * resumed handshake) and 5 (HelloRetryRequest), for every crypto provider; plus the
 * exporter against OpenSSL's output and KeyUpdate against a plain HMAC computation.
 */
import { createHmac } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { type HashAlgorithm, TlsCrypto } from "@effect-tls/crypto"
import { Effect } from "effect"
import { tls13Suite } from "../../src/crypto/suites.js"
import {
  EarlySecret,
  exportKeyingMaterial,
  finishedKey,
  nextTrafficSecret,
  trafficKeys,
  verifyData,
} from "../../src/keyschedule/keySchedule.js"
import { PendingTranscript, type Transcript } from "../../src/keyschedule/transcript.js"
import { CipherSuite } from "../../src/wire/codes.js"
import { fromHex, toHex } from "../fixtures/rfc8448/fromHex.js"
import * as hrr from "../fixtures/rfc8448/hello-retry.js"
import * as resumed from "../fixtures/rfc8448/resumed-0rtt.js"
import * as simple from "../fixtures/rfc8448/simple-1rtt.js"
import { exporterVectors } from "./exporterVectors.js"
import { providers } from "./providers.js"

const suite = tls13Suite(CipherSuite.TLS_AES_128_GCM_SHA256)!

/** Hex of both sides, so a failure shows readable bytes. */
const same = (actual: Uint8Array, expected: Uint8Array) => expect(toHex(actual)).toBe(toHex(expected))

const finishedMessage = (verify: Uint8Array) => Uint8Array.of(20, 0, 0, verify.length, ...verify)

/** The transcript of a full handshake trace, through the server Finished. */
interface Trace {
  readonly encryptedExtensions: Uint8Array
  readonly certificate: Uint8Array
  readonly certificateVerify: Uint8Array
  readonly serverFinished: Uint8Array
}
const throughServerFinished = (hello: Transcript, t: Trace) =>
  hello.add(t.encryptedExtensions).add(t.certificate).add(t.certificateVerify).add(t.serverFinished)

for (const [provider, layer] of providers) {
  describe(`key schedule, RFC 8448 (${provider})`, () => {
    it.effect("8448 section 3: early, handshake and handshake traffic secrets", () =>
      Effect.gen(function* () {
        const crypto = yield* TlsCrypto
        const hello = PendingTranscript.empty
          .add(simple.clientHello)
          .start(crypto.hasher("SHA-256"))
          .add(simple.serverHello)
        const early = yield* EarlySecret.make("SHA-256")
        same(early.secret, simple.earlySecret)
        const handshake = yield* early.handshake(simple.sharedSecret, hello.hash())
        same(handshake.secret, simple.handshakeSecret)
        same(handshake.clientHandshakeTrafficSecret, simple.clientHandshakeTrafficSecret)
        same(handshake.serverHandshakeTrafficSecret, simple.serverHandshakeTrafficSecret)
      }).pipe(Effect.provide(layer)),
    )

    it.effect("8448 section 3: master, application traffic, exporter and resumption secrets", () =>
      Effect.gen(function* () {
        const crypto = yield* TlsCrypto
        const hello = PendingTranscript.empty
          .add(simple.clientHello)
          .start(crypto.hasher("SHA-256"))
          .add(simple.serverHello)
        const early = yield* EarlySecret.make("SHA-256")
        const handshake = yield* early.handshake(simple.sharedSecret, hello.hash())
        const serverDone = throughServerFinished(hello, simple)
        const master = yield* handshake.master(serverDone.hash())
        same(master.secret, simple.masterSecret)
        same(master.clientApplicationTrafficSecret, simple.clientApplicationTrafficSecret)
        same(master.serverApplicationTrafficSecret, simple.serverApplicationTrafficSecret)
        same(master.exporterMasterSecret, simple.exporterMasterSecret)
        const resumption = yield* master.resumption(serverDone.add(simple.clientFinished).hash())
        same(resumption.secret, simple.resumptionMasterSecret)
        same(yield* resumption.resumptionPsk(simple.ticketNonce), simple.resumptionPsk)
      }).pipe(Effect.provide(layer)),
    )

    it.effect("8448 section 3: handshake and application keys and IVs", () =>
      Effect.gen(function* () {
        const pairs = [
          [simple.clientHandshakeTrafficSecret, simple.clientHandshakeKey, simple.clientHandshakeIv],
          [simple.serverHandshakeTrafficSecret, simple.serverHandshakeKey, simple.serverHandshakeIv],
          [simple.clientApplicationTrafficSecret, simple.clientApplicationKey, simple.clientApplicationIv],
          [simple.serverApplicationTrafficSecret, simple.serverApplicationKey, simple.serverApplicationIv],
        ] as const
        for (const [secret, key, iv] of pairs) {
          const keys = yield* trafficKeys(suite, secret)
          same(keys.key, key)
          same(keys.iv, iv)
        }
      }).pipe(Effect.provide(layer)),
    )

    it.effect("8448 section 3: server and client Finished verify_data", () =>
      Effect.gen(function* () {
        const crypto = yield* TlsCrypto
        const hello = PendingTranscript.empty
          .add(simple.clientHello)
          .start(crypto.hasher("SHA-256"))
          .add(simple.serverHello)
        const beforeServerFinished = hello
          .add(simple.encryptedExtensions)
          .add(simple.certificate)
          .add(simple.certificateVerify)
        same(yield* finishedKey("SHA-256", simple.serverHandshakeTrafficSecret), simple.serverFinishedKey)
        const serverVerify = yield* verifyData(
          "SHA-256",
          simple.serverHandshakeTrafficSecret,
          beforeServerFinished.hash(),
        )
        same(serverVerify, simple.serverVerifyData)
        same(finishedMessage(serverVerify), simple.serverFinished)
        const beforeClientFinished = beforeServerFinished.add(simple.serverFinished)
        same(yield* finishedKey("SHA-256", simple.clientHandshakeTrafficSecret), simple.clientFinishedKey)
        const clientVerify = yield* verifyData(
          "SHA-256",
          simple.clientHandshakeTrafficSecret,
          beforeClientFinished.hash(),
        )
        same(clientVerify, simple.clientVerifyData)
        same(finishedMessage(clientVerify), simple.clientFinished)
      }).pipe(Effect.provide(layer)),
    )

    it.effect("8448 section 4: early secret from the resumption PSK, binder key and PSK binder", () =>
      Effect.gen(function* () {
        const crypto = yield* TlsCrypto
        same(resumed.psk, simple.resumptionPsk)
        const early = yield* EarlySecret.make("SHA-256", resumed.psk)
        same(early.secret, resumed.earlySecret)
        const binderKey = yield* early.binderKey("resumption")
        same(binderKey, resumed.binderKey)
        same(yield* finishedKey("SHA-256", binderKey), resumed.binderFinishedKey)
        const binderHash = crypto.digest("SHA-256", resumed.clientHelloPrefix)
        same(binderHash, resumed.binderHash)
        same(yield* verifyData("SHA-256", binderKey, binderHash), resumed.binder)
        expect(toHex(yield* early.binderKey("external"))).not.toBe(toHex(binderKey))
        const handshake = yield* early.handshake(resumed.sharedSecret, resumed.helloHash)
        same(handshake.secret, resumed.handshakeSecret)
        same(handshake.clientHandshakeTrafficSecret, resumed.clientHandshakeTrafficSecret)
        same(handshake.serverHandshakeTrafficSecret, resumed.serverHandshakeTrafficSecret)
      }).pipe(Effect.provide(layer)),
    )

    it.effect("8448 section 5: secrets after a HelloRetryRequest (message_hash transcript)", () =>
      Effect.gen(function* () {
        const crypto = yield* TlsCrypto
        const hello = PendingTranscript.empty
          .add(hrr.clientHello1)
          .startAfterHelloRetry(crypto.hasher("SHA-256"))
          .add(hrr.helloRetryRequest)
          .add(hrr.clientHello2)
          .add(hrr.serverHello)
        same(hello.hash(), hrr.helloHash)
        const early = yield* EarlySecret.make("SHA-256")
        same(early.secret, hrr.earlySecret)
        const handshake = yield* early.handshake(hrr.sharedSecret, hello.hash())
        same(handshake.secret, hrr.handshakeSecret)
        same(handshake.clientHandshakeTrafficSecret, hrr.clientHandshakeTrafficSecret)
        same(handshake.serverHandshakeTrafficSecret, hrr.serverHandshakeTrafficSecret)
        const serverDone = throughServerFinished(hello, hrr)
        same(
          yield* verifyData(
            "SHA-256",
            handshake.serverHandshakeTrafficSecret,
            hello.add(hrr.encryptedExtensions).add(hrr.certificate).add(hrr.certificateVerify).hash(),
          ),
          hrr.serverVerifyData,
        )
        same(
          yield* verifyData("SHA-256", handshake.clientHandshakeTrafficSecret, serverDone.hash()),
          hrr.clientVerifyData,
        )
        const master = yield* handshake.master(serverDone.hash())
        same(master.secret, hrr.masterSecret)
        same(master.clientApplicationTrafficSecret, hrr.clientApplicationTrafficSecret)
        same(master.serverApplicationTrafficSecret, hrr.serverApplicationTrafficSecret)
        same(master.exporterMasterSecret, hrr.exporterMasterSecret)
        const resumption = yield* master.resumption(serverDone.add(hrr.clientFinished).hash())
        same(resumption.secret, hrr.resumptionMasterSecret)
        const keys = yield* trafficKeys(suite, handshake.clientHandshakeTrafficSecret)
        same(keys.key, hrr.clientHandshakeKey)
        same(keys.iv, hrr.clientHandshakeIv)
      }).pipe(Effect.provide(layer)),
    )

    it.effect("exporter equals OpenSSL's keying material (SHA-256 and SHA-384, with and without context)", () =>
      Effect.gen(function* () {
        for (const v of exporterVectors) {
          const out = yield* exportKeyingMaterial(
            v.hash,
            fromHex(v.exporterMasterSecret),
            v.label,
            fromHex(v.context),
            v.output.length / 2,
          )
          expect(toHex(out), v.suite).toBe(v.output)
        }
      }).pipe(Effect.provide(layer)),
    )

    it.effect('KeyUpdate: next traffic secret is HMAC(secret, HkdfLabel("traffic upd") || 01)', () =>
      Effect.gen(function* () {
        const cases: ReadonlyArray<readonly [HashAlgorithm, string, Uint8Array]> = [
          ["SHA-256", "sha256", simple.clientApplicationTrafficSecret],
          ["SHA-384", "sha384", fromHex(exporterVectors[0]!.exporterMasterSecret)],
        ]
        for (const [hash, nodeName, secret] of cases) {
          const length = secret.length
          const label = new TextEncoder().encode("tls13 traffic upd")
          const info = Uint8Array.of(0, length, label.length, ...label, 0, 1)
          const expected = createHmac(nodeName, secret).update(info).digest()
          const next = yield* nextTrafficSecret(hash, secret)
          same(next, expected)
          expect(toHex(yield* nextTrafficSecret(hash, next))).not.toBe(toHex(next))
        }
      }).pipe(Effect.provide(layer)),
    )
  })
}

describe("key schedule limits", () => {
  const [, layer] = providers[0]!
  it.effect("exporter labels and lengths that do not fit HkdfLabel fail with InvalidLength", () =>
    Effect.gen(function* () {
      const secret = simple.exporterMasterSecret
      const long = yield* Effect.flip(exportKeyingMaterial("SHA-256", secret, "x".repeat(250), new Uint8Array(0), 32))
      expect(long._tag).toBe("InvalidLength")
      const empty = yield* Effect.flip(exportKeyingMaterial("SHA-256", secret, "", new Uint8Array(0), 32))
      expect(empty._tag).toBe("InvalidLength")
      const huge = yield* Effect.flip(exportKeyingMaterial("SHA-256", secret, "label", new Uint8Array(0), 255 * 32 + 1))
      expect(huge._tag).toBe("InvalidLength")
      const ok = yield* exportKeyingMaterial("SHA-256", secret, "x".repeat(249), new Uint8Array(0), 255 * 32)
      expect(ok.length).toBe(255 * 32)
    }).pipe(Effect.provide(layer)),
  )
})
