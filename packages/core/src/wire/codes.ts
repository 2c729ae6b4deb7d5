/**
 * IANA code points of TLS, as number tables (not TypeScript enums): values we do not know
 * stay plain numbers and round-trip. `nameOf` gives the registry name for output.
 *
 * @since 0.1.0
 */

/** Record content types (RFC 8446 section 5.1). @since 0.1.0 */
export const ContentType = {
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const

/** Handshake message types (RFC 8446 section 4). @since 0.1.0 */
export const HandshakeType = {
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  certificate_request: 13,
  certificate_verify: 15,
  finished: 20,
  key_update: 24,
  message_hash: 254,
} as const

/** Protocol versions. @since 0.1.0 */
export const ProtocolVersion = {
  TLSv1_0: 0x0301,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const

/** Extension types (IANA "TLS ExtensionType Values"). @since 0.1.0 */
export const ExtensionType = {
  server_name: 0,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  application_layer_protocol_negotiation: 16,
  signed_certificate_timestamp: 18,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  record_size_limit: 28,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  renegotiation_info: 0xff01,
} as const

/** TLS 1.3 cipher suites. @since 0.1.0 */
export const CipherSuite = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
} as const

/** Named groups. @since 0.1.0 */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
} as const

/** Signature schemes (RFC 8446 section 4.2.3). @since 0.1.0 */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const

/** Alert levels. @since 0.1.0 */
export const AlertLevel = { warning: 1, fatal: 2 } as const

/** Alert descriptions (RFC 8446 section 6). @since 0.1.0 */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const

/** PSK key exchange modes (RFC 8446 section 4.2.9). @since 0.1.0 */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const

/** A code table: registry name to number. @since 0.1.0 */
export type CodeTable = Readonly<Record<string, number>>

const reverse = (table: CodeTable): ReadonlyMap<number, string> =>
  new Map(Object.entries(table).map(([name, code]) => [code, name]))

const reversed = new WeakMap<CodeTable, ReadonlyMap<number, string>>()

/**
 * The registry name of `code` in `table`, or `unknown(0x....)` for values we do not know.
 *
 * @since 0.1.0
 */
export const nameOf = (table: CodeTable, code: number): string => {
  let names = reversed.get(table)
  if (names === undefined) {
    names = reverse(table)
    reversed.set(table, names)
  }
  return names.get(code) ?? `unknown(0x${code.toString(16).padStart(4, "0")})`
}

/**
 * GREASE values (RFC 8701): 0x0A0A, 0x1A1A, ..., 0xFAFA for 16-bit code points.
 *
 * @since 0.1.0
 */
export const isGrease = (code: number): boolean => (code & 0x0f0f) === 0x0a0a && code >> 8 === (code & 0xff)

/** The GREASE value number `index` (0-15). @since 0.1.0 */
export const greaseValue = (index: number): number => {
  const nibble = index & 0x0f
  return (nibble << 12) | 0x0a00 | (nibble << 4) | 0x0a
}
