/**
 * Hostile handshake messages over real TCP: the scripted TLS 1.3 server, told to misbehave
 * in one way per case (a choice we did not offer, an extension that does not belong, a
 * broken Finished or CertificateVerify, messages out of order), answers our ClientHello.
 * Each case asserts the typed failure, the alert we sent (decrypted by the scripted server
 * when it went under handshake keys), the time bound, and that socket and fibers are released.
 */
import { describe, it } from "@effect/vitest"
import { Wire } from "@effect-tls/core"
import { concatBytes } from "@effect-tls/crypto"
import { Effect } from "effect"
import { handshakeRecord, insertRecords, rewrite } from "../../../core/test/server/hooks.js"
import { identity } from "../../../core/test/server/identity.js"
import type { PlannedRecord } from "../../../core/test/server/options.js"
import { testPki } from "../peers/certs.js"
import { answer } from "./fakeServer.js"
import { alertSent, guardProcess, type HostileCase, hostile } from "./harness.js"
import { tlsServer } from "./tlsScript.js"

guardProcess()

const { CipherSuite, HandshakeType, NamedGroup, ProtocolVersion } = Wire

/** Bound for a failure detected on the first flight. */
const quick = 2000

const flip = (bytes: Uint8Array, at = 0): Uint8Array => {
  const out = bytes.slice()
  out[at] = out[at]! ^ 0x01
  return out
}

/** Drops the handshake-flight records for which `keep` is false (one message per record). */
const dropRecords =
  (drop: (record: PlannedRecord) => boolean) =>
  (records: ReadonlyArray<PlannedRecord>, flight: string): ReadonlyArray<PlannedRecord> =>
    flight === "handshake" ? records.filter((record) => !drop(record)) : records

/** True for a record holding the (encoded) handshake message of `type`. */
const holds = (type: number) => (record: PlannedRecord) =>
  record.type === Wire.ContentType.handshake && record.content[0] === type

