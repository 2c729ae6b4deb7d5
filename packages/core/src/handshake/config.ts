/**
 * What the client state machine is told to offer and to accept: the resolved form of the
 * user's options (the transport validates options with Schema and builds this).
 *
 * @since 0.1.0
 */
import type { KeyAgreementGroup, SigningKey } from "@effect-tls/crypto"
import { CipherSuite, SignatureScheme } from "../wire/codes.js"

/** Limits against hostile peers (DESIGN section 4). @since 0.1.0 */
export interface HandshakeLimits {
  /** Largest handshake message body accepted (default 64 KiB). */
  readonly maxHandshakeMessage: number
  /** Most certificates accepted in the server's chain (default 10). */
  readonly maxCertificates: number
  /** Most consecutive empty or ChangeCipherSpec records (default 16). */
  readonly maxEmptyRecords: number
  /** Most KeyUpdates the peer may send between two application data records we receive (default 32). */
  readonly maxKeyUpdatesInARow: number
}

/** A client certificate chain (DER, leaf first) and its private key. @since 0.1.0 */
export interface ClientCertificate {
  readonly chain: ReadonlyArray<Uint8Array>
  readonly key: SigningKey
}

/** The client's configuration. @since 0.1.0 */
export interface ClientConfig {
  /** Sent as SNI (a DNS name; never an IP literal, RFC 6066 section 3). */
  readonly serverName: string | undefined
  /** The DNS name or IP literal the certificate must be valid for (usually the SNI, or the IP). */
  readonly serverIdentity: string | undefined
  /** ALPN protocols in preference order. */
  readonly alpn: ReadonlyArray<string>
  /** TLS 1.3 cipher suite codes in preference order. */
  readonly cipherSuites: ReadonlyArray<number>
  /** Supported groups in preference order. */
  readonly groups: ReadonlyArray<KeyAgreementGroup>
  /** The groups that get a key share in the first ClientHello (a subset of `groups`). */
  readonly keyShareGroups: ReadonlyArray<KeyAgreementGroup>
  /** Signature scheme codes offered in signature_algorithms. */
  readonly signatureSchemes: ReadonlyArray<number>
  /** RFC 8446 appendix D.4: a 32-byte legacy_session_id and a ChangeCipherSpec before the second flight. */
  readonly middleboxCompatibility: boolean
  /** Offer record_size_limit with this value (RFC 8449), or not at all. */
  readonly recordSizeLimit: number | undefined
  /** Send GREASE values (RFC 8701). */
  readonly grease: boolean
  readonly limits: HandshakeLimits
  readonly clientCertificate: ClientCertificate | undefined
}

/** The default limits. @since 0.1.0 */
export const defaultLimits: HandshakeLimits = {
  maxHandshakeMessage: 65536,
  maxCertificates: 10,
  maxEmptyRecords: 16,
  maxKeyUpdatesInARow: 32,
}

/** The signature schemes offered by default, strongest and cheapest first. @since 0.1.0 */
export const defaultSignatureSchemes: ReadonlyArray<number> = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ed25519,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pss_pss_sha256,
  SignatureScheme.rsa_pss_pss_sha384,
  SignatureScheme.rsa_pss_pss_sha512,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
]

/** A configuration with every default, for `serverName`. @since 0.1.0 */
export const defaultConfig = (serverName: string | undefined): ClientConfig => ({
  serverName,
  serverIdentity: serverName,
  alpn: [],
  cipherSuites: [
    CipherSuite.TLS_AES_128_GCM_SHA256,
    CipherSuite.TLS_AES_256_GCM_SHA384,
    CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
  ],
  groups: ["x25519", "secp256r1", "secp384r1"],
  keyShareGroups: ["x25519"],
  signatureSchemes: defaultSignatureSchemes,
  middleboxCompatibility: true,
  recordSizeLimit: undefined,
  grease: true,
  limits: defaultLimits,
  clientCertificate: undefined,
})
