/**
 * A tiny scripted TLS 1.3 server for tests (not shipped), sans-IO like the client: `receive`
 * takes the client's bytes and returns the server's answer; the other methods make what a
 * server sends after the handshake. It is built on the library's codecs, key schedule and
 * record protection, with a deterministic crypto service of its own (node:crypto under a
 * seeded random source), so it needs no layer and never shares the client's random draws.
 * It does what `ServerOptions` say, offered by the client or not, and its hooks make it
 * misbehave. What it receives is kept for assertions.
 */
import { type CryptoError, concatBytes, type SigningKey, TlsCrypto, type TlsCryptoService } from "@effect-tls/crypto"
import { makeNodeCrypto } from "@effect-tls/crypto/node"
import { scriptedRandom } from "@effect-tls/crypto/testing"
import { Effect, Either } from "effect"
import { certificateVerifyScheme } from "../../src/crypto/signatureSchemes.js"
import type { Tls13Suite } from "../../src/crypto/suites.js"
import type { Fatal } from "../../src/errors.js"
import { equalBytes } from "../../src/handshake/context.js"
import { certificateVerifyContent } from "../../src/handshake/serverAuth.js"
import {
  EarlySecret,
  type HandshakeSecret,
  type MasterSecret,
  nextTrafficSecret,
  type ResumptionMasterSecret,
  verifyData,
} from "../../src/keyschedule/keySchedule.js"
import { PendingTranscript, type Transcript } from "../../src/keyschedule/transcript.js"
import { protectorFor, unprotectorFor } from "../../src/record/fromTrafficSecret.js"
import { type Alert, decodeAlert, encodeAlert } from "../../src/wire/alert.js"
import { AlertDescription, AlertLevel, ContentType } from "../../src/wire/codes.js"
import { type ClientHello, decodeHandshake, encodeHandshake, type Handshake } from "../../src/wire/handshake.js"
import { DecodeError } from "../../src/wire/reader.js"
import type { HandshakeMessage } from "../../src/wire/reassembler.js"
import { MAX_PLAINTEXT_LENGTH } from "../../src/wire/record.js"
import { parseCertificate } from "../../src/x509/certificate.js"
import { changeCipherSpecRecord } from "./hooks.js"
import { type Identity, identity } from "./identity.js"
import {
  certificate,
  certificateRequest,
  chooseGroup,
  chooseSuite,
  encryptedExtensions,
  helloRetryRequest,
  newSessionTicket,
  serverHello,
} from "./messages.js"
import type { FlightName, PlannedRecord, ServerOptions } from "./options.js"
import { ServerError, ServerRecordLayer } from "./recordLayer.js"

const encoder = new TextEncoder()
const serverContext = encoder.encode("TLS 1.3, server CertificateVerify")
const clientContext = encoder.encode("TLS 1.3, client CertificateVerify")
const nothing = new Uint8Array(0)

const fail = (detail: string) => Effect.fail(new ServerError({ detail }))

/** The keys of the handshake in progress, once the ServerHello is out. */
interface Keys {
  readonly suite: Tls13Suite
  readonly secrets: HandshakeSecret
  readonly master: MasterSecret
}

type Phase = "ClientHello" | "SecondClientHello" | "ClientFinished" | "Established" | "Closed"

/** The scripted server. Make one with `ScriptedServer.make`. */
export class ScriptedServer {
  /** What the server received, in order: message tags, "ChangeCipherSpec", "ApplicationData", "Alert". */
  readonly log: Array<string> = []
  readonly clientHellos: Array<ClientHello> = []
  readonly applicationData: Array<Uint8Array> = []
  readonly alerts: Array<Alert> = []
  /** The client's certificate chain, when it answered a CertificateRequest. */
  clientCertificates: ReadonlyArray<Uint8Array> | undefined = undefined
  /** The client's CertificateVerify verified. */
  clientCertificateVerified = false
  /** The PSK of each NewSessionTicket sent, in order. */
  readonly ticketPsks: Array<Uint8Array> = []
  /** The current application traffic secrets (they move on with KeyUpdate). */
  clientTrafficSecret: Uint8Array | undefined = undefined
  serverTrafficSecret: Uint8Array | undefined = undefined

  private readonly layer = new ServerRecordLayer()
  private phase: Phase = "ClientHello"
  private transcript: PendingTranscript | Transcript = PendingTranscript.empty
  private suite: Tls13Suite | undefined = undefined
  private keys: Keys | undefined = undefined
  private resumption: ResumptionMasterSecret | undefined = undefined

