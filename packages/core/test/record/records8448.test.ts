/**
 * Record protection replayed against the records of RFC 8448 sections 3 and 5: the server's
 * encrypted flight, the client's Finished, the NewSessionTicket, application data and
 * alerts, sealed and opened byte for byte, for every crypto provider and for both the
 * synchronous and the Effect-only AEAD path.
 */
import { describe, expect, it } from "@effect/vitest"
import { type AeadKey, TlsCrypto } from "@effect-tls/crypto"
import { Effect } from "effect"
import { tls13Suite } from "../../src/crypto/suites.js"
import { trafficKeys } from "../../src/keyschedule/keySchedule.js"
import { protectorFor, unprotectorFor } from "../../src/record/fromTrafficSecret.js"
import { RecordProtector, RecordUnprotector } from "../../src/record/protection.js"
import { CipherSuite, ContentType } from "../../src/wire/codes.js"
import { toHex } from "../fixtures/rfc8448/fromHex.js"
import * as hrr from "../fixtures/rfc8448/hello-retry.js"
import * as simple from "../fixtures/rfc8448/simple-1rtt.js"
import { providers } from "../keyschedule/providers.js"
import { withoutSync } from "./aeadModes.js"

const suite = tls13Suite(CipherSuite.TLS_AES_128_GCM_SHA256)!

const modes: ReadonlyArray<readonly [string, ((key: AeadKey) => AeadKey) | undefined]> = [
  ["sync AEAD", undefined],
  ["Effect-only AEAD", withoutSync],
]

/**
 * Both sides for one traffic secret: straight from the secret with the provider's key, or
 * over `mode(key)` when a mode is given.
 */
const sides = (secret: Uint8Array, mode: ((key: AeadKey) => AeadKey) | undefined) =>
  Effect.gen(function* () {
    if (mode === undefined) {
      return { protector: yield* protectorFor(suite, secret), unprotector: yield* unprotectorFor(suite, secret) }
    }
    const crypto = yield* TlsCrypto
    const { key, iv } = yield* trafficKeys(suite, secret)
    const aead = mode(yield* crypto.aeadKey(suite.aead, key))
    return { protector: new RecordProtector(aead, iv), unprotector: new RecordUnprotector(aead, iv) }
  })

/** Seals `content` and expects the RFC's record; opens the RFC's record and expects `content`. */
const replay = (
  write: RecordProtector,
  read: RecordUnprotector,
  type: number,
  content: Uint8Array,
  record: Uint8Array,
) =>
  Effect.gen(function* () {
    expect(toHex(yield* write.seal(type, content))).toBe(toHex(record))
    const opened = yield* read.open(record)
    expect(opened.type).toBe(type)
    expect(toHex(opened.content)).toBe(toHex(content))
  })

for (const [provider, layer] of providers) {
  for (const [modeName, mode] of modes) {
    describe(`record protection, RFC 8448 (${provider}, ${modeName})`, () => {
      it.effect("8448 section 3: the server's encrypted handshake flight", () =>
        Effect.gen(function* () {
          const server = yield* sides(simple.serverHandshakeTrafficSecret, mode)
          yield* replay(
            server.protector,
            server.unprotector,
            ContentType.handshake,
            simple.serverHandshakeFlight,
            simple.serverHandshakeRecord,
          )
          const flight = toHex(simple.serverHandshakeFlight)
          expect(flight).toBe(
            toHex(simple.encryptedExtensions) +
              toHex(simple.certificate) +
              toHex(simple.certificateVerify) +
              toHex(simple.serverFinished),
          )
        }).pipe(Effect.provide(layer)),
      )

      it.effect("8448 section 3: the client's Finished record", () =>
        Effect.gen(function* () {
          const client = yield* sides(simple.clientHandshakeTrafficSecret, mode)
          yield* replay(
            client.protector,
            client.unprotector,
            ContentType.handshake,
            simple.clientFinished,
            simple.clientFinishedRecord,
          )
        }).pipe(Effect.provide(layer)),
      )

      it.effect("8448 section 3: client application data then alert (sequence 0, 1)", () =>
        Effect.gen(function* () {
          const client = yield* sides(simple.clientApplicationTrafficSecret, mode)
          const { protector, unprotector } = client
          yield* replay(
            protector,
            unprotector,
            ContentType.application_data,
            simple.clientApplicationData,
            simple.clientApplicationDataRecord,
          )
          yield* replay(protector, unprotector, ContentType.alert, simple.clientAlert, simple.clientAlertRecord)
          expect(protector.sequence).toBe(2n)
          expect(unprotector.sequence).toBe(2n)
        }).pipe(Effect.provide(layer)),
      )

      it.effect("8448 section 3: server NewSessionTicket, application data, alert (sequence 0, 1, 2)", () =>
        Effect.gen(function* () {
          const { protector, unprotector } = yield* sides(simple.serverApplicationTrafficSecret, mode)
          yield* replay(
            protector,
            unprotector,
            ContentType.handshake,
            simple.newSessionTicket,
            simple.newSessionTicketRecord,
          )
          yield* replay(
            protector,
            unprotector,
            ContentType.application_data,
            simple.serverApplicationData,
            simple.serverApplicationDataRecord,
          )
          yield* replay(protector, unprotector, ContentType.alert, simple.serverAlert, simple.serverAlertRecord)
        }).pipe(Effect.provide(layer)),
      )

      it.effect("8448 section 5: server flight, client Finished and both alerts after a HelloRetryRequest", () =>
        Effect.gen(function* () {
          const serverHs = yield* sides(hrr.serverHandshakeTrafficSecret, mode)
          yield* replay(
            serverHs.protector,
            serverHs.unprotector,
            ContentType.handshake,
            hrr.serverHandshakeFlight,
            hrr.serverHandshakeRecord,
          )
          const clientHs = yield* sides(hrr.clientHandshakeTrafficSecret, mode)
          yield* replay(
            clientHs.protector,
            clientHs.unprotector,
            ContentType.handshake,
            hrr.clientFinished,
            hrr.clientFinishedRecord,
          )
          const clientAp = yield* sides(hrr.clientApplicationTrafficSecret, mode)
          yield* replay(
            clientAp.protector,
            clientAp.unprotector,
            ContentType.alert,
            hrr.clientAlert,
            hrr.clientAlertRecord,
          )
          const serverAp = yield* sides(hrr.serverApplicationTrafficSecret, mode)
          yield* replay(
            serverAp.protector,
            serverAp.unprotector,
            ContentType.alert,
            hrr.serverAlert,
            hrr.serverAlertRecord,
          )
        }).pipe(Effect.provide(layer)),
      )
    })
  }
}
