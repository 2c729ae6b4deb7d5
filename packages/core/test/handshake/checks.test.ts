/**
 * Every check a TLS 1.3 client makes on what the server sends (RFC 8446, RFC 8701 for
 * GREASE), one test each, driven by the scripted server told to misbehave in exactly one
 * way, and each asserting the exact alert sent (or received).
 */
import { describe, expect, it } from "@effect/vitest"
import { concatBytes, TlsCrypto } from "@effect-tls/crypto"
import { Effect } from "effect"
import { type ClientConfig, defaultConfig } from "../../src/handshake/config.js"
import { Input } from "../../src/handshake/state.js"
import type { CertificateVerifier } from "../../src/handshake/verifier.js"
import {
  AlertDescription,
  AlertLevel,
  CipherSuite,
  ContentType,
  isGrease,
  NamedGroup,
  nameOf,
  ProtocolVersion,
  SignatureScheme,
} from "../../src/wire/codes.js"
import type { ClientHello, Handshake } from "../../src/wire/handshake.js"
import { expectAlertReceived, expectAlertSent } from "../server/expect.js"
import { frameTypes } from "../server/frames.js"
import { alertRecord, changeCipherSpecRecord, handshakeRecord, insertRecords, rewrite } from "../server/hooks.js"
import { identity } from "../server/identity.js"
import type { PlannedRecord, ServerOptions } from "../server/options.js"
import { clientLayer, Pair, sentBytes } from "../server/pair.js"

type Requirements = TlsCrypto | CertificateVerifier

const config = (overrides: Partial<ClientConfig> = {}): ClientConfig => ({
  ...defaultConfig("scripted.test"),
  ...overrides,
})

/** A test body run with the client's testing layer. */
const withClient =
  <A, E>(body: () => Effect.Effect<A, E, Requirements>) =>
  () =>
    Effect.provide(body(), clientLayer())

const connect = (options: ServerOptions, overrides: Partial<ClientConfig> = {}) =>
  Pair.connect(config(overrides), options)

/** An established pair. */
const established = (options: ServerOptions = {}, overrides: Partial<ClientConfig> = {}) =>
  Effect.tap(connect(options, overrides), (pair) => expect(pair.state.phase._tag).toBe("Established"))

/** A copy of `bytes` with one bit of byte `at` flipped. */
const flip = (bytes: Uint8Array, at = 0): Uint8Array => {
  const out = bytes.slice()
  out[at] = out[at]! ^ 0x01
  return out
}

/** The tags of every client output so far. */
const outputTags = (pair: Pair) => pair.outputs.map((o) => o._tag)

describe("ServerHello checks", () => {
  it.effect(
    "supported_versions missing: protocol_version",
    withClient(() =>
      expectAlertSent(
        connect({
          hooks: {
            message: rewrite("ServerHello", (m) => ({
              ...m,
              extensions: m.extensions.filter((e) => e._tag !== "SelectedVersion"),
            })),
          },
        }),
        AlertDescription.protocol_version,
      ),
    ),
  )

  it.effect(
    "supported_versions selecting a version we did not offer (TLS 1.2): illegal_parameter",
    withClient(() =>
      expectAlertSent(
        connect({
          hooks: {
            message: rewrite("ServerHello", (m) => ({
              ...m,
              extensions: m.extensions.map((e) =>
                e._tag === "SelectedVersion" ? { ...e, version: ProtocolVersion.TLSv1_2 } : e,
              ),
            })),
          },
        }),
        AlertDescription.illegal_parameter,
      ),
    ),
  )

  it.effect(
    "the downgrade sentinels (TLS 1.2 and TLS 1.1) in a ServerHello without supported_versions: illegal_parameter",
    withClient(() =>
      Effect.forEach([0x01, 0x00], (last) =>
        expectAlertSent(
          connect({
            hooks: {
              message: rewrite("ServerHello", (m) => {
                const random = m.random.slice()
                random.set([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, last], 24)
                return { ...m, random, extensions: m.extensions.filter((e) => e._tag !== "SelectedVersion") }
              }),
            },
          }),
          AlertDescription.illegal_parameter,
        ),
      ),
    ),
  )

  it.effect(
    "legacy_version other than 0x0303: illegal_parameter",
    withClient(() =>
      expectAlertSent(
        connect({ hooks: { message: rewrite("ServerHello", (m) => ({ ...m, legacyVersion: 0x0304 })) } }),
        AlertDescription.illegal_parameter,
      ),
    ),
  )

  it.effect(
    "legacy_session_id not echoed: illegal_parameter",
    withClient(() =>
      Effect.forEach([new Uint8Array(0), new Uint8Array(32)], (echo) =>
        expectAlertSent(
          connect({ hooks: { message: rewrite("ServerHello", (m) => ({ ...m, legacySessionIdEcho: echo })) } }),
          AlertDescription.illegal_parameter,
        ),
      ),
    ),
  )

  it.effect(
    "a cipher suite we did not offer: illegal_parameter",
    withClient(() =>
      expectAlertSent(
        connect(
          { suite: CipherSuite.TLS_AES_256_GCM_SHA384 },
          { cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256] },
        ),
        AlertDescription.illegal_parameter,
      ),
    ),
  )

  it.effect(
    "a key share for a group we sent no share for, offered or not: illegal_parameter",
    withClient(() =>
      Effect.forEach([NamedGroup.secp256r1, NamedGroup.secp384r1], (group) =>
        expectAlertSent(
          connect(
            {
              hooks: {
                message: rewrite("ServerHello", (m) => ({
                  ...m,
                  extensions: m.extensions.map((e) =>
                    e._tag === "KeyShareServerHello" ? { ...e, share: { ...e.share, group } } : e,
                  ),
                })),
              },
            },
            { groups: ["x25519", "secp256r1"] },
          ),
          AlertDescription.illegal_parameter,
        ),
      ),
    ),
  )

  it.effect(
    "no key_share in the ServerHello: missing_extension",
    withClient(() =>
      expectAlertSent(
        connect({
          hooks: {
            message: rewrite("ServerHello", (m) => ({
              ...m,
              extensions: m.extensions.filter((e) => e._tag !== "KeyShareServerHello"),
            })),
          },
        }),
        AlertDescription.missing_extension,
      ),
    ),
  )
})

