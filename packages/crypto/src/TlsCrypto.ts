/**
 * The `TlsCrypto` service: exactly the cryptography TLS 1.3/1.2 and X.509 need, as one
 * Effect service. Layers (noble, node:crypto, deterministic testing) implement it.
 *
 * @since 0.1.0
 */
import { Context, type Effect } from "effect"
import type { CryptoError } from "./errors.js"

/** Hash functions usable for transcripts, HMAC and HKDF. @since 0.1.0 */
export type HashAlgorithm = "SHA-256" | "SHA-384"

/** Hash functions a signature may be computed over (SHA-1 only so policy can see and refuse it). @since 0.1.0 */
export type SignatureHash = "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512"

/** AEAD algorithms of the TLS cipher suites. @since 0.1.0 */
export type AeadAlgorithm = "AES-128-GCM" | "AES-256-GCM" | "ChaCha20-Poly1305"

/** Key-agreement groups (TLS NamedGroup names). @since 0.1.0 */
export type KeyAgreementGroup = "x25519" | "secp256r1" | "secp384r1"

/**
 * Why randomness is drawn. Real layers ignore it; the testing layer answers each purpose
 * from a script or a deterministic stream of its own, so tests do not depend on the order
 * of draws.
 *
 * @since 0.1.0
 */
export type RandomPurpose =
  | { readonly _tag: "ClientRandom" }
  | { readonly _tag: "LegacySessionId" }
  | { readonly _tag: "PrivateKey"; readonly group: KeyAgreementGroup }
  | { readonly _tag: "Other"; readonly label: string }

/**
 * A signature algorithm with everything explicit: the key's type comes from the
 * SubjectPublicKeyInfo, the rest from here. ECDSA signatures are DER `Ecdsa-Sig-Value`s as
 * TLS and X.509 carry them; RSA-PSS uses MGF1 with the same hash.
 *
 * @since 0.1.0
 */
export type SignatureAlgorithm =
  | { readonly _tag: "Ecdsa"; readonly hash: SignatureHash }
  | { readonly _tag: "Ed25519" }
  | { readonly _tag: "RsaPkcs1"; readonly hash: SignatureHash }
  | { readonly _tag: "RsaPss"; readonly hash: SignatureHash; readonly saltLength: number }

/** A running hash. Synchronous in every layer (transcripts are hashed on the hot path). @since 0.1.0 */
export interface Hasher {
  readonly algorithm: HashAlgorithm
  /** Adds bytes to the running hash. */
  update(data: Uint8Array): void
  /** The digest of everything added so far; the hash keeps running. */
  snapshot(): Uint8Array
  /** An independent copy of the running state. */
  clone(): Hasher
}

/**
 * An AEAD key, set up once, then used per record. `seal` returns ciphertext followed by the
 * 16-byte tag; `open` fails with `AeadOpenFailed`, never throws. `sync` is present when the
 * provider is synchronous, so the record layer can skip Effect per record.
 *
 * @since 0.1.0
 */
export interface AeadKey {
  readonly algorithm: AeadAlgorithm
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Effect.Effect<Uint8Array>
  open(nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Effect.Effect<Uint8Array, CryptoError>
  readonly sync?: SyncAead
}

/** The synchronous form of an AEAD key; `open` returns `undefined` when authentication fails. @since 0.1.0 */
export interface SyncAead {
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array
  open(nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined
}

/**
 * One side of an ephemeral key agreement: the public share in TLS wire form (32 bytes for
 * x25519, an uncompressed SEC1 point for the NIST curves) and the private half, kept inside.
 *
 * @since 0.1.0
 */
export interface KeyShare {
  readonly group: KeyAgreementGroup
  readonly publicKey: Uint8Array
  /**
   * The shared secret with the peer's share (x25519 output, or the x coordinate for
   * ECDH). Fails with `InvalidPeerShare` for a malformed share, a point off the curve, the
   * identity, or an all-zero x25519 result.
   */
  agree(peerShare: Uint8Array): Effect.Effect<Uint8Array, CryptoError>
}

/** The kinds of private key we sign with. @since 0.1.0 */
export type SigningKeyType = "ecdsa-secp256r1" | "ecdsa-secp384r1" | "ed25519" | "rsa" | "rsa-pss"

/** An opaque private key imported from PKCS#8; the key material stays inside. @since 0.1.0 */
export interface SigningKey {
  readonly type: SigningKeyType
  /** The matching SubjectPublicKeyInfo, DER. */
  readonly publicKey: Uint8Array
  /** Signs `message` (hashing it as the algorithm says). ECDSA output is DER. */
  sign(algorithm: SignatureAlgorithm, message: Uint8Array): Effect.Effect<Uint8Array, CryptoError>
}

/** A signature verification request. @since 0.1.0 */
export interface VerifyRequest {
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: Uint8Array
  readonly algorithm: SignatureAlgorithm
  readonly message: Uint8Array
  readonly signature: Uint8Array
}

/**
 * The cryptography service. Operations that an asynchronous provider (WebCrypto) may
 * need to await return `Effect`; hashing is synchronous everywhere.
 *
 * @since 0.1.0
 */
export interface TlsCryptoService {
  /** The provider's name, e.g. "noble" or "node". */
  readonly name: string
  /** `length` secure random bytes, drawn for `purpose`. */
  randomBytes(length: number, purpose: RandomPurpose): Effect.Effect<Uint8Array>
  /** A new running hash. */
  hasher(algorithm: HashAlgorithm): Hasher
  /** One-shot digest. */
  digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Effect.Effect<Uint8Array>
  /** HKDF-Extract (RFC 5869 section 2.2). */
  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Effect.Effect<Uint8Array>
  /** HKDF-Expand (RFC 5869 section 2.3); `length` above 255 hash lengths fails with `InvalidLength`. */
  hkdfExpand(
    algorithm: HashAlgorithm,
    prk: Uint8Array,
    info: Uint8Array,
    length: number,
  ): Effect.Effect<Uint8Array, CryptoError>
  /** Sets up an AEAD key; a key of the wrong length fails with `InvalidLength`. */
  aeadKey(algorithm: AeadAlgorithm, key: Uint8Array): Effect.Effect<AeadKey, CryptoError>
  /** A fresh ephemeral key pair for `group` (its private key drawn with purpose `PrivateKey`). */
  generateKeyShare(group: KeyAgreementGroup): Effect.Effect<KeyShare>
  /** Verifies a signature; fails with `BadSignature`, `MalformedKey` or `UnsupportedAlgorithm`. */
  verify(request: VerifyRequest): Effect.Effect<void, CryptoError>
  /** Imports a PKCS#8 private key for signing. */
  importSigningKey(pkcs8: Uint8Array): Effect.Effect<SigningKey, CryptoError>
}

/**
 * The `TlsCrypto` service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class TlsCrypto extends Context.Tag("@effect-tls/crypto/TlsCrypto")<TlsCrypto, TlsCryptoService>() {}

/** Output length in bytes of a hash. @since 0.1.0 */
export const hashLength = (algorithm: HashAlgorithm | SignatureHash): number =>
  algorithm === "SHA-1" ? 20 : algorithm === "SHA-256" ? 32 : algorithm === "SHA-384" ? 48 : 64

/** Key length in bytes of an AEAD algorithm. @since 0.1.0 */
export const aeadKeyLength = (algorithm: AeadAlgorithm): number => (algorithm === "AES-128-GCM" ? 16 : 32)
