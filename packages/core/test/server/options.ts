/**
 * What the scripted test server is told: the choices of an honest TLS 1.3 server (suite,
 * group, HelloRetryRequest, extensions, client authentication, tickets) and the hooks that
 * make it misbehave, by rewriting a message, the records of a flight before they are
 * protected, or the bytes on the wire.
 */
import type { KeyAgreementGroup } from "@effect-tls/crypto"
import type { ClientHello, Handshake } from "../../src/wire/handshake.js"
import type { Identity } from "./identity.js"

/** Which keys protect a record: none, the server's handshake keys, or its current application keys. */
export type Protection = "plaintext" | "handshake" | "application"

/** A record before protection: its (inner) content type, content and keys. */
export interface PlannedRecord {
  readonly type: number
  readonly content: Uint8Array
  readonly keys: Protection
}

/**
 * The flights a server sends: the HelloRetryRequest, the handshake flight (ServerHello to
 * Finished), the tickets after the client's Finished, and anything sent after the handshake.
 */
export type FlightName = "retry" | "handshake" | "tickets" | "post"

/** Ways to make the server misbehave. Each sees everything the server sends. */
export interface ServerHooks {
  /**
   * Replaces a handshake message before it is encoded; `hellos` are the ClientHellos
   * received so far (to echo what the client offered). The server hashes what it sends, so
   * its CertificateVerify and Finished stay valid for the changed flight.
   */
  readonly message?: (message: Handshake, hellos: ReadonlyArray<ClientHello>) => Handshake
  /** Rewrites the records of a flight (one handshake message per record) before protection. */
  readonly records?: (records: ReadonlyArray<PlannedRecord>, flight: FlightName) => ReadonlyArray<PlannedRecord>
  /** Rewrites the bytes of a flight after protection. */
  readonly wire?: (bytes: Uint8Array, flight: FlightName) => Uint8Array
}

/** The HelloRetryRequest to send first: the group to ask for and/or a cookie (neither: an HRR that changes nothing). */
export interface HelloRetryOptions {
  readonly group?: KeyAgreementGroup
  readonly cookie?: Uint8Array
}

/** The server's choices. Everything is sent as told, offered by the client or not. */
export interface ServerOptions {
  /** The cipher suite code; default the first TLS 1.3 suite the client offers. */
  readonly suite?: number
  /** The key share group; default the HelloRetryRequest's group, else the client's first share we implement. */
  readonly group?: KeyAgreementGroup
  readonly helloRetry?: HelloRetryOptions
  /** The ALPN protocol to select in EncryptedExtensions. */
  readonly alpn?: string
  /** The record_size_limit to send in EncryptedExtensions. */
  readonly recordSizeLimit?: number
  /** Send a CertificateRequest offering these signature schemes. */
  readonly certificateRequest?: ReadonlyArray<number>
  /** Send a ChangeCipherSpec after the first ServerHello or HelloRetryRequest (RFC 8446 appendix D.4). */
  readonly middleboxCcs?: boolean
  /** The certificate and key; default an Ed25519 identity. */
  readonly identity?: Identity
  /** How many NewSessionTickets to send after the client's Finished (default 0). */
  readonly tickets?: number
  readonly hooks?: ServerHooks
}