describe("HelloRetryRequest checks", () => {
  it.effect(
    "a HelloRetryRequest with a group and a cookie is answered: one share for that group, the cookie echoed",
    withClient(() =>
      Effect.gen(function* () {
        const cookie = Uint8Array.of(0xc0, 0x0c, 0x1e)
        const pair = yield* established({ helloRetry: { group: "secp256r1", cookie }, middleboxCcs: true })
        const second = pair.server.clientHellos[1]!
        expect(second.extensions.find((e) => e._tag === "Cookie")?.cookie).toEqual(cookie)
        const shares = second.extensions.find((e) => e._tag === "KeyShareClientHello")?.shares ?? []
        expect(shares.map((s) => s.group)).toEqual([NamedGroup.secp256r1])
        const session = pair.outputs.find((o) => o._tag === "Established")?.session
        expect(session).toMatchObject({ group: "secp256r1", helloRetryRequest: true })
      }),
    ),
  )

  it.effect(
    "a HelloRetryRequest with only a cookie is answered: the same key shares, the cookie echoed",
    withClient(() =>
      Effect.gen(function* () {
        const cookie = Uint8Array.of(0x5e, 0x55)
        const pair = yield* established({ helloRetry: { cookie } })
        const [first, second] = pair.server.clientHellos
        const shares = (hello: ClientHello | undefined) =>
          hello?.extensions.find((e) => e._tag === "KeyShareClientHello")?.shares
        expect(shares(second)).toEqual(shares(first))
        expect(second?.extensions.find((e) => e._tag === "Cookie")?.cookie).toEqual(cookie)
        expect(first?.extensions.some((e) => e._tag === "Cookie")).toBe(false)
      }),
    ),
  )

  it.effect(
    "a second HelloRetryRequest: unexpected_message",
    withClient(() =>
      expectAlertSent(
        connect({
          helloRetry: { group: "secp256r1" },
          hooks: {
            message: rewrite("ServerHello", (m) => ({
              _tag: "HelloRetryRequest",
              legacyVersion: m.legacyVersion,
              legacySessionIdEcho: m.legacySessionIdEcho,
              cipherSuite: m.cipherSuite,
              extensions: [
                { _tag: "SelectedVersion", version: ProtocolVersion.TLSv1_3 },
                { _tag: "Cookie", cookie: Uint8Array.of(1) },
              ],
            })),
          },
        }),
        AlertDescription.unexpected_message,
      ),
    ),
  )

  it.effect(
    "a HelloRetryRequest that would not change the ClientHello: illegal_parameter",
    withClient(() => expectAlertSent(connect({ helloRetry: {} }), AlertDescription.illegal_parameter)),
  )

  it.effect(
    "a HelloRetryRequest asking for the group we already sent a share for: illegal_parameter",
    withClient(() => expectAlertSent(connect({ helloRetry: { group: "x25519" } }), AlertDescription.illegal_parameter)),
  )

  it.effect(
    "a HelloRetryRequest asking for a group we did not offer: illegal_parameter",
    withClient(() =>
      expectAlertSent(
        connect({ helloRetry: { group: "secp384r1" } }, { groups: ["x25519", "secp256r1"] }),
        AlertDescription.illegal_parameter,
      ),
    ),
  )

  it.effect(
    "a ServerHello whose cipher suite differs from the HelloRetryRequest's: illegal_parameter",
    withClient(() =>
      expectAlertSent(
        connect({
          helloRetry: { cookie: Uint8Array.of(7) },
          hooks: {
            message: rewrite("ServerHello", (m) => ({ ...m, cipherSuite: CipherSuite.TLS_AES_256_GCM_SHA384 })),
          },
        }),
        AlertDescription.illegal_parameter,
      ),
    ),
  )
})

