/**
 * Typed failures of the cryptography service. None of the layers throws on bad input:
 * each such case ends in one of these.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/** AEAD authentication failed (wrong key, nonce, additional data, or tampered bytes). @since 0.1.0 */
export class AeadOpenFailed extends Data.TaggedError("AeadOpenFailed")<{}> {
  override get message(): string {
    return "AEAD authentication failed"
  }
}

/** The peer's key share is malformed, off the curve, the identity, or yields an all-zero secret. @since 0.1.0 */
export class InvalidPeerShare extends Data.TaggedError("InvalidPeerShare")<{ readonly detail: string }> {
  override get message(): string {
    return `invalid peer key share: ${this.detail}`
  }
}

/** A signature did not verify (including a malformed signature encoding). @since 0.1.0 */
export class BadSignature extends Data.TaggedError("BadSignature")<{ readonly detail: string }> {
  override get message(): string {
    return `signature does not verify: ${this.detail}`
  }
}

/** A key (SPKI or PKCS#8) could not be decoded. @since 0.1.0 */
export class MalformedKey extends Data.TaggedError("MalformedKey")<{ readonly detail: string }> {
  override get message(): string {
    return `malformed key: ${this.detail}`
  }
}

/** An algorithm, key type or combination this provider does not support. @since 0.1.0 */
export class UnsupportedAlgorithm extends Data.TaggedError("UnsupportedAlgorithm")<{ readonly detail: string }> {
  override get message(): string {
    return `unsupported algorithm: ${this.detail}`
  }
}

/** A length out of range (AEAD key size, HKDF output length). @since 0.1.0 */
export class InvalidLength extends Data.TaggedError("InvalidLength")<{ readonly detail: string }> {
  override get message(): string {
    return `invalid length: ${this.detail}`
  }
}

/** Every failure of the `TlsCrypto` service. @since 0.1.0 */
export type CryptoError =
  | AeadOpenFailed
  | InvalidPeerShare
  | BadSignature
  | MalformedKey
  | UnsupportedAlgorithm
  | InvalidLength
