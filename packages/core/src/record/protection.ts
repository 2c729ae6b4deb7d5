/**
 * TLS 1.3 record protection (RFC 8446 sections 5.2-5.5): `RecordProtector` seals
 * TLSInnerPlaintext (content || type || zero padding) into a full TLSCiphertext record;
 * `RecordUnprotector` opens one and finds the real content type. Each holds one AEAD key,
 * its write IV and the key's sequence number, and counts records against the AEAD's usage
 * limit (`needsKeyUpdate`).
 *
 * With a synchronous AEAD key (`AeadKey.sync`), `sealSync`/`openSync` do a record with no
 * Effect and reuse preallocated nonce and plaintext buffers; `seal`/`open` work with any
 * key and take the synchronous path when there is one. Every record handed to a side uses
 * up one sequence number, whether or not it succeeds (a failure is fatal anyway).
 *
 * @since 0.1.0
 */
import { type AeadKey, copyBytes, inlineSuspend } from "@effect-tls/crypto"
import { Effect, Either } from "effect"
import { aeadRecordLimit } from "../crypto/suites.js"
import { alertSent, type Fatal } from "../errors.js"
import { AlertDescription, ContentType } from "../wire/codes.js"
import { SequenceNumber } from "./sequence.js"

/** Largest TLSPlaintext / TLSInnerPlaintext content: 2^14 bytes. @since 0.1.0 */
export const maxPlaintextLength = 16384

/** Largest TLSCiphertext.encrypted_record a peer may send: 2^14 + 256 bytes. @since 0.1.0 */
export const maxCiphertextLength = maxPlaintextLength + 256

/** Record header: type, legacy_record_version, length. @since 0.1.0 */
export const recordHeaderLength = 5

/** The authentication tag length of every TLS 1.3 AEAD. @since 0.1.0 */
export const aeadTagLength = 16

/** The largest TLSInnerPlaintext: content, type byte and padding together (5.4). */
const maxInnerLength = maxPlaintextLength + 1

/**
 * How many zero bytes of padding to add after a record's content (5.4); the result is
 * clamped so the inner plaintext stays within 2^14 + 1 bytes.
 *
 * @since 0.1.0
 */
export type PaddingPolicy = (type: number, contentLength: number) => number

/** A decrypted record: the real content type and the content without padding. @since 0.1.0 */
export interface OpenedRecord {
  readonly type: number
  readonly content: Uint8Array
}

/** Options of both directions. @since 0.1.0 */
export interface ProtectionOptions {
  /**
   * `needsKeyUpdate` turns true once this many records have used the key. Default: three
   * quarters of the AEAD's limit (2^24.5 records for AES-GCM), leaving room for the records
   * in flight and the KeyUpdate itself.
   */
  readonly keyUpdateAt?: number
  /** The first sequence number (default 0); tests use it to reach the 2^64 wrap-around. */
  readonly initialSequence?: bigint
}

/** Options of the write side. @since 0.1.0 */
export interface ProtectorOptions extends ProtectionOptions {
  /** Padding per record; default none. */
  readonly padding?: PaddingPolicy
  /**
   * The protector refuses to seal once this many records have used the key. Default: the
   * AEAD's limit (RFC 8446 section 5.5).
   */
  readonly recordLimit?: number
}

const defaultKeyUpdateAt = (key: AeadKey): number => Math.floor(aeadRecordLimit(key.algorithm) * 0.75)

const internalError = (detail: string): Fatal => alertSent(AlertDescription.internal_error, detail)

/**
 * The write side of one traffic key.
 *
 * @since 0.1.0
 */
/** What both directions share: the key, the IV, the sequence number and the rekey threshold. */
abstract class Direction {
  /** Not readonly only so that `clone` can give the copy its own. */
  protected sequenceNumber: SequenceNumber
  protected readonly keyUpdateAt: number
  protected readonly nonceBuffer: Uint8Array

  constructor(
    protected readonly key: AeadKey,
    protected readonly iv: Uint8Array,
    options: ProtectionOptions = {},
  ) {
    this.sequenceNumber = new SequenceNumber(options.initialSequence)
    this.keyUpdateAt = options.keyUpdateAt ?? defaultKeyUpdateAt(key)
    this.nonceBuffer = new Uint8Array(iv.length)
  }

  /** The sequence number of the next record. */
  get sequence(): bigint {
    return this.sequenceNumber.value
  }

  /** True when the key is close to its usage limit: a KeyUpdate is due. */
  get needsKeyUpdate(): boolean {
    return this.sequenceNumber.count >= this.keyUpdateAt
  }

  /** True when the synchronous methods can be used (the AEAD key is synchronous). */
  get isSync(): boolean {
    return this.key.sync !== undefined
  }
}