describe("extension checks", () => {
  it.effect(
    "an extension the message may not carry (server_name in ServerHello, key_share in EncryptedExtensions): illegal_parameter",
    withClient(() =>
      Effect.all([
        expectAlertSent(
          connect({
            hooks: {
              message: rewrite("ServerHello", (m) => ({
                ...m,
                extensions: [...m.extensions, { _tag: "Unknown", type: 0, data: new Uint8Array(0) }],
              })),
            },
          }),
          AlertDescription.illegal_parameter,
        ),
        expectAlertSent(
          connect({
            hooks: {
              message: rewrite("EncryptedExtensions", (m) => ({
                ...m,
                extensions: [...m.extensions, { _tag: "Unknown", type: 51, data: Uint8Array.of(0, 0x1d) }],
              })),
            },
          }),
          AlertDescription.illegal_parameter,
        ),
      ]),
    ),
  )

  it.effect(
    "a duplicated extension (ServerHello, EncryptedExtensions): illegal_parameter",
    withClient(() =>
      Effect.all([
        expectAlertSent(
          connect({
            hooks: {
              message: rewrite("ServerHello", (m) => ({ ...m, extensions: [...m.extensions, m.extensions[0]!] })),
            },
          }),
          AlertDescription.illegal_parameter,
        ),
        expectAlertSent(
          connect(
            {
              alpn: "h2",
              hooks: {
                message: rewrite("EncryptedExtensions", (m) => ({
                  ...m,
                  extensions: [...m.extensions, ...m.extensions],
                })),
              },
            },
            { alpn: ["h2"] },
          ),
          AlertDescription.illegal_parameter,
        ),
      ]),
    ),
  )

  it.effect(
    "an unsolicited extension (ALPN or record_size_limit not offered, an unknown type): unsupported_extension",
    withClient(() =>
      Effect.all([
        expectAlertSent(connect({ alpn: "h2" }), AlertDescription.unsupported_extension),
        expectAlertSent(connect({ recordSizeLimit: 4096 }), AlertDescription.unsupported_extension),
        expectAlertSent(
          connect({
            hooks: {
              message: rewrite("EncryptedExtensions", (m) => ({
                ...m,
                extensions: [...m.extensions, { _tag: "Unknown", type: 0xff00, data: new Uint8Array(0) }],
              })),
            },
          }),
          AlertDescription.unsupported_extension,
        ),
        expectAlertSent(
          connect({
            hooks: {
              message: rewrite("ServerHello", (m) => ({
                ...m,
                extensions: [...m.extensions, { _tag: "Unknown", type: 0x1234, data: new Uint8Array(0) }],
              })),
            },
          }),
          AlertDescription.unsupported_extension,
        ),
      ]),
    ),
  )

  it.effect(
    "an ALPN protocol we did not offer: illegal_parameter",
    withClient(() =>
      expectAlertSent(connect({ alpn: "http/1.1" }, { alpn: ["h2"] }), AlertDescription.illegal_parameter),
    ),
  )

  it.effect(
    "the ALPN protocol and record_size_limit we offered are taken: the session says so, our records fit",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* established(
          { alpn: "h2", recordSizeLimit: 1024 },
          { alpn: ["h2", "http/1.1"], recordSizeLimit: 2048 },
        )
        expect(pair.outputs.find((o) => o._tag === "Established")?.session.alpn).toBe("h2")
        yield* pair.input(Input.Write({ data: new Uint8Array(3000).fill(7) }))
        expect(pair.server.applicationData.map((d) => d.length)).toEqual([1023, 1023, 954])
      }),
    ),
  )
})

