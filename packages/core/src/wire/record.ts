/**
 * The record layer's framing (RFC 8446 section 5.1): the 5-byte record header and a
 * `Deframer` that cuts a byte stream, pushed in chunks of any size, into records. Headers
 * are checked as soon as their bytes arrive, so a non-TLS peer ("HTTP/1.1 ...") or an
 * oversized length fails before anything is buffered for it.
 *
 * @since 0.1.0
 */
import type { Either } from "effect"
import { AlertDescription, ContentType, ProtocolVersion } from "./codes.js"
import { DecodeError, decodeWith, fail } from "./reader.js"

/** Length of a record header: type (1), legacy_record_version (2), length (2). @since 0.1.0 */
export const RECORD_HEADER_LENGTH = 5

/** Largest TLSPlaintext fragment, 2^14 (RFC 8446 section 5.1). @since 0.1.0 */
export const MAX_PLAINTEXT_LENGTH = 16384

/** Largest TLSCiphertext fragment, 2^14 + 256 (RFC 8446 section 5.2). @since 0.1.0 */
export const MAX_CIPHERTEXT_LENGTH = 16384 + 256

/** A record header. @since 0.1.0 */
export interface RecordHeader {
  readonly type: number
  readonly version: number
  readonly length: number
}

/** A complete record as framed on the wire (still protected if its type is application_data). @since 0.1.0 */
export interface TlsRecord {
  readonly type: number
  readonly version: number
  readonly fragment: Uint8Array
  /** The whole record, header included (what record protection authenticates). */
  readonly raw: Uint8Array
}

/**
 * Length limits for received records. Application_data records carry ciphertext in TLS 1.3;
 * every other type is plaintext.
 *
 * @since 0.1.0
 */
export interface RecordLimits {
  /** Largest application_data fragment (default 2^14 + 256). */
  readonly maxCiphertextLength?: number
  /** Largest fragment of the other types (default 2^14). */
  readonly maxPlaintextLength?: number
}

const isContentType = (type: number): boolean =>
  type === ContentType.application_data ||
  type === ContentType.handshake ||
  type === ContentType.alert ||
  type === ContentType.change_cipher_spec

const typeError = (type: number): DecodeError | undefined =>
  isContentType(type)
    ? undefined
    : new DecodeError({ alert: AlertDescription.unexpected_message, detail: `unknown record content type ${type}` })

const lengthError = (
  type: number,
  length: number,
  maxCiphertext: number,
  maxPlaintext: number,
): DecodeError | undefined => {
  const max = type === ContentType.application_data ? maxCiphertext : maxPlaintext
  if (length > max) {
    return new DecodeError({
      alert: AlertDescription.record_overflow,
      detail: `record of ${length} bytes exceeds ${max}`,
    })
  }
  // RFC 8446 section 5.1: zero-length Handshake and Alert fragments are never sent.
  if (length === 0 && (type === ContentType.handshake || type === ContentType.alert)) {
    return new DecodeError({ alert: AlertDescription.unexpected_message, detail: `zero-length record of type ${type}` })
  }
  return undefined
}

/**
 * Writes a record header into `out` at `offset`. legacy_record_version is 0x0303 except
 * for an initial ClientHello, which may use 0x0301 (RFC 8446 section 5.1).
 *
 * @since 0.1.0
 */
export const encodeRecordHeader = (
  type: number,
  length: number,
  out: Uint8Array,
  offset: number,
  version: number = ProtocolVersion.TLSv1_2,
): void => {
  out[offset] = type
  out[offset + 1] = version >>> 8
  out[offset + 2] = version
  out[offset + 3] = length >>> 8
  out[offset + 4] = length
}

/**
 * Decodes and checks a 5-byte record header: unknown content types are unexpected_message,
 * lengths over the limit record_overflow, empty handshake/alert records unexpected_message.
 * legacy_record_version is returned but not checked (RFC 8446 section 5.1).
 *
 * @since 0.1.0
 */
export const decodeRecordHeader = (
  header: Uint8Array,
  limits: RecordLimits = {},
): Either.Either<RecordHeader, DecodeError> =>
  decodeWith(header, (r) => {
    const type = r.u8()
    const version = r.u16()
    const length = r.u16()
    const error =
      typeError(type) ??
      lengthError(
        type,
        length,
        limits.maxCiphertextLength ?? MAX_CIPHERTEXT_LENGTH,
        limits.maxPlaintextLength ?? MAX_PLAINTEXT_LENGTH,
      )
    if (error !== undefined) fail(error.alert, error.detail)
    return { type, version, length }
  })

/** The deframer's buffer when it holds nothing: an idle connection keeps no buffer. */
const noBuffer = new Uint8Array(0)

/** The smallest buffer the deframer allocates; it grows when a record needs more. */
const initialBufferLength = 4096

/**
 * Cuts a received byte stream into records. `push` a chunk, then call `next` until it
 * returns `undefined` (more bytes needed) or a `DecodeError` (fatal, and repeated from then
 * on).
 *
 * Bytes are copied only when they must be kept: a record that lies whole inside the pushed
 * chunk is returned as a view of that chunk, and only the incomplete tail is copied into
 * the deframer's buffer. So the caller must leave a chunk unchanged until `next` returned
 * `undefined` (or it pushes the next chunk), and must use (decrypt or copy) each returned
 * record's `fragment` and `raw` before the next `push`.
 *
 * @since 0.1.0
 */
