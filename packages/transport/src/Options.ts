/**
 * The options of `connect`, as a Schema: validated once, with every failure a `Fatal`
 * (`Config`), then resolved into the core's `ClientConfig`.
 *
 * @since 0.1.0
 */
import {
  type ClientConfig,
  defaultConfig,
  defaultLimits,
  defaultSignatureSchemes,
  Fatal,
  FatalReason,
  Wire,
} from "@effect-tls/core"
import { Effect, Either, ParseResult, Schema } from "effect"

const suiteNames = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"] as const
const groupNames = ["x25519", "secp256r1", "secp384r1"] as const
const schemeNames = [
  "ecdsa_secp256r1_sha256",
  "ecdsa_secp384r1_sha384",
  "ed25519",
  "rsa_pss_rsae_sha256",
  "rsa_pss_rsae_sha384",
  "rsa_pss_rsae_sha512",
  "rsa_pss_pss_sha256",
  "rsa_pss_pss_sha384",
  "rsa_pss_pss_sha512",
  "rsa_pkcs1_sha256",
  "rsa_pkcs1_sha384",
  "rsa_pkcs1_sha512",
] as const

const nonEmpty = <A extends string>(literal: Schema.Schema<A>) => Schema.Array(literal).pipe(Schema.minItems(1))
const intIn = (min: number, max: number) => Schema.Int.pipe(Schema.between(min, max))

/** Limits against hostile peers; each within sane bounds. @since 0.1.0 */
export const TlsLimits = Schema.Struct({
  maxHandshakeMessage: Schema.optional(intIn(1024, 1 << 24)),
  maxCertificates: Schema.optional(intIn(1, 64)),
  maxEmptyRecords: Schema.optional(intIn(0, 1024)),
  maxKeyUpdatesInARow: Schema.optional(intIn(1, 1024)),
  /** `WantWrite` once this many bytes wait to be sent (memory mode). */
  maxPendingOutput: Schema.optional(intIn(1, 1 << 26)),
})

/**
 * The options of a TLS client connection.
 *
 * @since 0.1.0
 */
export const TlsOptions = Schema.Struct({
  /**
   * The server's name: sent as SNI and verified against the certificate. An IP literal is
   * verified against the certificate's IP addresses and not sent as SNI (RFC 6066).
   */
  serverName: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(253))),
  /** ALPN protocols in preference order. */
  alpn: Schema.optional(Schema.Array(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255)))),
  /** Protocol versions to offer (default: every version we support). */
  versions: Schema.optional(nonEmpty(Schema.Literal("TLSv1.2", "TLSv1.3"))),
  /** IANA cipher suite names in preference order. */
  cipherSuites: Schema.optional(nonEmpty(Schema.Literal(...suiteNames))),
  /** Groups in preference order. */
  groups: Schema.optional(nonEmpty(Schema.Literal(...groupNames))),
  /** Groups that get a key share in the first ClientHello (default: the first group). */
  keyShareGroups: Schema.optional(Schema.Array(Schema.Literal(...groupNames))),
  /** RFC 8446 signature scheme names. */
  signatureSchemes: Schema.optional(nonEmpty(Schema.Literal(...schemeNames))),
  /** PEM trust anchors; they replace the default (the system's roots). */
  ca: Schema.optional(Schema.String),
  /**
   * INSECURE: no certificate verification at all. The server is not authenticated; anyone
   * on the path can read and change the traffic. For tests only.
   */
  insecure: Schema.optional(Schema.Boolean),
  /** A client certificate chain and its PKCS#8 private key, both PEM. */
  clientCertificate: Schema.optional(Schema.Struct({ certificate: Schema.String, key: Schema.String })),
  /** Handshake timeout in milliseconds (stream mode; default 30000). */
  handshakeTimeoutMs: Schema.optional(intIn(1, 3_600_000)),
  /** RFC 8446 appendix D.4 (default on). */
  middleboxCompatibility: Schema.optional(Schema.Boolean),
  /** RFC 8701 GREASE (default on). */
  grease: Schema.optional(Schema.Boolean),
  /** Offer record_size_limit (RFC 8449) with this value. */
  recordSizeLimit: Schema.optional(intIn(64, 16385)),
  limits: Schema.optional(TlsLimits),
})

/** Validated options. @since 0.1.0 */
export type TlsOptions = typeof TlsOptions.Type

/** Options as given (before validation). @since 0.1.0 */
export type TlsOptionsInput = typeof TlsOptions.Encoded

const configError = (detail: string) => new Fatal({ reason: FatalReason.Config({ detail }) })

/** Validates options; failures are `Fatal` with reason `Config`, never throws. @since 0.1.0 */
export const decodeOptions = (input: unknown): Effect.Effect<TlsOptions, Fatal> =>
  Effect.mapError(Schema.decodeUnknown(TlsOptions)(input), (error) =>
    configError(ParseResult.TreeFormatter.formatErrorSync(error).replace(/\s*\n\s*/g, " ")),
  )

const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/

/** True for an IPv4 or IPv6 literal (never sent as SNI). @since 0.1.0 */
export const isIpLiteral = (name: string): boolean => ipv4.test(name) || name.includes(":")

const byName = (table: Wire.CodeTable, names: ReadonlyArray<string>): ReadonlyArray<number> =>
  names.map((name) => table[name]!)

/**
 * The core configuration for validated options.
 *
 * @since 0.1.0
 */
export const resolveConfig = (options: TlsOptions): Either.Either<ClientConfig, Fatal> => {
  if (options.versions !== undefined && !options.versions.includes("TLSv1.3")) {
    return Either.left(configError("TLS 1.2 is not implemented yet; offer TLSv1.3"))
  }
  const name = options.serverName?.replace(/\.$/, "").toLowerCase()
  const base = defaultConfig(name !== undefined && !isIpLiteral(name) ? name : undefined)
  const groups = options.groups ?? base.groups
  const keyShareGroups = options.keyShareGroups ?? [groups[0]!]
  if (keyShareGroups.some((group) => !groups.includes(group))) {
    return Either.left(configError("keyShareGroups must be among groups"))
  }
  if (options.alpn?.some((protocol) => new TextEncoder().encode(protocol).length > 255)) {
    return Either.left(configError("an ALPN protocol name is longer than 255 bytes"))
  }
  return Either.right({
    ...base,
    serverIdentity: name,
    alpn: options.alpn ?? [],
    cipherSuites:
      options.cipherSuites === undefined ? base.cipherSuites : byName(Wire.CipherSuite, options.cipherSuites),
    groups,
    keyShareGroups,
    signatureSchemes:
      options.signatureSchemes === undefined
        ? defaultSignatureSchemes
        : byName(Wire.SignatureScheme, options.signatureSchemes),
    middleboxCompatibility: options.middleboxCompatibility ?? true,
    grease: options.grease ?? true,
    recordSizeLimit: options.recordSizeLimit,
    limits: {
      maxHandshakeMessage: options.limits?.maxHandshakeMessage ?? defaultLimits.maxHandshakeMessage,
      maxCertificates: options.limits?.maxCertificates ?? defaultLimits.maxCertificates,
      maxEmptyRecords: options.limits?.maxEmptyRecords ?? defaultLimits.maxEmptyRecords,
      maxKeyUpdatesInARow: options.limits?.maxKeyUpdatesInARow ?? defaultLimits.maxKeyUpdatesInARow,
    },
  })
}