describe("Finished and CertificateVerify checks", () => {
  it.effect(
    "a Finished that does not verify: decrypt_error",
    withClient(() =>
      expectAlertSent(
        connect({ hooks: { message: rewrite("Finished", (m) => ({ ...m, verifyData: flip(m.verifyData) })) } }),
        AlertDescription.decrypt_error,
      ),
    ),
  )

  it.effect(
    "a Finished of the wrong length: decode_error",
    withClient(() =>
      Effect.forEach([31, 33, 0], (length) =>
        expectAlertSent(
          connect({
            hooks: {
              message: rewrite("Finished", (m) => ({
                ...m,
                verifyData: concatBytes(m.verifyData, new Uint8Array(1)).subarray(0, length),
              })),
            },
          }),
          AlertDescription.decode_error,
        ),
      ),
    ),
  )

  it.effect(
    "a CertificateVerify with a scheme we did not offer: illegal_parameter",
    withClient(() =>
      expectAlertSent(
        connect(
          {},
          { signatureSchemes: [SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256] },
        ),
        AlertDescription.illegal_parameter,
      ),
    ),
  )

  it.effect(
    "a CertificateVerify with a scheme TLS 1.3 forbids there, even one we offered (rsa_pkcs1_sha256): illegal_parameter",
    withClient(() =>
      expectAlertSent(
        connect({
          hooks: {
            message: rewrite("CertificateVerify", (m) => ({ ...m, algorithm: SignatureScheme.rsa_pkcs1_sha256 })),
          },
        }),
        AlertDescription.illegal_parameter,
      ),
    ),
  )

  it.effect(
    "a CertificateVerify whose scheme does not match the certificate's key: illegal_parameter",
    withClient(() =>
      expectAlertSent(
        connect({
          hooks: {
            message: rewrite("CertificateVerify", (m) => ({
              ...m,
              algorithm: SignatureScheme.ecdsa_secp256r1_sha256,
            })),
          },
        }),
        AlertDescription.illegal_parameter,
      ),
    ),
  )

  it.effect(
    "a CertificateVerify that does not verify (Ed25519, ECDSA): decrypt_error",
    withClient(() =>
      Effect.forEach([identity("ed25519"), identity("p256")], (id) =>
        expectAlertSent(
          connect({
            identity: id,
            hooks: { message: rewrite("CertificateVerify", (m) => ({ ...m, signature: flip(m.signature, 10) })) },
          }),
          AlertDescription.decrypt_error,
        ),
      ),
    ),
  )

  it.effect(
    "an ECDSA P-256 server identity is accepted",
    withClient(() =>
      Effect.map(established({ identity: identity("p256") }), (pair) =>
        expect(pair.outputs.find((o) => o._tag === "Established")?.session.signatureScheme).toBe(
          "ecdsa_secp256r1_sha256",
        ),
      ),
    ),
  )

  it.effect(
    "an empty Certificate: decode_error",
    withClient(() =>
      expectAlertSent(
        connect({ hooks: { message: rewrite("Certificate", (m) => ({ ...m, entries: [] })) } }),
        AlertDescription.decode_error,
      ),
    ),
  )

  it.effect(
    "a server Certificate with a request context: illegal_parameter",
    withClient(() =>
      expectAlertSent(
        connect({ hooks: { message: rewrite("Certificate", (m) => ({ ...m, requestContext: Uint8Array.of(1) })) } }),
        AlertDescription.illegal_parameter,
      ),
    ),
  )
})

