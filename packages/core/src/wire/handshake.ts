/**
 * The TLS 1.3 handshake messages a client sends or receives (RFC 8446 section 4), as a
 * tagged union of plain readonly objects, with `encodeHandshake` (4-byte header included)
 * and `decodeHandshake` (a message body, given its type). Byte fields are subarrays of the
 * decoded input, never copies.
 *
 * @since 0.1.0
 */
import type { Either } from "effect"
import { AlertDescription, HandshakeType, nameOf } from "./codes.js"
import {
  type CertificateEntryExtension,
  type CertificateRequestExtension,
  type ClientHelloExtension,
  type EncryptedExtensionsExtension,
  type HelloRetryRequestExtension,
  type NewSessionTicketExtension,
  readExtensions,
  type ServerHelloExtension,
  writeExtensions,
} from "./extensions.js"
import { type ByteReader, type DecodeError, decodeWith, fail } from "./reader.js"
import { ByteWriter } from "./writer.js"

/** ClientHello (RFC 8446 section 4.1.2); legacy_compression_methods is always `[0]`. @since 0.1.0 */
export interface ClientHello {
  readonly _tag: "ClientHello"
  readonly legacyVersion: number
  readonly random: Uint8Array
  readonly legacySessionId: Uint8Array
  readonly cipherSuites: ReadonlyArray<number>
  readonly extensions: ReadonlyArray<ClientHelloExtension>
}

/** ServerHello (RFC 8446 section 4.1.3); legacy_compression_method is always 0. @since 0.1.0 */
export interface ServerHello {
  readonly _tag: "ServerHello"
  readonly legacyVersion: number
  readonly random: Uint8Array
  readonly legacySessionIdEcho: Uint8Array
  readonly cipherSuite: number
  readonly extensions: ReadonlyArray<ServerHelloExtension>
}

/** HelloRetryRequest: a ServerHello whose random is `helloRetryRequestRandom`. @since 0.1.0 */
export interface HelloRetryRequest {
  readonly _tag: "HelloRetryRequest"
  readonly legacyVersion: number
  readonly legacySessionIdEcho: Uint8Array
  readonly cipherSuite: number
  readonly extensions: ReadonlyArray<HelloRetryRequestExtension>
}

/** EncryptedExtensions (RFC 8446 section 4.3.1). @since 0.1.0 */
export interface EncryptedExtensions {
  readonly _tag: "EncryptedExtensions"
  readonly extensions: ReadonlyArray<EncryptedExtensionsExtension>
}

/** CertificateRequest (RFC 8446 section 4.3.2). @since 0.1.0 */
export interface CertificateRequest {
  readonly _tag: "CertificateRequest"
  readonly requestContext: Uint8Array
  readonly extensions: ReadonlyArray<CertificateRequestExtension>
}

/** One certificate of a Certificate message: DER bytes and its extensions. @since 0.1.0 */
export interface CertificateEntry {
  readonly certData: Uint8Array
  readonly extensions: ReadonlyArray<CertificateEntryExtension>
}

/** Certificate (RFC 8446 section 4.4.2). @since 0.1.0 */
export interface Certificate {
  readonly _tag: "Certificate"
  readonly requestContext: Uint8Array
  readonly entries: ReadonlyArray<CertificateEntry>
}

/** CertificateVerify (RFC 8446 section 4.4.3). @since 0.1.0 */
export interface CertificateVerify {
  readonly _tag: "CertificateVerify"
  readonly algorithm: number
  readonly signature: Uint8Array
}

/**
 * Finished (RFC 8446 section 4.4.4): the whole body. Its length must equal the hash
 * length, which only the caller knows.
 *
 * @since 0.1.0
 */
export interface Finished {
  readonly _tag: "Finished"
  readonly verifyData: Uint8Array
}

/** NewSessionTicket (RFC 8446 section 4.6.1). @since 0.1.0 */
export interface NewSessionTicket {
  readonly _tag: "NewSessionTicket"
  readonly ticketLifetime: number
  readonly ticketAgeAdd: number
  readonly ticketNonce: Uint8Array
  readonly ticket: Uint8Array
  readonly extensions: ReadonlyArray<NewSessionTicketExtension>
}

/** KeyUpdate (RFC 8446 section 4.6.3): whether the peer must update its keys too. @since 0.1.0 */
export interface KeyUpdate {
  readonly _tag: "KeyUpdate"
  readonly updateRequested: boolean
}

/** EndOfEarlyData (RFC 8446 section 4.5; empty). @since 0.1.0 */
export interface EndOfEarlyData {
  readonly _tag: "EndOfEarlyData"
}

/**
 * The synthetic message_hash message that replaces ClientHello1 in the transcript after a
 * HelloRetryRequest (RFC 8446 section 4.4.1); its body is Hash(ClientHello1).
 *
 * @since 0.1.0
 */
export interface MessageHash {
  readonly _tag: "MessageHash"
  readonly hash: Uint8Array
}

