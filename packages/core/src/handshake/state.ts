/**
 * The client state machine's types: one tagged union of phases (each holding only what
 * its step needs, so a secret cannot be used before the step that made it), the inputs
 * the machine takes and the outputs it produces.
 *
 * @since 0.1.0
 */
import { Data } from "effect"
import type { Tls13Suite } from "../crypto/suites.js"
import type { HandshakeSecret, MasterSecret, ResumptionMasterSecret } from "../keyschedule/keySchedule.js"
import type { PendingTranscript, Transcript } from "../keyschedule/transcript.js"
import type { CertificateRequest, NewSessionTicket } from "../wire/handshake.js"
import type { Offer } from "./clientHello.js"
import type { ClientConfig } from "./config.js"
import type { RecordLayer } from "./recordLayer.js"
import type { SessionInfo } from "./session.js"

/** What the server has told us so far, gathered into `SessionInfo` at the end. @since 0.1.0 */
export interface Negotiated {
  readonly suite: Tls13Suite
  readonly group: number
  readonly helloRetryRequest: boolean
  readonly alpn: string | undefined
  /** The server's record_size_limit (RFC 8449), if it sent one. */
  readonly peerRecordSizeLimit: number | undefined
}

/** Handshake state shared by the phases after ServerHello. @since 0.1.0 */
export interface HandshakeKeys {
  readonly offer: Offer
  readonly negotiated: Negotiated
  readonly transcript: Transcript
  readonly secrets: HandshakeSecret
}

/** The traffic state of an established connection. @since 0.1.0 */
export interface Traffic {
  readonly suite: Tls13Suite
  readonly master: MasterSecret
  readonly resumption: ResumptionMasterSecret
  /** The current client and server application traffic secrets (they move on with KeyUpdate). */
  readonly clientSecret: Uint8Array
  readonly serverSecret: Uint8Array
  readonly session: SessionInfo
}

/** The phases of a TLS 1.3 client. @since 0.1.0 */
export type Phase = Data.TaggedEnum<{
  ExpectServerHello: {
    readonly offer: Offer
    /** Pending until the suite is known; started already after a HelloRetryRequest. */
    readonly transcript: PendingTranscript | Transcript
    /** Set after a HelloRetryRequest: the suite it chose (the ServerHello must repeat it). */
    readonly retrySuite: number | undefined
  }
  ExpectEncryptedExtensions: { readonly keys: HandshakeKeys }
  ExpectCertificateOrRequest: { readonly keys: HandshakeKeys }
  ExpectCertificate: { readonly keys: HandshakeKeys; readonly request: CertificateRequest | undefined }
  ExpectCertificateVerify: {
    readonly keys: HandshakeKeys
    readonly request: CertificateRequest | undefined
    readonly chain: ReadonlyArray<Uint8Array>
    readonly verified: boolean
  }
  ExpectFinished: {
    readonly keys: HandshakeKeys
    readonly request: CertificateRequest | undefined
    readonly chain: ReadonlyArray<Uint8Array>
    readonly verified: boolean
    readonly signatureScheme: number
  }
  Established: { readonly traffic: Traffic; readonly keyUpdatesInARow: number }
  Closed: {}
}>

/** Constructors and matchers for `Phase`. @since 0.1.0 */
export const Phase = Data.taggedEnum<Phase>()

/** The phase of an established connection. @since 0.1.0 */
export type Established = Extract<Phase, { _tag: "Established" }>

/** The client state: the configuration, the record layer and the phase. @since 0.1.0 */
export interface ClientState {
  readonly config: ClientConfig
  readonly record: RecordLayer
  readonly phase: Phase
  /** We sent close_notify. */
  readonly closedForWriting: boolean
}

/** Inputs of the state machine. @since 0.1.0 */
export type Input = Data.TaggedEnum<{
  /** Bytes from the peer, any amount, split anywhere: one chunk, or consecutive chunks in order. */
  Received: { readonly bytes: Uint8Array | ReadonlyArray<Uint8Array> }
  /** Application data to send (established connections only). */
  Write: { readonly data: Uint8Array }
  /** Send close_notify. */
  Close: {}
  /** Update our traffic keys (KeyUpdate), asking the peer to update too when `requestPeer`. */
  UpdateKeys: { readonly requestPeer: boolean }
}>

/** Constructors for `Input`. @since 0.1.0 */
export const Input = Data.taggedEnum<Input>()

/** NSS key log labels (for SSLKEYLOGFILE). @since 0.1.0 */
export type KeyLogLabel =
  | "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
  | "SERVER_HANDSHAKE_TRAFFIC_SECRET"
  | "CLIENT_TRAFFIC_SECRET_0"
  | "SERVER_TRAFFIC_SECRET_0"
  | "EXPORTER_SECRET"

/** Outputs of the state machine. @since 0.1.0 */
export type Output = Data.TaggedEnum<{
  /** Bytes to send to the peer, in order. */
  Send: { readonly bytes: Uint8Array }
  /** The handshake completed. */
  Established: { readonly session: SessionInfo }
  /** Application data from the peer. */
  ApplicationData: { readonly data: Uint8Array }
  /** The peer sent close_notify: no more data will come. */
  PeerClosed: {}
  /** A session ticket for resumption, with the PSK it stands for. */
  SessionTicket: { readonly ticket: NewSessionTicket; readonly psk: Uint8Array; readonly suite: string }
  /** A secret for the key log (NSS format). */
  KeyLog: { readonly label: KeyLogLabel; readonly clientRandom: Uint8Array; readonly secret: Uint8Array }
}>

/** Constructors for `Output`. @since 0.1.0 */
export const Output = Data.taggedEnum<Output>()
