/**
 * Every phase of the client fed every handshake message type (RFC 8446 section 4, plus an
 * unknown type): each message the phase does not take ends in unexpected_message. Each
 * phase is reached by a real handshake with the scripted server, stopped there: the
 * message is inserted into the server's flight at that point (protected as the records
 * around it), the records before it are delivered one by one, the phase is checked, and
 * then the message arrives. After close_notify every message is ignored (RFC 8446 section 6.1).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { defaultConfig } from "../../src/handshake/config.js"
import type { Phase } from "../../src/handshake/state.js"
import { AlertDescription, HandshakeType, ProtocolVersion, SignatureScheme } from "../../src/wire/codes.js"
import { encodeHandshake } from "../../src/wire/handshake.js"
import { expectAlertSent } from "../server/expect.js"
import { frames } from "../server/frames.js"
import { handshakeRecord, insertRecords } from "../server/hooks.js"
import { identity } from "../server/identity.js"
import type { Protection, ServerOptions } from "../server/options.js"
import { clientLayer, Pair } from "../server/pair.js"

const empty = new Uint8Array(0)

/** One well-formed message of every handshake type, and one of an unknown type (99). */
const messages: ReadonlyArray<{ readonly name: string; readonly type: number; readonly bytes: Uint8Array }> = [
  {
    name: "client_hello",
    type: HandshakeType.client_hello,
    bytes: encodeHandshake({
      _tag: "ClientHello",
      legacyVersion: ProtocolVersion.TLSv1_2,
      random: new Uint8Array(32),
      legacySessionId: empty,
      cipherSuites: [0x1301],
      extensions: [
        { _tag: "SupportedVersions", versions: [ProtocolVersion.TLSv1_3] },
        { _tag: "SupportedGroups", groups: [0x001d] },
      ],
    }),
  },
  {
    name: "server_hello",
    type: HandshakeType.server_hello,
    bytes: encodeHandshake({
      _tag: "ServerHello",
      legacyVersion: ProtocolVersion.TLSv1_2,
      random: new Uint8Array(32).fill(1),
      legacySessionIdEcho: empty,
      cipherSuite: 0x1301,
      extensions: [
        { _tag: "SelectedVersion", version: ProtocolVersion.TLSv1_3 },
        { _tag: "KeyShareServerHello", share: { group: 0x001d, keyExchange: new Uint8Array(32).fill(9) } },
      ],
    }),
  },
  {
    name: "new_session_ticket",
    type: HandshakeType.new_session_ticket,
    bytes: encodeHandshake({
      _tag: "NewSessionTicket",
      ticketLifetime: 60,
      ticketAgeAdd: 1,
      ticketNonce: Uint8Array.of(0),
      ticket: Uint8Array.of(1, 2, 3),
      extensions: [],
    }),
  },
  {
    name: "end_of_early_data",
    type: HandshakeType.end_of_early_data,
    bytes: encodeHandshake({ _tag: "EndOfEarlyData" }),
  },
  {
    name: "encrypted_extensions",
    type: HandshakeType.encrypted_extensions,
    bytes: encodeHandshake({ _tag: "EncryptedExtensions", extensions: [] }),
  },
  {
    name: "certificate",
    type: HandshakeType.certificate,
    bytes: encodeHandshake({
      _tag: "Certificate",
      requestContext: empty,
      entries: [{ certData: identity("ed25519").certificate, extensions: [] }],
    }),
  },
  {
    name: "certificate_request",
    type: HandshakeType.certificate_request,
    bytes: encodeHandshake({
      _tag: "CertificateRequest",
      requestContext: empty,
      extensions: [{ _tag: "SignatureAlgorithms", schemes: [SignatureScheme.ed25519] }],
    }),
  },
  {
    name: "certificate_verify",
    type: HandshakeType.certificate_verify,
    bytes: encodeHandshake({
      _tag: "CertificateVerify",
      algorithm: SignatureScheme.ed25519,
      signature: new Uint8Array(64),
    }),
  },
  {
    name: "finished",
    type: HandshakeType.finished,
    bytes: encodeHandshake({ _tag: "Finished", verifyData: new Uint8Array(32) }),
  },
  {
    name: "key_update",
    type: HandshakeType.key_update,
    bytes: encodeHandshake({ _tag: "KeyUpdate", updateRequested: false }),
  },
  {
    name: "message_hash",
    type: HandshakeType.message_hash,
    bytes: encodeHandshake({ _tag: "MessageHash", hash: new Uint8Array(32) }),
  },
  { name: "unknown type 99", type: 99, bytes: Uint8Array.of(99, 0, 0, 0) },
]

/** How each handshake phase is reached: server options, and where in its flight the message goes. */
interface HandshakePhase {
  readonly label: string
  readonly phase: Phase["_tag"]
  /** The message types RFC 8446 lets this phase take. */
  readonly takes: ReadonlyArray<number>
  readonly options: ServerOptions
  /** Index in the handshake flight (one record per message: ServerHello, EncryptedExtensions, ...). */
  readonly at: number
  readonly keys: Protection
}