/** Every handshake message. @since 0.1.0 */
export type Handshake =
  | ClientHello
  | ServerHello
  | HelloRetryRequest
  | EncryptedExtensions
  | CertificateRequest
  | Certificate
  | CertificateVerify
  | Finished
  | NewSessionTicket
  | KeyUpdate
  | EndOfEarlyData
  | MessageHash

/** Limits applied while decoding. @since 0.1.0 */
export interface HandshakeDecodeOptions {
  /** Most entries accepted in a Certificate message (default 10); more is bad_certificate. */
  readonly maxCertificates?: number
}

/** Default for `HandshakeDecodeOptions.maxCertificates`. @since 0.1.0 */
export const DEFAULT_MAX_CERTIFICATES = 10

// SHA-256("HelloRetryRequest"), RFC 8446 section 4.1.3.
const hrrRandom = Uint8Array.from(
  "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c".match(/../g)!,
  (hex) => Number.parseInt(hex, 16),
)

/**
 * The ServerHello.random that marks a HelloRetryRequest (RFC 8446 section 4.1.3). A copy:
 * changing it changes nothing here.
 *
 * @since 0.1.0
 */
export const helloRetryRequestRandom: Uint8Array = hrrRandom.slice()

const isHelloRetryRequestRandom = (random: Uint8Array): boolean =>
  random.length === hrrRandom.length && random.every((byte, i) => byte === hrrRandom[i])

/**
 * The handshake type (code point) of a message.
 *
 * @since 0.1.0
 */
export const handshakeType = (message: Handshake): number => {
  switch (message._tag) {
    case "ClientHello":
      return HandshakeType.client_hello
    case "ServerHello":
    case "HelloRetryRequest":
      return HandshakeType.server_hello
    case "EncryptedExtensions":
      return HandshakeType.encrypted_extensions
    case "CertificateRequest":
      return HandshakeType.certificate_request
    case "Certificate":
      return HandshakeType.certificate
    case "CertificateVerify":
      return HandshakeType.certificate_verify
    case "Finished":
      return HandshakeType.finished
    case "NewSessionTicket":
      return HandshakeType.new_session_ticket
    case "KeyUpdate":
      return HandshakeType.key_update
    case "EndOfEarlyData":
      return HandshakeType.end_of_early_data
    case "MessageHash":
      return HandshakeType.message_hash
  }
}

// ---------------------------------------------------------------------------------------
// Decoding

const readClientHello = (r: ByteReader): ClientHello => {
  const legacyVersion = r.u16()
  const random = r.bytes(32)
  const legacySessionId = r.vector8(0, 32).rest()
  const suiteList = r.vector16(2, 0xfffe)
  const cipherSuites: Array<number> = []
  while (!suiteList.atEnd()) cipherSuites.push(suiteList.u16())
  const compression = r.vector8(1).rest()
  // RFC 8446 section 4.1.2: a TLS 1.3 ClientHello offers only the null compression method.
  if (compression.length !== 1 || compression[0] !== 0) {
    fail(AlertDescription.illegal_parameter, "ClientHello offers compression methods other than null")
  }
  const extensions = readExtensions(r, "ClientHello", 8)
  return { _tag: "ClientHello", legacyVersion, random, legacySessionId, cipherSuites, extensions }
}

/** ServerHello and HelloRetryRequest share handshake type 2; the random tells them apart. */
const readServerHello = (r: ByteReader): ServerHello | HelloRetryRequest => {
  const legacyVersion = r.u16()
  const random = r.bytes(32)
  const legacySessionIdEcho = r.vector8(0, 32).rest()
  const cipherSuite = r.u16()
  const compression = r.u8()
  if (compression !== 0)
    fail(AlertDescription.illegal_parameter, `ServerHello selects compression method ${compression}`)
  if (isHelloRetryRequestRandom(random)) {
    const extensions = readExtensions(r, "HelloRetryRequest", 6)
    return { _tag: "HelloRetryRequest", legacyVersion, legacySessionIdEcho, cipherSuite, extensions }
  }
  // A TLS 1.2-or-older ServerHello may end here, without an extension block.
  const extensions = r.atEnd() ? [] : readExtensions(r, "ServerHello")
  return { _tag: "ServerHello", legacyVersion, random, legacySessionIdEcho, cipherSuite, extensions }
}

const readCertificate = (r: ByteReader, maxCertificates: number): Certificate => {
  const requestContext = r.vector8().rest()
  const list = r.vector24()
  const entries: Array<CertificateEntry> = []
  while (!list.atEnd()) {
    if (entries.length === maxCertificates) {
      fail(AlertDescription.bad_certificate, `more than ${maxCertificates} certificates in the chain`)
    }
    entries.push({ certData: list.vector24(1).rest(), extensions: readExtensions(list, "Certificate") })
  }
  return { _tag: "Certificate", requestContext, entries }
}

const readNewSessionTicket = (r: ByteReader): NewSessionTicket => ({
  _tag: "NewSessionTicket",
  ticketLifetime: r.u32(),
  ticketAgeAdd: r.u32(),
  ticketNonce: r.vector8().rest(),
  ticket: r.vector16(1).rest(),
  extensions: readExtensions(r, "NewSessionTicket", 0, 0xfffe),
})