describe("record layer checks", () => {
  it.effect(
    "a handshake message spanning the key change after ServerHello: unexpected_message",
    withClient(() =>
      expectAlertSent(
        connect({
          hooks: {
            records: (records, flight) =>
              flight !== "handshake"
                ? records
                : records.map((r, i) => (i === 0 ? { ...r, content: concatBytes(r.content, Uint8Array.of(8, 0)) } : r)),
          },
        }),
        AlertDescription.unexpected_message,
      ),
    ),
  )

  it.effect(
    "a handshake message spanning the key change after the server's Finished: unexpected_message",
    withClient(() =>
      expectAlertSent(
        connect({
          hooks: {
            records: (records, flight) =>
              flight !== "handshake"
                ? records
                : records.map((r, i) =>
                    i === records.length - 1 ? { ...r, content: concatBytes(r.content, Uint8Array.of(4, 0)) } : r,
                  ),
          },
        }),
        AlertDescription.unexpected_message,
      ),
    ),
  )

  it.effect(
    "a handshake message spanning the key change of a KeyUpdate: unexpected_message",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* established()
        const keyUpdate = handshakeRecord({ _tag: "KeyUpdate", updateRequested: false }, "application")
        const spanning = { ...keyUpdate, content: concatBytes(keyUpdate.content, Uint8Array.of(4)) }
        yield* expectAlertSent(
          Effect.flatMap(pair.server.records([spanning]), (bytes) => pair.deliver(bytes)),
          AlertDescription.unexpected_message,
        )
      }),
    ),
  )

  it.effect(
    "a ChangeCipherSpec after the handshake, or with a body other than 0x01: unexpected_message",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* established()
        yield* expectAlertSent(
          Effect.flatMap(pair.server.records([changeCipherSpecRecord()]), (bytes) => pair.deliver(bytes)),
          AlertDescription.unexpected_message,
        )
        yield* expectAlertSent(
          connect({
            middleboxCcs: true,
            hooks: { records: insertRecords("handshake", 1, changeCipherSpecRecord(Uint8Array.of(2))) },
          }),
          AlertDescription.unexpected_message,
        )
      }),
    ),
  )

  it.effect(
    "the server's ChangeCipherSpec is dropped before its Finished: 16 in a row pass, 17 are unexpected_message",
    withClient(() =>
      Effect.gen(function* () {
        const ccs = (n: number) => Array.from({ length: n }, () => changeCipherSpecRecord())
        yield* established({ hooks: { records: insertRecords("handshake", 0, ...ccs(16)) } })
        yield* established({ hooks: { records: insertRecords("handshake", 3, ...ccs(16)) } })
        yield* expectAlertSent(
          connect({ hooks: { records: insertRecords("handshake", 2, ...ccs(17)) } }),
          AlertDescription.unexpected_message,
        )
      }),
    ),
  )

  it.effect(
    "empty application data records: 16 in a row pass, data resets the count, 17 in a row are unexpected_message",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* established()
        const empty = (n: number): Array<PlannedRecord> =>
          Array.from({ length: n }, () => ({
            type: ContentType.application_data,
            content: new Uint8Array(0),
            keys: "application",
          }))
        const data: PlannedRecord = {
          type: ContentType.application_data,
          content: Uint8Array.of(1),
          keys: "application",
        }
        yield* pair.deliver(yield* pair.server.records([...empty(16), data, ...empty(16)]))
        expect(pair.outputs.filter((o) => o._tag === "ApplicationData")).toHaveLength(1)
        yield* expectAlertSent(
          Effect.flatMap(pair.server.records(empty(1)), (bytes) => pair.deliver(bytes)),
          AlertDescription.unexpected_message,
        )
      }),
    ),
  )

  it.effect(
    "application data before the server's Finished (under handshake keys, or in plaintext): unexpected_message",
    withClient(() =>
      Effect.all([
        expectAlertSent(
          connect({
            hooks: {
              records: insertRecords("handshake", -1, {
                type: ContentType.application_data,
                content: Uint8Array.of(1, 2, 3),
                keys: "handshake",
              }),
            },
          }),
          AlertDescription.unexpected_message,
        ),
        expectAlertSent(
          connect({
            hooks: {
              records: insertRecords("handshake", 0, {
                type: ContentType.application_data,
                content: new Uint8Array(40),
                keys: "plaintext",
              }),
            },
          }),
          AlertDescription.unexpected_message,
        ),
      ]),
    ),
  )

  it.effect(
    "a record of an unknown content type: unexpected_message",
    withClient(() =>
      expectAlertSent(
        connect({
          hooks: { records: insertRecords("handshake", 0, { type: 99, content: Uint8Array.of(1), keys: "plaintext" }) },
        }),
        AlertDescription.unexpected_message,
      ),
    ),
  )

  it.effect(
    "too-large records (plaintext over 2^14, protected over 2^14 + 256): record_overflow",
    withClient(() =>
      Effect.gen(function* () {
        yield* expectAlertSent(
          connect({
            hooks: { records: insertRecords("handshake", 0, handshakeRecord(new Uint8Array(16385), "plaintext")) },
          }),
          AlertDescription.record_overflow,
        )
        const pair = yield* established()
        const oversized: PlannedRecord = {
          type: ContentType.application_data,
          content: new Uint8Array(16384 + 256 + 1),
          keys: "plaintext",
        }
        yield* expectAlertSent(
          Effect.flatMap(pair.server.records([oversized]), (bytes) => pair.deliver(bytes)),
          AlertDescription.record_overflow,
        )
      }),
    ),
  )

  it.effect(
    "a record that does not authenticate (handshake, application data): bad_record_mac",
    withClient(() =>
      Effect.gen(function* () {
        yield* expectAlertSent(
          connect({
            hooks: { wire: (bytes, flight) => (flight === "handshake" ? flip(bytes, bytes.length - 1) : bytes) },
          }),
          AlertDescription.bad_record_mac,
        )
        const pair = yield* established()
        const data = yield* pair.server.send(Uint8Array.of(1, 2, 3))
        yield* expectAlertSent(pair.deliver(flip(data, 8)), AlertDescription.bad_record_mac)
      }),
    ),
  )
})