export class RecordProtector extends Direction {
  private readonly recordLimit: number
  private readonly padding: PaddingPolicy | undefined
  private innerBuffer: Uint8Array | undefined

  /** A protector for `key` with its write IV (12 bytes for every TLS 1.3 suite). */
  constructor(key: AeadKey, iv: Uint8Array, options: ProtectorOptions = {}) {
    super(key, iv, options)
    this.recordLimit = options.recordLimit ?? aeadRecordLimit(key.algorithm)
    this.padding = options.padding
  }

  /**
   * An independent copy at the same sequence number, sharing the (immutable) key, IV and
   * options: to save a connection's state and restore it more than once.
   */
  clone(): RecordProtector {
    const copy = new RecordProtector(this.key, this.iv, {
      keyUpdateAt: this.keyUpdateAt,
      recordLimit: this.recordLimit,
      ...(this.padding === undefined ? {} : { padding: this.padding }),
    })
    copy.sequenceNumber = this.sequenceNumber.clone()
    return copy
  }

  /**
   * Seals one record synchronously: `type` and `content` (at most 2^14 bytes) become a
   * full record (header + encrypted record), written into `out` when it is large enough,
   * else into a new array. Fails with an internal_error `Fatal` when the key is not
   * synchronous, the content is too long, or the key is used up.
   */
  sealSync(type: number, content: Uint8Array, out?: Uint8Array): Either.Either<Uint8Array, Fatal> {
    const sync = this.key.sync
    if (sync === undefined) return Either.left(internalError("the AEAD key has no synchronous form"))
    const refused = this.refusal(type, content)
    if (refused !== undefined) return Either.left(refused)
    this.innerBuffer ??= new Uint8Array(maxInnerLength)
    const inner = this.writeInner(this.innerBuffer.subarray(0, this.innerLength(type, content)), type, content)
    const record = recordFor(inner.length, out)
    const nonce = this.sequenceNumber.nonce(this.iv, this.nonceBuffer)
    this.sequenceNumber.advance()
    record.set(sync.seal(nonce, record.subarray(0, recordHeaderLength), inner), recordHeaderLength)
    return Either.right(record)
  }

  /**
   * Seals one record with any AEAD key (synchronously when it can); as `sealSync`. The
   * sequence number is taken when the effect runs.
   */
  seal(type: number, content: Uint8Array, out?: Uint8Array): Effect.Effect<Uint8Array, Fatal> {
    return inlineSuspend(() => {
      if (this.key.sync !== undefined) return this.sealSync(type, content, out)
      const refused = this.refusal(type, content)
      if (refused !== undefined) return Effect.fail(refused)
      const inner = this.writeInner(new Uint8Array(this.innerLength(type, content)), type, content)
      const record = recordFor(inner.length, undefined)
      const nonce = this.sequenceNumber.nonce(this.iv, new Uint8Array(this.iv.length))
      this.sequenceNumber.advance()
      return Effect.map(this.key.seal(nonce, record.subarray(0, recordHeaderLength), inner), (sealed) => {
        record.set(sealed, recordHeaderLength)
        return record
      })
    })
  }

  private refusal(type: number, content: Uint8Array): Fatal | undefined {
    if (!Number.isInteger(type) || type < 1 || type > 255) return internalError(`invalid record content type ${type}`)
    if (content.length > maxPlaintextLength) {
      return internalError(`record content of ${content.length} bytes exceeds 2^14; fragment it first`)
    }
    if (this.sequenceNumber.exhausted) return internalError("record sequence number exhausted; update keys")
    if (this.sequenceNumber.count >= this.recordLimit) return internalError("AEAD key usage limit reached; update keys")
    return undefined
  }

  /** The TLSInnerPlaintext length: content, type byte and the policy's padding, clamped to 2^14 + 1. */
  private innerLength(type: number, content: Uint8Array): number {
    const room = maxInnerLength - content.length - 1
    const wanted = this.padding === undefined ? 0 : this.padding(type, content.length)
    const padding = Number.isFinite(wanted) ? Math.min(room, Math.max(0, Math.floor(wanted))) : 0
    return content.length + 1 + padding
  }

  /** TLSInnerPlaintext = content || type || zeros, filling `inner`. */
  private writeInner(inner: Uint8Array, type: number, content: Uint8Array): Uint8Array {
    inner.set(content, 0)
    inner[content.length] = type
    inner.fill(0, content.length + 1)
    return inner
  }
}