const readKeyUpdate = (r: ByteReader): KeyUpdate => {
  const request = r.u8()
  if (request > 1) fail(AlertDescription.illegal_parameter, `KeyUpdate request_update ${request}`)
  return { _tag: "KeyUpdate", updateRequested: request === 1 }
}

const readBody = (type: number, r: ByteReader, options: HandshakeDecodeOptions): Handshake => {
  switch (type) {
    case HandshakeType.client_hello:
      return readClientHello(r)
    case HandshakeType.server_hello:
      return readServerHello(r)
    case HandshakeType.encrypted_extensions:
      return { _tag: "EncryptedExtensions", extensions: readExtensions(r, "EncryptedExtensions") }
    case HandshakeType.certificate_request:
      return {
        _tag: "CertificateRequest",
        requestContext: r.vector8().rest(),
        extensions: readExtensions(r, "CertificateRequest", 2),
      }
    case HandshakeType.certificate:
      return readCertificate(r, options.maxCertificates ?? DEFAULT_MAX_CERTIFICATES)
    case HandshakeType.certificate_verify:
      return { _tag: "CertificateVerify", algorithm: r.u16(), signature: r.vector16().rest() }
    case HandshakeType.finished:
      return { _tag: "Finished", verifyData: r.rest() }
    case HandshakeType.new_session_ticket:
      return readNewSessionTicket(r)
    case HandshakeType.key_update:
      return readKeyUpdate(r)
    case HandshakeType.end_of_early_data:
      return { _tag: "EndOfEarlyData" }
    case HandshakeType.message_hash:
      return { _tag: "MessageHash", hash: r.rest() }
    default:
      return fail(AlertDescription.unexpected_message, `unknown handshake message type ${nameOf(HandshakeType, type)}`)
  }
}

/**
 * Decodes the body of a handshake message of type `type` (as given by
 * `HandshakeReassembler`). The whole body must be consumed.
 *
 * @since 0.1.0
 */
export const decodeHandshake = (
  type: number,
  body: Uint8Array,
  options: HandshakeDecodeOptions = {},
): Either.Either<Handshake, DecodeError> => decodeWith(body, (r) => readBody(type, r, options))

// ---------------------------------------------------------------------------------------
// Encoding

const writeBody = (w: ByteWriter, message: Handshake): void => {
  switch (message._tag) {
    case "ClientHello":
      w.u16(message.legacyVersion).bytes(message.random)
      w.lengthPrefixed8(() => w.bytes(message.legacySessionId), 0, 32)
      w.lengthPrefixed16(
        () => {
          for (const suite of message.cipherSuites) w.u16(suite)
        },
        2,
        0xfffe,
      )
      w.u8(1).u8(0)
      writeExtensions(w, message.extensions, 8)
      return
    case "ServerHello":
    case "HelloRetryRequest":
      w.u16(message.legacyVersion).bytes(message._tag === "ServerHello" ? message.random : hrrRandom)
      w.lengthPrefixed8(() => w.bytes(message.legacySessionIdEcho), 0, 32)
      w.u16(message.cipherSuite).u8(0)
      writeExtensions(w, message.extensions)
      return
    case "EncryptedExtensions":
      writeExtensions(w, message.extensions)
      return
    case "CertificateRequest":
      w.lengthPrefixed8(() => w.bytes(message.requestContext))
      writeExtensions(w, message.extensions, 2)
      return
    case "Certificate":
      w.lengthPrefixed8(() => w.bytes(message.requestContext))
      w.lengthPrefixed24(() => {
        for (const entry of message.entries) {
          w.lengthPrefixed24(() => w.bytes(entry.certData), 1)
          writeExtensions(w, entry.extensions)
        }
      })
      return
    case "CertificateVerify":
      w.u16(message.algorithm).lengthPrefixed16(() => w.bytes(message.signature))
      return
    case "Finished":
      w.bytes(message.verifyData)
      return
    case "NewSessionTicket":
      w.u32(message.ticketLifetime).u32(message.ticketAgeAdd)
      w.lengthPrefixed8(() => w.bytes(message.ticketNonce))
      w.lengthPrefixed16(() => w.bytes(message.ticket), 1)
      writeExtensions(w, message.extensions, 0, 0xfffe)
      return
    case "KeyUpdate":
      w.u8(message.updateRequested ? 1 : 0)
      return
    case "EndOfEarlyData":
      return
    case "MessageHash":
      w.bytes(message.hash)
      return
  }
}

/**
 * Encodes a handshake message with its 4-byte header (type, 24-bit length): the bytes that
 * go into records and into the transcript hash.
 *
 * @since 0.1.0
 */
export const encodeHandshake = (message: Handshake): Uint8Array => {
  const w = new ByteWriter(512)
  w.u8(handshakeType(message)).lengthPrefixed24(() => writeBody(w, message))
  return w.finish()
}