  private constructor(
    private readonly crypto: TlsCryptoService,
    readonly options: ServerOptions,
    readonly identity: Identity,
    private readonly key: SigningKey,
  ) {}

  /** A server that does what `options` say. */
  static make(options: ServerOptions = {}): Effect.Effect<ScriptedServer, ServerError> {
    const crypto = makeNodeCrypto(scriptedRandom({ seed: "scripted server" }))
    const id = options.identity ?? identity("ed25519")
    return Effect.map(
      Effect.mapError(crypto.importSigningKey(id.pkcs8), (e) => new ServerError({ detail: e.message })),
      (key) => new ScriptedServer(crypto, options, id, key),
    )
  }

  /** Takes bytes from the client (any amount) and returns the server's answer (maybe empty). */
  receive(bytes: Uint8Array): Effect.Effect<Uint8Array, ServerError> {
    return this.run(
      Effect.gen(this, function* () {
        const replies: Array<Uint8Array> = []
        this.layer.deframer.push(bytes)
        for (;;) {
          const record = this.layer.deframer.next()
          if (record === undefined) return concatBytes(...replies)
          if (record instanceof DecodeError) return yield* fail(record.detail)
          const { type, content } = yield* this.layer.open(record)
          replies.push(yield* this.onRecord(type, content))
        }
      }),
    )
  }

  /** Application data, in records the client accepts. */
  send(data: Uint8Array): Effect.Effect<Uint8Array, ServerError> {
    return this.run(this.flight(this.layer.plan(ContentType.application_data, data, "application"), "post"))
  }

  /** A KeyUpdate (asking the client to update too when `requested`); later records use the next key. */
  keyUpdate(requested: boolean): Effect.Effect<Uint8Array, ServerError> {
    return this.run(this.updateWriteKey(requested))
  }

  /** A NewSessionTicket; its PSK is added to `ticketPsks`. */
  ticket(): Effect.Effect<Uint8Array, ServerError> {
    return this.run(Effect.flatMap(this.ticketRecords(), (records) => this.flight(records, "post")))
  }

  /** An alert under the keys in use (plaintext before the ServerHello). */
  alert(description: number, level: number = AlertLevel.fatal): Effect.Effect<Uint8Array, ServerError> {
    const records = this.layer.plan(ContentType.alert, encodeAlert({ level, description }), this.layer.current)
    return this.run(this.flight(records, "post"))
  }

  /** close_notify. */
  close(): Effect.Effect<Uint8Array, ServerError> {
    return this.alert(AlertDescription.close_notify, AlertLevel.warning)
  }

  /** Encoded handshake bytes (any, even malformed) under the keys in use. */
  handshakeBytes(bytes: Uint8Array): Effect.Effect<Uint8Array, ServerError> {
    return this.records(this.layer.plan(ContentType.handshake, bytes, this.layer.current))
  }

  /** Any records, protected as each one says. */
  records(records: ReadonlyArray<PlannedRecord>): Effect.Effect<Uint8Array, ServerError> {
    return this.run(this.flight(records, "post"))
  }

  private run<A>(effect: Effect.Effect<A, CryptoError | Fatal | ServerError, TlsCrypto>) {
    return effect.pipe(
      Effect.provideService(TlsCrypto, this.crypto),
      Effect.mapError((e) => (e._tag === "ServerError" ? e : new ServerError({ detail: e.message }))),
    )
  }

  /** The hooks applied: records rewritten, protected, bytes rewritten. */
  private flight(records: ReadonlyArray<PlannedRecord>, name: FlightName) {
    const hooks = this.options.hooks
    return Effect.map(this.layer.seal(hooks?.records?.(records, name) ?? records), (bytes) =>
      hooks?.wire === undefined ? bytes : hooks.wire(bytes, name),
    )
  }

  /** A message as sent (after the message hook), header included. */
  private encode(message: Handshake): Uint8Array {
    return encodeHandshake(this.options.hooks?.message?.(message, this.clientHellos) ?? message)
  }