describe("alerts", () => {
  it.effect(
    "close_notify in the middle of the handshake: PeerClosed, the connection closed, no failure",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* connect({
          hooks: {
            records: insertRecords(
              "handshake",
              2,
              alertRecord(AlertDescription.close_notify, "handshake", AlertLevel.warning),
            ),
          },
        })
        expect(outputTags(pair)).toContain("PeerClosed")
        expect(outputTags(pair)).not.toContain("Established")
        expect(pair.state.phase._tag).toBe("Closed")
      }),
    ),
  )

  it.effect(
    "user_canceled, the handshake going on, then close_notify: PeerClosed, no failure",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* connect({
          hooks: {
            records: (records, flight) =>
              flight !== "handshake"
                ? records
                : [
                    ...records.slice(0, 2),
                    alertRecord(AlertDescription.user_canceled, "handshake", AlertLevel.warning),
                    records[2]!,
                    alertRecord(AlertDescription.close_notify, "handshake", AlertLevel.warning),
                  ],
          },
        })
        expect(outputTags(pair).filter((t) => t === "PeerClosed")).toHaveLength(1)
        expect(pair.state.phase._tag).toBe("Closed")
      }),
    ),
  )

  it.effect(
    "fatal alerts from the server (plaintext, under handshake keys, after the handshake): AlertReceived",
    withClient(() =>
      Effect.gen(function* () {
        const fresh = yield* Pair.start(config())
        yield* expectAlertReceived(
          Effect.flatMap(fresh.server.alert(AlertDescription.handshake_failure), (bytes) => fresh.deliver(bytes)),
          AlertDescription.handshake_failure,
        )
        yield* expectAlertReceived(
          connect({
            hooks: {
              records: insertRecords("handshake", 3, alertRecord(AlertDescription.bad_certificate, "handshake")),
            },
          }),
          AlertDescription.bad_certificate,
        )
        const pair = yield* established()
        yield* expectAlertReceived(
          Effect.flatMap(pair.server.alert(AlertDescription.internal_error), (bytes) => pair.deliver(bytes)),
          AlertDescription.internal_error,
        )
      }),
    ),
  )

  it.effect(
    "a warning-level alert other than close_notify and user_canceled, and a fatal user_canceled: AlertReceived",
    withClient(() =>
      Effect.gen(function* () {
        const first = yield* established()
        yield* expectAlertReceived(
          Effect.flatMap(first.server.alert(AlertDescription.unexpected_message, AlertLevel.warning), (b) =>
            first.deliver(b),
          ),
          AlertDescription.unexpected_message,
        )
        const second = yield* established()
        yield* expectAlertReceived(
          Effect.flatMap(second.server.alert(AlertDescription.user_canceled, AlertLevel.fatal), (b) =>
            second.deliver(b),
          ),
          AlertDescription.user_canceled,
        )
      }),
    ),
  )
})

describe("after the handshake", () => {
  it.effect(
    "a KeyUpdate asking for ours is answered once, with the old key, and traffic flows on new keys both ways",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* established()
        const clientSecret = pair.server.clientTrafficSecret
        const outputs = yield* pair.deliver(yield* pair.server.keyUpdate(true))
        expect(frameTypes(sentBytes(outputs))).toEqual([ContentType.application_data])
        expect(pair.server.log.filter((m) => m === "KeyUpdate")).toHaveLength(1)
        expect(pair.server.clientTrafficSecret).not.toEqual(clientSecret)
        yield* pair.input(Input.Write({ data: Uint8Array.of(1, 2) }))
        expect(pair.server.applicationData).toEqual([Uint8Array.of(1, 2)])
        const received = yield* pair.deliver(yield* pair.server.send(Uint8Array.of(3)))
        expect(received.filter((o) => o._tag === "ApplicationData").map((o) => o.data)).toEqual([Uint8Array.of(3)])
      }),
    ),
  )

  it.effect(
    "a KeyUpdate not asking for ours is not answered",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* established()
        const outputs = yield* pair.deliver(yield* pair.server.keyUpdate(false))
        expect(sentBytes(outputs)).toHaveLength(0)
        const received = yield* pair.deliver(yield* pair.server.send(Uint8Array.of(9)))
        expect(received.filter((o) => o._tag === "ApplicationData")).toHaveLength(1)
      }),
    ),
  )

  it.effect(
    "KeyUpdate flood: 32 in a row pass, application data resets the count, the 33rd in a row is unexpected_message",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* established()
        const updates = (n: number) =>
          Effect.map(
            Effect.forEach(Array.from({ length: n }), () => pair.server.keyUpdate(false)),
            (parts) => concatBytes(...parts),
          )
        yield* pair.deliver(
          concatBytes(yield* updates(32), yield* pair.server.send(Uint8Array.of(1)), yield* updates(32)),
        )
        yield* expectAlertSent(
          Effect.flatMap(updates(1), (bytes) => pair.deliver(bytes)),
          AlertDescription.unexpected_message,
        )
      }),
    ),
  )

  it.effect(
    "NewSessionTickets are handed out with the PSK the server derived",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* established({ tickets: 2 })
        const tickets = pair.outputs.filter((o) => o._tag === "SessionTicket")
        expect(tickets.map((t) => t.psk)).toEqual(pair.server.ticketPsks)
        expect(tickets.map((t) => t.suite)).toEqual(["TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"])
      }),
    ),
  )
})