const handshakePhases: ReadonlyArray<HandshakePhase> = [
  {
    label: "ExpectServerHello",
    phase: "ExpectServerHello",
    takes: [HandshakeType.server_hello],
    options: {},
    at: 0,
    keys: "plaintext",
  },
  {
    label: "ExpectServerHello after a HelloRetryRequest",
    phase: "ExpectServerHello",
    takes: [HandshakeType.server_hello],
    options: { helloRetry: { group: "secp256r1" } },
    at: 0,
    keys: "plaintext",
  },
  {
    label: "ExpectEncryptedExtensions",
    phase: "ExpectEncryptedExtensions",
    takes: [HandshakeType.encrypted_extensions],
    options: {},
    at: 1,
    keys: "handshake",
  },
  {
    label: "ExpectCertificateOrRequest",
    phase: "ExpectCertificateOrRequest",
    takes: [HandshakeType.certificate, HandshakeType.certificate_request],
    options: {},
    at: 2,
    keys: "handshake",
  },
  {
    label: "ExpectCertificate (after a CertificateRequest)",
    phase: "ExpectCertificate",
    takes: [HandshakeType.certificate],
    options: { certificateRequest: [SignatureScheme.ed25519] },
    at: 3,
    keys: "handshake",
  },
  {
    label: "ExpectCertificateVerify",
    phase: "ExpectCertificateVerify",
    takes: [HandshakeType.certificate_verify],
    options: {},
    at: 3,
    keys: "handshake",
  },
  {
    label: "ExpectFinished",
    phase: "ExpectFinished",
    takes: [HandshakeType.finished],
    options: {},
    at: 4,
    keys: "handshake",
  },
]

/** Phases after the handshake and what they take. */
const laterPhases: Readonly<Record<"Established" | "Closed", ReadonlyArray<number>>> = {
  Established: [HandshakeType.new_session_ticket, HandshakeType.key_update],
  Closed: [],
}

/** Every phase of the state machine is covered (a missing one fails to compile). */
const covered: Readonly<Record<Phase["_tag"], true>> = {
  ExpectServerHello: true,
  ExpectEncryptedExtensions: true,
  ExpectCertificateOrRequest: true,
  ExpectCertificate: true,
  ExpectCertificateVerify: true,
  ExpectFinished: true,
  Established: true,
  Closed: true,
}

const config = defaultConfig("scripted.test")

/** Runs the handshake until `phase`, then gives the client `message`: unexpected_message. */
const unexpectedIn = (phase: HandshakePhase, message: Uint8Array) =>
  Effect.gen(function* () {
    const pair = yield* Pair.start(config, {
      ...phase.options,
      hooks: { records: insertRecords("handshake", phase.at, handshakeRecord(message, phase.keys)) },
    })
    let flight = yield* pair.flight()
    if (phase.options.helloRetry !== undefined) {
      yield* pair.receive(flight)
      flight = yield* pair.flight()
    }
    const records = frames(flight)
    for (const record of records.slice(0, phase.at)) yield* pair.receive(record.bytes)
    expect(pair.state.phase._tag).toBe(phase.phase)
    if (phase.options.helloRetry !== undefined) {
      expect(pair.state.phase).toMatchObject({ retrySuite: 0x1301 })
    }
    yield* expectAlertSent(pair.receive(records[phase.at]!.bytes), AlertDescription.unexpected_message)
  }).pipe(Effect.provide(clientLayer()))

describe("transitions: every phase fed every handshake message type", () => {
  it("the phases below are every phase of the state machine", () => {
    expect(Object.keys(covered).sort()).toEqual(
      [...new Set([...handshakePhases.map((p) => p.phase), ...Object.keys(laterPhases)])].sort(),
    )
  })

  for (const phase of handshakePhases) {
    describe(phase.label, () => {
      for (const message of messages.filter((m) => !phase.takes.includes(m.type))) {
        it.effect(`${message.name}: unexpected_message`, () => unexpectedIn(phase, message.bytes))
      }
    })
  }

  describe("Established", () => {
    for (const message of messages.filter((m) => !laterPhases.Established.includes(m.type))) {
      it.effect(`${message.name}: unexpected_message`, () =>
        Effect.gen(function* () {
          const pair = yield* Pair.connect(config)
          expect(pair.state.phase._tag).toBe("Established")
          yield* expectAlertSent(
            Effect.flatMap(pair.server.handshakeBytes(message.bytes), (bytes) => pair.receive(bytes)),
            AlertDescription.unexpected_message,
          )
        }).pipe(Effect.provide(clientLayer())),
      )
    }
  })

  it.effect("Closed: every message type after close_notify is ignored", () =>
    Effect.gen(function* () {
      const pair = yield* Pair.connect(config)
      yield* pair.receive(yield* pair.server.close())
      expect(pair.state.phase._tag).toBe("Closed")
      for (const message of messages) {
        const outputs = yield* pair.receive(yield* pair.server.handshakeBytes(message.bytes))
        expect(outputs).toEqual([])
        expect(pair.state.phase._tag).toBe("Closed")
      }
    }).pipe(Effect.provide(clientLayer())),
  )
})