  private onRecord(type: number, content: Uint8Array) {
    return Effect.gen(this, function* () {
      switch (type) {
        case ContentType.change_cipher_spec:
          this.log.push("ChangeCipherSpec")
          return nothing
        case ContentType.alert: {
          const alert = decodeAlert(content)
          if (Either.isLeft(alert)) return yield* fail(alert.left.detail)
          this.log.push("Alert")
          this.alerts.push(alert.right)
          if (alert.right.description === AlertDescription.close_notify) this.phase = "Closed"
          return nothing
        }
        case ContentType.application_data:
          if (this.phase !== "Established") return yield* fail(`application data in phase ${this.phase}`)
          this.log.push("ApplicationData")
          this.applicationData.push(content.slice())
          return nothing
        case ContentType.handshake: {
          this.layer.reassembler.push(content)
          const replies: Array<Uint8Array> = []
          for (;;) {
            const message = this.layer.reassembler.next()
            if (message === undefined) return concatBytes(...replies)
            if (message instanceof DecodeError) return yield* fail(message.detail)
            replies.push(yield* this.onMessage(message))
          }
        }
        default:
          return yield* fail(`record of type ${type}`)
      }
    })
  }

  private onMessage(message: HandshakeMessage) {
    return Effect.gen(this, function* () {
      const decoded = decodeHandshake(message.type, message.body)
      if (Either.isLeft(decoded)) return yield* fail(decoded.left.detail)
      const handshake = decoded.right
      this.log.push(handshake._tag)
      if ((this.phase === "ClientHello" || this.phase === "SecondClientHello") && handshake._tag === "ClientHello") {
        return yield* this.onClientHello(handshake, message.raw)
      }
      if (this.phase === "ClientFinished") return yield* this.onClientFlight(handshake, message.raw)
      if (this.phase === "Established" && handshake._tag === "KeyUpdate") {
        this.clientTrafficSecret = yield* nextTrafficSecret(this.keys!.suite.hash, this.clientTrafficSecret!)
        this.layer.reader = yield* unprotectorFor(this.keys!.suite, this.clientTrafficSecret)
        return handshake.updateRequested ? yield* this.updateWriteKey(false) : nothing
      }
      return yield* fail(`unexpected ${handshake._tag} in phase ${this.phase}`)
    })
  }

  private onClientHello(hello: ClientHello, raw: Uint8Array) {
    return Effect.gen(this, function* () {
      this.clientHellos.push(hello)
      const limit = hello.extensions.find((e) => e._tag === "RecordSizeLimit")?.limit
      this.layer.maxFragment = limit === undefined ? MAX_PLAINTEXT_LENGTH : Math.min(MAX_PLAINTEXT_LENGTH, limit - 1)
      const retry = this.options.helloRetry
      if (this.phase === "SecondClientHello") {
        return yield* this.handshakeFlight(hello, this.suite!, (this.transcript as Transcript).add(raw))
      }
      const suite = chooseSuite(hello, this.options)
      if (suite === undefined) return yield* fail("no TLS 1.3 suite to select")
      const crypto = yield* TlsCrypto
      const pending = (this.transcript as PendingTranscript).add(raw)
      if (retry === undefined) {
        return yield* this.handshakeFlight(hello, suite, pending.start(crypto.hasher(suite.hash)))
      }
      const hrr = this.encode(helloRetryRequest(hello, suite, retry))
      this.phase = "SecondClientHello"
      this.suite = suite
      this.transcript = pending.startAfterHelloRetry(crypto.hasher(suite.hash)).add(hrr)
      const records = this.layer.plan(ContentType.handshake, hrr, "plaintext")
      return yield* this.flight(this.options.middleboxCcs ? [...records, changeCipherSpecRecord()] : records, "retry")
    })
  }

  /** ServerHello to Finished, and the keys for what follows. */
  private handshakeFlight(hello: ClientHello, suite: Tls13Suite, start: Transcript) {
    return Effect.gen(this, function* () {
      const crypto = yield* TlsCrypto
      const { group, clientShare } = chooseGroup(hello, this.options)
      if (group === undefined || clientShare === undefined) {
        return yield* fail(`the ClientHello has no key share for ${group ?? "any group we implement"}`)
      }
      const share = yield* crypto.generateKeyShare(group)
      const shared = yield* share.agree(clientShare)
      const random = yield* crypto.randomBytes(32, { _tag: "Other", label: "server random" })
      let transcript = start
      const records: Array<PlannedRecord> = []
      const send = (message: Handshake, keys: PlannedRecord["keys"]) => {
        const encoded = this.encode(message)
        transcript = transcript.add(encoded)
        records.push(...this.layer.plan(ContentType.handshake, encoded, keys))
      }
      send(serverHello(hello, suite, random, group, share.publicKey), "plaintext")
      if (this.options.middleboxCcs && this.phase === "ClientHello") records.push(changeCipherSpecRecord())
      const secrets = yield* (yield* EarlySecret.make(suite.hash)).handshake(shared, transcript.hash())
      this.layer.handshakeWriter = yield* protectorFor(suite, secrets.serverHandshakeTrafficSecret)
      this.layer.reader = yield* unprotectorFor(suite, secrets.clientHandshakeTrafficSecret)
      send(encryptedExtensions(this.options), "handshake")
      const requested = this.options.certificateRequest
      if (requested !== undefined) send(certificateRequest(requested), "handshake")
      send(certificate(this.identity), "handshake")
      const scheme = certificateVerifyScheme(this.identity.scheme)!
      const signature = yield* this.key.sign(
        scheme.algorithm,
        certificateVerifyContent(serverContext, transcript.hash()),
      )
      send({ _tag: "CertificateVerify", algorithm: scheme.code, signature }, "handshake")
      const finished = yield* verifyData(suite.hash, secrets.serverHandshakeTrafficSecret, transcript.hash())
      send({ _tag: "Finished", verifyData: finished }, "handshake")
      const master = yield* secrets.master(transcript.hash())
      this.serverTrafficSecret = master.serverApplicationTrafficSecret
      this.layer.applicationWriter = yield* protectorFor(suite, this.serverTrafficSecret)
      this.keys = { suite, secrets, master }
      this.transcript = transcript
      this.phase = "ClientFinished"
      return yield* this.flight(records, "handshake")
    })
  }