describe("client authentication", () => {
  const clientCertificate = Effect.gen(function* () {
    const crypto = yield* TlsCrypto
    const id = identity("ed25519", "client.test")
    return { chain: [id.certificate], key: yield* crypto.importSigningKey(id.pkcs8) }
  })

  it.effect(
    "our certificate and CertificateVerify are sent when requested, after the ChangeCipherSpec",
    withClient(() =>
      Effect.gen(function* () {
        const certificate = yield* clientCertificate
        const pair = yield* established(
          { certificateRequest: [SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.ed25519] },
          { clientCertificate: certificate },
        )
        expect(pair.server.clientCertificates).toEqual(certificate.chain)
        expect(pair.server.clientCertificateVerified).toBe(true)
        expect(pair.server.log).toEqual([
          "ClientHello",
          "ChangeCipherSpec",
          "Certificate",
          "CertificateVerify",
          "Finished",
        ])
        expect(pair.outputs.find((o) => o._tag === "Established")?.session.clientAuthenticated).toBe(true)
      }),
    ),
  )

  it.effect(
    "an empty Certificate when we have no certificate, or none for the schemes asked",
    withClient(() =>
      Effect.gen(function* () {
        const none = yield* established({ certificateRequest: [SignatureScheme.ed25519] })
        const certificate = yield* clientCertificate
        const unfit = yield* established(
          { certificateRequest: [SignatureScheme.rsa_pss_rsae_sha256] },
          { clientCertificate: certificate },
        )
        for (const pair of [none, unfit]) {
          expect(pair.server.clientCertificates).toEqual([])
          expect(pair.server.log).toEqual(["ClientHello", "ChangeCipherSpec", "Certificate", "Finished"])
          expect(pair.outputs.find((o) => o._tag === "Established")?.session.clientAuthenticated).toBe(false)
        }
      }),
    ),
  )

  it.effect(
    "a CertificateRequest with a context: illegal_parameter; without signature_algorithms: missing_extension",
    withClient(() =>
      Effect.all([
        expectAlertSent(
          connect({
            certificateRequest: [SignatureScheme.ed25519],
            hooks: { message: rewrite("CertificateRequest", (m) => ({ ...m, requestContext: Uint8Array.of(1) })) },
          }),
          AlertDescription.illegal_parameter,
        ),
        expectAlertSent(
          connect({
            certificateRequest: [SignatureScheme.ed25519],
            hooks: {
              message: rewrite("CertificateRequest", (m) => ({
                ...m,
                extensions: [{ _tag: "Unknown", type: 0x1234, data: new Uint8Array(0) }],
              })),
            },
          }),
          AlertDescription.missing_extension,
        ),
      ]),
    ),
  )
})

/** The GREASE values a ClientHello carries (RFC 8701). */
const greaseOf = (hello: ClientHello) => {
  const find = (values: ReadonlyArray<number> | undefined) => values?.find(isGrease)
  const ext = <T extends ClientHello["extensions"][number]["_tag"]>(tag: T) =>
    hello.extensions.find((e) => e._tag === tag) as Extract<ClientHello["extensions"][number], { _tag: T }> | undefined
  return {
    suite: find(hello.cipherSuites)!,
    version: find(ext("SupportedVersions")?.versions)!,
    group: find(ext("SupportedGroups")?.groups)!,
    extension: hello.extensions.find((e) => e._tag === "Unknown" && isGrease(e.type))!,
  }
}

type Grease = ReturnType<typeof greaseOf>

