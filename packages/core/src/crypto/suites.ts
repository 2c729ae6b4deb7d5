/**
 * The TLS 1.3 cipher suites (RFC 8446 section B.4): for each suite code, the AEAD and hash
 * it names and its key and IV lengths; and how many records one AEAD key may protect
 * (section 5.5).
 *
 * @since 0.1.0
 */
import type { AeadAlgorithm, HashAlgorithm } from "@effect-tls/crypto"
import { CipherSuite } from "../wire/codes.js"

/** What the key schedule and the record layer need to know about a TLS 1.3 suite. @since 0.1.0 */
export interface Tls13Suite {
  readonly code: number
  /** The IANA name, e.g. `TLS_AES_128_GCM_SHA256`. */
  readonly name: string
  readonly aead: AeadAlgorithm
  readonly hash: HashAlgorithm
  /** AEAD key length in bytes. */
  readonly keyLength: number
  /** Per-record nonce (and write IV) length in bytes: 12 for every TLS 1.3 suite. */
  readonly ivLength: 12
}

/**
 * How many records one key of `aead` may protect (RFC 8446 section 5.5): 2^24.5 full-size
 * records for AES-GCM. For ChaCha20-Poly1305 the sequence number wraps first, so the largest
 * count we track exactly (2^53 - 1) stands for "no practical limit".
 *
 * @since 0.1.0
 */
export const aeadRecordLimit = (aead: AeadAlgorithm): number =>
  aead === "ChaCha20-Poly1305" ? Number.MAX_SAFE_INTEGER : Math.floor(2 ** 24.5)

/** The TLS 1.3 suites we implement, by code. @since 0.1.0 */
export const tls13Suites: ReadonlyMap<number, Tls13Suite> = new Map(
  (
    [
      {
        code: CipherSuite.TLS_AES_128_GCM_SHA256,
        name: "TLS_AES_128_GCM_SHA256",
        aead: "AES-128-GCM",
        hash: "SHA-256",
        keyLength: 16,
        ivLength: 12,
      },
      {
        code: CipherSuite.TLS_AES_256_GCM_SHA384,
        name: "TLS_AES_256_GCM_SHA384",
        aead: "AES-256-GCM",
        hash: "SHA-384",
        keyLength: 32,
        ivLength: 12,
      },
      {
        code: CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        name: "TLS_CHACHA20_POLY1305_SHA256",
        aead: "ChaCha20-Poly1305",
        hash: "SHA-256",
        keyLength: 32,
        ivLength: 12,
      },
    ] as const satisfies ReadonlyArray<Tls13Suite>
  ).map((suite) => [suite.code, suite]),
)

/**
 * The TLS 1.3 suite with this code, or `undefined` for a code we do not implement (a
 * ServerHello naming one is answered with illegal_parameter by the caller).
 *
 * @since 0.1.0
 */
export const tls13Suite = (code: number): Tls13Suite | undefined => tls13Suites.get(code)