  /** The client's second flight: Certificate and CertificateVerify when asked for, then Finished. */
  private onClientFlight(message: Handshake, raw: Uint8Array) {
    return Effect.gen(this, function* () {
      const { suite, secrets, master } = this.keys!
      const transcript = this.transcript as Transcript
      this.transcript = transcript.add(raw)
      switch (message._tag) {
        case "Certificate":
          this.clientCertificates = message.entries.map((entry) => entry.certData.slice())
          return nothing
        case "CertificateVerify": {
          const leaf = this.clientCertificates?.[0]
          const scheme = certificateVerifyScheme(message.algorithm)
          if (leaf === undefined || scheme === undefined) return yield* fail("unexpected client CertificateVerify")
          const parsed = parseCertificate(leaf)
          if (Either.isLeft(parsed)) return yield* fail(parsed.left.message)
          const crypto = yield* TlsCrypto
          yield* crypto.verify({
            spki: parsed.right.spki,
            algorithm: scheme.algorithm,
            message: certificateVerifyContent(clientContext, transcript.hash()),
            signature: message.signature,
          })
          this.clientCertificateVerified = true
          return nothing
        }
        case "Finished": {
          const expected = yield* verifyData(suite.hash, secrets.clientHandshakeTrafficSecret, transcript.hash())
          if (!equalBytes(expected, message.verifyData)) return yield* fail("the client's Finished does not verify")
          this.resumption = yield* master.resumption((this.transcript as Transcript).hash())
          this.clientTrafficSecret = master.clientApplicationTrafficSecret
          this.layer.reader = yield* unprotectorFor(suite, this.clientTrafficSecret)
          this.phase = "Established"
          const records: Array<PlannedRecord> = []
          for (let i = 0; i < (this.options.tickets ?? 0); i++) records.push(...(yield* this.ticketRecords()))
          return records.length === 0 ? nothing : yield* this.flight(records, "tickets")
        }
        default:
          return yield* fail(`unexpected ${message._tag} before the client's Finished`)
      }
    })
  }

  private ticketRecords() {
    return Effect.gen(this, function* () {
      if (this.resumption === undefined) return yield* fail("no resumption secret before the client's Finished")
      const crypto = yield* TlsCrypto
      const message = newSessionTicket(
        this.ticketPsks.length,
        yield* crypto.randomBytes(16, { _tag: "Other", label: "ticket" }),
      )
      this.ticketPsks.push(yield* this.resumption.resumptionPsk(message.ticketNonce))
      const encoded = this.encode(message)
      return this.layer.plan(ContentType.handshake, encoded, "application")
    })
  }

  /** A KeyUpdate under the current key, then the next server traffic secret. */
  private updateWriteKey(requested: boolean) {
    return Effect.gen(this, function* () {
      const suite = this.keys?.suite
      if (suite === undefined || this.serverTrafficSecret === undefined) return yield* fail("no traffic keys yet")
      const message = this.encode({ _tag: "KeyUpdate", updateRequested: requested })
      const bytes = yield* this.flight(this.layer.plan(ContentType.handshake, message, "application"), "post")
      this.serverTrafficSecret = yield* nextTrafficSecret(suite.hash, this.serverTrafficSecret)
      this.layer.applicationWriter = yield* protectorFor(suite, this.serverTrafficSecret)
      return bytes
    })
  }
}