/** Each place a server might echo a GREASE value, with the hook that does it and the alert due. */
const greaseCases: ReadonlyArray<{
  readonly where: string
  readonly alert: number
  readonly options?: ServerOptions
  readonly hook: (grease: Grease) => (message: Handshake) => Handshake
}> = [
  {
    where: "the ServerHello's cipher suite",
    alert: AlertDescription.illegal_parameter,
    hook: (g) => rewrite("ServerHello", (m) => ({ ...m, cipherSuite: g.suite })),
  },
  {
    where: "the selected version",
    alert: AlertDescription.illegal_parameter,
    hook: (g) =>
      rewrite("ServerHello", (m) => ({
        ...m,
        extensions: m.extensions.map((e) => (e._tag === "SelectedVersion" ? { ...e, version: g.version } : e)),
      })),
  },
  {
    where: "the ServerHello's key share group",
    alert: AlertDescription.illegal_parameter,
    hook: (g) =>
      rewrite("ServerHello", (m) => ({
        ...m,
        extensions: m.extensions.map((e) =>
          e._tag === "KeyShareServerHello" ? { ...e, share: { group: g.group, keyExchange: Uint8Array.of(0) } } : e,
        ),
      })),
  },
  {
    where: "the HelloRetryRequest's group",
    alert: AlertDescription.illegal_parameter,
    options: { helloRetry: { group: "secp256r1" } },
    hook: (g) =>
      rewrite("HelloRetryRequest", (m) => ({
        ...m,
        extensions: m.extensions.map((e) =>
          e._tag === "KeyShareHelloRetryRequest" ? { ...e, selectedGroup: g.group } : e,
        ),
      })),
  },
  {
    where: "a ServerHello extension",
    alert: AlertDescription.unsupported_extension,
    hook: (g) => rewrite("ServerHello", (m) => ({ ...m, extensions: [...m.extensions, g.extension as never] })),
  },
  {
    where: "a HelloRetryRequest extension",
    alert: AlertDescription.unsupported_extension,
    options: { helloRetry: { cookie: Uint8Array.of(1) } },
    hook: (g) => rewrite("HelloRetryRequest", (m) => ({ ...m, extensions: [...m.extensions, g.extension as never] })),
  },
  {
    where: "an EncryptedExtensions extension",
    alert: AlertDescription.unsupported_extension,
    hook: (g) => rewrite("EncryptedExtensions", (m) => ({ ...m, extensions: [...m.extensions, g.extension as never] })),
  },
  {
    where: "a Certificate entry extension",
    alert: AlertDescription.unsupported_extension,
    hook: (g) =>
      rewrite("Certificate", (m) => ({
        ...m,
        entries: m.entries.map((entry) => ({ ...entry, extensions: [g.extension as never] })),
      })),
  },
  {
    where: "the CertificateVerify scheme",
    alert: AlertDescription.illegal_parameter,
    hook: (g) => rewrite("CertificateVerify", (m) => ({ ...m, algorithm: g.suite })),
  },
]

describe("GREASE values are never accepted from the server (RFC 8701)", () => {
  for (const c of greaseCases) {
    it.effect(
      `the client's GREASE value in ${c.where}: ${nameOf(AlertDescription, c.alert)}`,
      withClient(() =>
        Effect.gen(function* () {
          // The hook echoes the GREASE values of the ClientHello the server received.
          const pair = yield* Pair.start(config(), {
            ...c.options,
            hooks: { message: (m, hellos) => c.hook(greaseOf(hellos[0]!))(m) },
          })
          yield* expectAlertSent(
            Effect.flatMap(pair.flight(), (bytes) => pair.deliver(bytes)),
            c.alert,
          )
        }),
      ),
    )
  }
})

describe("middlebox compatibility (RFC 8446 appendix D.4)", () => {
  it.effect(
    "one ChangeCipherSpec, immediately before our encrypted Finished; a 32-byte legacy_session_id",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* established({ middleboxCcs: true })
        const flights = pair.outputs.flatMap((o) => (o._tag === "Send" ? [frameTypes(o.bytes)] : []))
        expect(flights).toEqual([
          [ContentType.handshake],
          [ContentType.change_cipher_spec, ContentType.application_data],
        ])
        expect(pair.server.log).toEqual(["ClientHello", "ChangeCipherSpec", "Finished"])
        expect(pair.server.clientHellos[0]!.legacySessionId).toHaveLength(32)
      }),
    ),
  )

  it.effect(
    "no ChangeCipherSpec before the second ClientHello",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* established({ helloRetry: { group: "secp256r1" }, middleboxCcs: true })
        const flights = pair.outputs.flatMap((o) => (o._tag === "Send" ? [frameTypes(o.bytes)] : []))
        expect(flights).toEqual([
          [ContentType.handshake],
          [ContentType.handshake],
          [ContentType.change_cipher_spec, ContentType.application_data],
        ])
        expect(pair.server.log).toEqual(["ClientHello", "ClientHello", "ChangeCipherSpec", "Finished"])
      }),
    ),
  )

  it.effect(
    "turned off: no ChangeCipherSpec and an empty legacy_session_id",
    withClient(() =>
      Effect.gen(function* () {
        const pair = yield* established({}, { middleboxCompatibility: false })
        expect(pair.server.log).toEqual(["ClientHello", "Finished"])
        expect(pair.server.clientHellos[0]!.legacySessionId).toHaveLength(0)
      }),
    ),
  )
})