/** A record for an inner plaintext of `innerLength` bytes, header written, in `out` when it fits. */
const recordFor = (innerLength: number, out: Uint8Array | undefined): Uint8Array => {
  const encryptedLength = innerLength + aeadTagLength
  const total = recordHeaderLength + encryptedLength
  const record = out !== undefined && out.length >= total ? out.subarray(0, total) : new Uint8Array(total)
  record[0] = ContentType.application_data
  record[1] = 0x03
  record[2] = 0x03
  record[3] = encryptedLength >>> 8
  record[4] = encryptedLength & 0xff
  return record
}

/**
 * The read side of one traffic key.
 *
 * @since 0.1.0
 */
export class RecordUnprotector extends Direction {
  /**
   * An independent copy at the same sequence number, sharing the (immutable) key and IV:
   * to save a connection's state and restore it more than once.
   */
  clone(): RecordUnprotector {
    const copy = new RecordUnprotector(this.key, this.iv, { keyUpdateAt: this.keyUpdateAt })
    copy.sequenceNumber = this.sequenceNumber.clone()
    return copy
  }

  /**
   * Opens one full protected record (header included, as received) synchronously. Fails
   * with the `Fatal` of the alert RFC 8446 prescribes: decode_error for a malformed header,
   * unexpected_message for an outer type other than application_data or an inner plaintext
   * with no content type, record_overflow for an encrypted record over 2^14 + 256 bytes or
   * a plaintext over 2^14 + 1, bad_record_mac when authentication fails; internal_error when
   * the key is not synchronous.
   */
  openSync(record: Uint8Array): Either.Either<OpenedRecord, Fatal> {
    const sync = this.key.sync
    if (sync === undefined) return Either.left(internalError("the AEAD key has no synchronous form"))
    const refused = this.refusal(record)
    if (refused !== undefined) return Either.left(refused)
    const nonce = this.sequenceNumber.nonce(this.iv, this.nonceBuffer)
    this.sequenceNumber.advance()
    const plaintext = sync.open(nonce, record.subarray(0, recordHeaderLength), record.subarray(recordHeaderLength))
    if (plaintext === undefined) return Either.left(badRecordMac())
    // The record may be a transport's buffer, reused once the engine asks for more bytes:
    // a plaintext the AEAD left in that memory is copied before it is handed out.
    return parseInner(plaintext.buffer === record.buffer ? copyBytes(plaintext) : plaintext)
  }

  /** Opens one record with any AEAD key (synchronously when it can); as `openSync`. */
  open(record: Uint8Array): Effect.Effect<OpenedRecord, Fatal> {
    return inlineSuspend(() => {
      if (this.key.sync !== undefined) return this.openSync(record)
      const refused = this.refusal(record)
      if (refused !== undefined) return Effect.fail(refused)
      const nonce = this.sequenceNumber.nonce(this.iv, new Uint8Array(this.iv.length))
      this.sequenceNumber.advance()
      const copy = copyBytes(record)
      return this.key
        .open(nonce, copy.subarray(0, recordHeaderLength), copy.subarray(recordHeaderLength))
        .pipe(Effect.mapError(badRecordMac), Effect.flatMap(parseInner))
    })
  }

  private refusal(record: Uint8Array): Fatal | undefined {
    if (record.length < recordHeaderLength) return alertSent(AlertDescription.decode_error, "truncated record header")
    const length = (record[3]! << 8) | record[4]!
    if (length !== record.length - recordHeaderLength) {
      return alertSent(AlertDescription.decode_error, "record length does not match its header")
    }
    if (record[0] !== ContentType.application_data) {
      return alertSent(AlertDescription.unexpected_message, `protected record with outer type ${record[0]}`)
    }
    if (length > maxCiphertextLength) {
      return alertSent(AlertDescription.record_overflow, `encrypted record of ${length} bytes exceeds 2^14 + 256`)
    }
    if (this.sequenceNumber.exhausted) {
      return alertSent(AlertDescription.unexpected_message, "peer sent 2^64 records without a key update")
    }
    return undefined
  }
}

const badRecordMac = (): Fatal => alertSent(AlertDescription.bad_record_mac, "record authentication failed")

/** Splits TLSInnerPlaintext into content and type: the type is the last non-zero byte (5.4). */
const parseInner = (plaintext: Uint8Array): Either.Either<OpenedRecord, Fatal> => {
  if (plaintext.length > maxInnerLength) {
    return Either.left(alertSent(AlertDescription.record_overflow, "decrypted record exceeds 2^14 + 1 bytes"))
  }
  let end = plaintext.length - 1
  while (end >= 0 && plaintext[end] === 0) end--
  if (end < 0) return Either.left(alertSent(AlertDescription.unexpected_message, "record has no content type"))
  return Either.right({ type: plaintext[end]!, content: plaintext.subarray(0, end) })
}
