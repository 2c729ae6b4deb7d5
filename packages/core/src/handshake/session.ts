/**
 * What an established connection knows about its session: the negotiated parameters as
 * IANA names, and the server's certificates.
 *
 * @since 0.1.0
 */

/** The negotiated facts of an established TLS session. @since 0.1.0 */
export interface SessionInfo {
  /** "TLSv1.3". */
  readonly version: "TLSv1.3" | "TLSv1.2"
  /** IANA suite name, e.g. "TLS_AES_128_GCM_SHA256". */
  readonly cipherSuite: string
  /** Key-agreement group, e.g. "x25519". */
  readonly group: string
  /** The server's CertificateVerify scheme (RFC 8446 name). */
  readonly signatureScheme: string
  /** The ALPN protocol the server selected, if any. */
  readonly alpn: string | undefined
  /** The SNI we sent, if any. */
  readonly serverName: string | undefined
  /** Whether the server asked for a second ClientHello. */
  readonly helloRetryRequest: boolean
  /** Whether the session was resumed from a ticket. */
  readonly resumed: boolean
  /** The server's certificates as sent, leaf first (DER). */
  readonly peerCertificates: ReadonlyArray<Uint8Array>
  /** False when certificate verification was turned off (insecure mode). */
  readonly certificateVerified: boolean
  /** Whether we authenticated with a client certificate. */
  readonly clientAuthenticated: boolean
}