export class Deframer {
  /** Held bytes of an incomplete record, at `start..end`; `noBuffer` while nothing is held. */
  private buf: Uint8Array = noBuffer
  private start = 0
  private end = 0
  private chunk: Uint8Array | undefined = undefined
  private chunkPos = 0
  private error: DecodeError | undefined = undefined
  private readonly maxCiphertext: number
  private readonly maxPlaintext: number

  constructor(limits: RecordLimits = {}) {
    this.maxCiphertext = limits.maxCiphertextLength ?? MAX_CIPHERTEXT_LENGTH
    this.maxPlaintext = limits.maxPlaintextLength ?? MAX_PLAINTEXT_LENGTH
  }

  /**
   * An independent copy in the same state, to save and restore a connection's state: the
   * buffered bytes are copied; a chunk still being read is shared, and must stay unchanged
   * as `push` requires.
   */
  clone(): Deframer {
    const copy = new Deframer({ maxCiphertextLength: this.maxCiphertext, maxPlaintextLength: this.maxPlaintext })
    copy.buf = this.buf.slice(this.start, this.end)
    copy.end = copy.buf.length
    copy.chunk = this.chunk
    copy.chunkPos = this.chunkPos
    copy.error = this.error
    return copy
  }

  /** Bytes received and not yet returned as records. */
  get buffered(): number {
    return this.end - this.start + (this.chunk === undefined ? 0 : this.chunk.length - this.chunkPos)
  }

  /** Adds received bytes. Records returned before this call are no longer valid. */
  push(chunk: Uint8Array): void {
    if (this.error !== undefined) return
    if (this.chunk !== undefined) this.take(this.chunk.length - this.chunkPos)
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end)
      this.end -= this.start
      this.start = 0
    }
    if (chunk.length > 0) {
      this.chunk = chunk
      this.chunkPos = 0
    }
  }

  /**
   * The next complete record, `undefined` when more bytes are needed, or the fatal error.
   * Once every byte received is returned, the buffer is let go: records returned from it
   * stay valid, since it is never written again.
   */
  next(): TlsRecord | DecodeError | undefined {
    if (this.error !== undefined) return this.error
    if (this.end > this.start) return this.nextBuffered()
    if (this.buf !== noBuffer) {
      this.buf = noBuffer
      this.start = 0
      this.end = 0
    }
    return this.nextInChunk()
  }

  private nextInChunk(): TlsRecord | DecodeError | undefined {
    const chunk = this.chunk
    if (chunk === undefined) return undefined
    const at = this.chunkPos
    const total = this.inspect(chunk, at, chunk.length - at)
    if (total instanceof DecodeError) return total
    if (total === 0 || at + total > chunk.length) {
      // Room for the whole record when its length is known: the rest then lands without a regrow.
      this.take(chunk.length - at, total)
      return undefined
    }
    this.chunkPos = at + total
    if (this.chunkPos === chunk.length) this.chunk = undefined
    return this.record(chunk, at, total)
  }

  private nextBuffered(): TlsRecord | DecodeError | undefined {
    const held = this.end - this.start
    if (held < RECORD_HEADER_LENGTH) this.take(Math.min(RECORD_HEADER_LENGTH - held, this.chunkLeft()))
    const total = this.inspect(this.buf, this.start, this.end - this.start)
    if (total instanceof DecodeError) return total
    if (total === 0) return undefined
    const missing = total - (this.end - this.start)
    if (missing > 0) this.take(Math.min(missing, this.chunkLeft()))
    if (this.end - this.start < total) return undefined
    const at = this.start
    this.start = at + total
    return this.record(this.buf, at, total)
  }

  private record(bytes: Uint8Array, at: number, total: number): TlsRecord {
    return {
      type: bytes[at]!,
      version: (bytes[at + 1]! << 8) | bytes[at + 2]!,
      fragment: bytes.subarray(at + RECORD_HEADER_LENGTH, at + total),
      raw: bytes.subarray(at, at + total),
    }
  }

  /**
   * Checks what is visible of the header at `at`: the content type from its first byte, the
   * length once all 5 bytes are there. Returns the record's total size, 0 while the header
   * is incomplete, or the (now sticky) error.
   */
  private inspect(bytes: Uint8Array, at: number, available: number): number | DecodeError {
    if (available === 0) return 0
    const type = bytes[at]!
    const error =
      typeError(type) ??
      (available < RECORD_HEADER_LENGTH
        ? undefined
        : lengthError(type, (bytes[at + 3]! << 8) | bytes[at + 4]!, this.maxCiphertext, this.maxPlaintext))
    if (error !== undefined) {
      this.error = error
      this.chunk = undefined
      return error
    }
    return available < RECORD_HEADER_LENGTH ? 0 : RECORD_HEADER_LENGTH + ((bytes[at + 3]! << 8) | bytes[at + 4]!)
  }

  private chunkLeft(): number {
    return this.chunk === undefined ? 0 : this.chunk.length - this.chunkPos
  }

  /**
   * Copies `n` bytes of the current chunk to the end of the buffer (never over returned
   * fragments); a buffer it allocates holds at least `room` bytes.
   */
  private take(n: number, room = 0): void {
    const chunk = this.chunk
    if (chunk === undefined) return
    if (this.end + n > this.buf.length) {
      const held = this.end - this.start
      const grown = new Uint8Array(Math.max(initialBufferLength, 2 * this.buf.length, held + n, room))
      grown.set(this.buf.subarray(this.start, this.end))
      this.end -= this.start
      this.start = 0
      this.buf = grown
    }
    this.buf.set(chunk.subarray(this.chunkPos, this.chunkPos + n), this.end)
    this.end += n
    this.chunkPos += n
    if (this.chunkPos === chunk.length) this.chunk = undefined
  }
}