const cases: ReadonlyArray<readonly [string, HostileCase]> = [
  [
    "a ServerHello selecting a cipher suite we did not offer: illegal_parameter",
    {
      script: tlsServer({ server: { suite: CipherSuite.TLS_AES_256_GCM_SHA384 } }),
      options: { cipherSuites: ["TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"] },
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "a ServerHello with a key share for a group we did not offer: illegal_parameter",
    {
      script: tlsServer({
        server: {
          hooks: {
            message: rewrite("ServerHello", (m) => ({
              ...m,
              extensions: m.extensions.map((e) =>
                e._tag === "KeyShareServerHello" ? { ...e, share: { ...e.share, group: NamedGroup.secp384r1 } } : e,
              ),
            })),
          },
        },
      }),
      options: { groups: ["x25519", "secp256r1"] },
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "a ServerHello selecting TLS 1.2 in supported_versions (we offered only 1.3): illegal_parameter",
    {
      script: tlsServer({
        server: {
          hooks: {
            message: rewrite("ServerHello", (m) => ({
              ...m,
              extensions: m.extensions.map((e) =>
                e._tag === "SelectedVersion" ? { ...e, version: ProtocolVersion.TLSv1_2 } : e,
              ),
            })),
          },
        },
      }),
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "a ServerHello selecting a version that does not exist (0x0305): illegal_parameter",
    {
      script: tlsServer({
        server: {
          hooks: {
            message: rewrite("ServerHello", (m) => ({
              ...m,
              extensions: m.extensions.map((e) => (e._tag === "SelectedVersion" ? { ...e, version: 0x0305 } : e)),
            })),
          },
        },
      }),
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "a TLS 1.2 ServerHello (no supported_versions): protocol_version",
    {
      script: tlsServer({
        server: {
          hooks: {
            message: rewrite("ServerHello", (m) => ({
              ...m,
              extensions: m.extensions.filter((e) => e._tag !== "SelectedVersion"),
            })),
          },
        },
      }),
      expected: alertSent("protocol_version"),
      sent: ["protocol_version"],
      withinMs: quick,
    },
  ],
  [
    "a legacy_session_id that is not ours echoed: illegal_parameter",
    {
      script: tlsServer({
        server: {
          hooks: {
            message: rewrite("ServerHello", (m) => ({ ...m, legacySessionIdEcho: flip(m.legacySessionIdEcho) })),
          },
        },
      }),
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "a second HelloRetryRequest: unexpected_message",
    {
      script: tlsServer({
        server: {
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
        },
      }),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "a HelloRetryRequest that would change nothing: illegal_parameter",
    {
      script: tlsServer({ server: { helloRetry: {} } }),
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "a HelloRetryRequest asking for the group we already sent a share for: illegal_parameter",
    {
      script: tlsServer({ server: { helloRetry: { group: "x25519" } } }),
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "a HelloRetryRequest asking for a group we did not offer: illegal_parameter",
    {
      script: tlsServer({ server: { helloRetry: { group: "secp384r1" } } }),
      options: { groups: ["x25519", "secp256r1"] },
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "an extension that does not belong in the ServerHello (server_name): illegal_parameter",
    {
      script: tlsServer({
        server: {
          hooks: {
            message: rewrite("ServerHello", (m) => ({
              ...m,
              extensions: [...m.extensions, { _tag: "Unknown", type: 0, data: new Uint8Array(0) }],
            })),
          },
        },
      }),
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "an extension that does not belong in EncryptedExtensions (key_share): illegal_parameter",
    {
      script: tlsServer({
        server: {
          hooks: {
            message: rewrite("EncryptedExtensions", (m) => ({
              ...m,
              extensions: [...m.extensions, { _tag: "Unknown", type: 51, data: Uint8Array.of(0, 0x1d) }],
            })),
          },
        },
      }),
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "a duplicated ServerHello extension: illegal_parameter",
    {
      script: tlsServer({
        server: {
          hooks: {
            message: rewrite("ServerHello", (m) => ({ ...m, extensions: [...m.extensions, m.extensions[0]!] })),
          },
        },
      }),
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "a duplicated EncryptedExtensions extension (ALPN twice): illegal_parameter",
    {
      script: tlsServer({
        server: {
          alpn: "h2",
          hooks: {
            message: rewrite("EncryptedExtensions", (m) => ({ ...m, extensions: [...m.extensions, ...m.extensions] })),
          },
        },
      }),
      options: { alpn: ["h2"] },
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "an ALPN protocol we did not offer: unsupported_extension",
    {
      script: tlsServer({ server: { alpn: "h2" } }),
      expected: alertSent("unsupported_extension"),
      sent: ["unsupported_extension"],
      withinMs: quick,
    },
  ],
  [
    "a Finished with a wrong MAC: decrypt_error",
    {
      script: tlsServer({
        server: { hooks: { message: rewrite("Finished", (m) => ({ ...m, verifyData: flip(m.verifyData) })) } },
      }),
      expected: alertSent("decrypt_error"),
      sent: ["decrypt_error"],
      withinMs: quick,
    },
  ],
  [
    "a CertificateVerify that does not verify (ECDSA P-256): decrypt_error",
    {
      script: tlsServer({
        server: {
          identity: identity("p256"),
          hooks: { message: rewrite("CertificateVerify", (m) => ({ ...m, signature: flip(m.signature, 12) })) },
        },
      }),
      expected: alertSent("decrypt_error"),
      sent: ["decrypt_error"],
      withinMs: quick,
    },
  ],
  [
    "a CertificateVerify with a scheme that does not fit the certificate's key: illegal_parameter",
    {
      script: tlsServer({
        server: {
          hooks: {
            message: rewrite("CertificateVerify", (m) => ({
              ...m,
              algorithm: Wire.SignatureScheme.ecdsa_secp256r1_sha256,
            })),
          },
        },
      }),
      expected: alertSent("illegal_parameter"),
      sent: ["illegal_parameter"],
      withinMs: quick,
    },
  ],
  [
    "an empty Certificate: decode_error",
    {
      script: tlsServer({ server: { hooks: { message: rewrite("Certificate", (m) => ({ ...m, entries: [] })) } } }),
      expected: alertSent("decode_error"),
      sent: ["decode_error"],
      withinMs: quick,
    },
  ],
  [
    "a leaf certificate that is not DER (insecure mode still needs its key): bad_certificate",
    {
      script: tlsServer({
        server: {
          hooks: {
            message: rewrite("Certificate", (m) => ({
              ...m,
              entries: [{ certData: new Uint8Array(300).fill(0x30), extensions: [] }],
            })),
          },
        },
      }),
      expected: alertSent("bad_certificate"),
      sent: ["bad_certificate"],
      withinMs: quick,
    },
  ],
  [
    "no Certificate (CertificateVerify right after EncryptedExtensions): unexpected_message",
    {
      script: tlsServer({ server: { hooks: { records: dropRecords(holds(HandshakeType.certificate)) } } }),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "no CertificateVerify (Finished right after Certificate): unexpected_message",
    {
      script: tlsServer({ server: { hooks: { records: dropRecords(holds(HandshakeType.certificate_verify)) } } }),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "a NewSessionTicket in the middle of the handshake: unexpected_message",
    {
      script: tlsServer({
        server: {
          hooks: {
            records: insertRecords(
              "handshake",
              2,
              handshakeRecord(
                {
                  _tag: "NewSessionTicket",
                  ticketLifetime: 60,
                  ticketAgeAdd: 1,
                  ticketNonce: Uint8Array.of(0),
                  ticket: Uint8Array.of(1, 2, 3),
                  extensions: [],
                },
                "handshake",
              ),
            ),
          },
        },
      }),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "a KeyUpdate before the server's Finished: unexpected_message",
    {
      script: tlsServer({
        server: {
          hooks: {
            records: insertRecords(
              "handshake",
              -1,
              handshakeRecord({ _tag: "KeyUpdate", updateRequested: false }, "handshake"),
            ),
          },
        },
      }),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "a server that reflects our own ClientHello: unexpected_message",
    {
      script: answer((hello) => hello),
      expected: alertSent("unexpected_message"),
      sent: ["unexpected_message"],
      withinMs: quick,
    },
  ],
  [
    "a ServerHello whose body is cut short (its length field agrees): decode_error",
    {
      script: tlsServer({
        server: {
          hooks: {
            records: (records, flight) =>
              flight !== "handshake"
                ? records
                : records.map((record, i) => {
                    if (i !== 0) return record
                    const cut = record.content.subarray(0, 4 + 40)
                    const body = cut.length - 4
                    return {
                      ...record,
                      content: concatBytes(Uint8Array.of(cut[0]!, 0, body >> 8, body & 0xff), cut.subarray(4)),
                    }
                  }),
          },
        },
      }),
      expected: alertSent("decode_error"),
      sent: ["decode_error"],
      withinMs: quick,
    },
  ],
  [
    "a Finished cut short (12 of 32 bytes, its length field agrees): decode_error",
    {
      script: tlsServer({
        server: {
          hooks: { message: rewrite("Finished", (m) => ({ ...m, verifyData: m.verifyData.subarray(0, 12) })) },
        },
      }),
      expected: alertSent("decode_error"),
      sent: ["decode_error"],
      withinMs: quick,
    },
  ],
]

describe("hostile handshake messages over TCP", () => {
  for (const [name, c] of cases) it.live(name, () => hostile(c), 10_000)

  it.live(
    "verification on: an unknown issuer is Certificate UnknownIssuer (unknown_ca), a wrong name HostnameMismatch (bad_certificate), the right anchor and name pass",
    () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        const leaf = pki.leaves.ed25519
        const server = {
          identity: { certificate: leaf.certDer, pkcs8: leaf.keyDer, scheme: Wire.SignatureScheme.ed25519 },
        }
        yield* hostile({
          script: tlsServer({ server }),
          options: { insecure: false, ca: pki.clientCa.certPem, serverName: "localhost" },
          expected: { _tag: "Fatal", reason: "Certificate", code: "UnknownIssuer" },
          sent: ["unknown_ca"],
          withinMs: quick,
        })
        yield* hostile({
          script: tlsServer({ server }),
          options: { insecure: false, ca: pki.intermediate.certPem, serverName: "wrong-host.example" },
          expected: { _tag: "Fatal", reason: "Certificate", code: "HostnameMismatch" },
          sent: ["bad_certificate"],
          withinMs: quick,
        })
        yield* hostile({
          script: tlsServer({ server }),
          options: { insecure: false, ca: pki.intermediate.certPem, serverName: "localhost" },
          expected: "success",
          sent: ["close_notify"],
          withinMs: quick,
        })
      }),
    20_000,
  )
})
