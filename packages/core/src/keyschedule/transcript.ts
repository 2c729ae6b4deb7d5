/**
 * The handshake transcript hash (RFC 8446 section 4.4.1). The hash function is only known
 * once the server picks a suite, so the transcript starts as a `PendingTranscript` that
 * keeps the ClientHello bytes, and becomes a `Transcript` over a `Hasher` at the ServerHello
 * or HelloRetryRequest. Both are immutable: `add` returns a new transcript (the running hash
 * is cloned), so a state that holds one can be stepped twice with the same result.
 *
 * @since 0.1.0
 */
import { copyBytes, type Hasher, hashLength } from "@effect-tls/crypto"
import { HandshakeType } from "../wire/codes.js"

/**
 * A transcript before the hash function is known: the raw handshake messages so far
 * (normally just ClientHello1).
 *
 * @since 0.1.0
 */
export class PendingTranscript {
  private constructor(private readonly messages: ReadonlyArray<Uint8Array>) {}

  /** No messages yet. */
  static readonly empty: PendingTranscript = new PendingTranscript([])

  /** This transcript plus one raw handshake message (header included); the bytes are copied. */
  add(message: Uint8Array): PendingTranscript {
    return new PendingTranscript([...this.messages, copyBytes(message)])
  }

  /** The ServerHello fixed the hash: a transcript over `hasher` (a fresh one, now owned by the transcript) of every message so far. */
  start(hasher: Hasher): Transcript {
    for (const message of this.messages) hasher.update(message)
    return new Transcript(hasher)
  }

  /**
   * A HelloRetryRequest fixed the hash: the messages so far (ClientHello1) are replaced by
   * the synthetic message_hash message, 254 || 00 00 Hash.length || Hash(ClientHello1).
   * Add the HelloRetryRequest itself to the result next.
   */
  startAfterHelloRetry(hasher: Hasher): Transcript {
    const inner = hasher.clone()
    for (const message of this.messages) inner.update(message)
    const digest = inner.snapshot()
    hasher.update(Uint8Array.of(HandshakeType.message_hash, 0, 0, hashLength(hasher.algorithm)))
    hasher.update(digest)
    return new Transcript(hasher)
  }
}

/**
 * A running transcript hash over the handshake messages, in the order sent and received.
 *
 * @since 0.1.0
 */
export class Transcript {
  /** A transcript over `hasher`, which it now owns; normally made by `PendingTranscript.start`. */
  constructor(private readonly hasher: Hasher) {}

  /** The hash function of this transcript. */
  get algorithm(): Hasher["algorithm"] {
    return this.hasher.algorithm
  }

  /** This transcript plus one raw handshake message (header included). */
  add(message: Uint8Array): Transcript {
    const next = this.hasher.clone()
    next.update(message)
    return new Transcript(next)
  }

  /** Transcript-Hash of every message added so far. */
  hash(): Uint8Array {
    return this.hasher.snapshot()
  }
}
